#!/bin/sh
# Resource limits (issue 8), through the real binary: a 100 MB journal, a
# 20 MB journal line with and without its newline, a thousand runbooks,
# source answers at and over the size cap, 20,000 series, hundreds of
# deployments (a drill, and Azure ML over nextLink pages). Each gives a
# clear message where something is refused, and a peak resident set
# (GNU time's maximum RSS) that does not follow the input's size.
. "$(dirname "$0")/../lib.sh"
# A sanitizer build's shadow memory multiplies the resident set, and its
# quarantine (256 MB of freed blocks by default) would hide what is live:
# a small quarantine, and bounds a multiple of the plain build's.
case ${BUILD:-build} in
*san*) RSS_SCALE=6 ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=4:thread_local_quarantine_size_kb=64" ;;
*) RSS_SCALE=1 ;;
esac
# The big files live in $WORK, which lib.sh's trap removes on any exit.

# rss LIMIT-KB NAME COMMAND...: runs it with stdout in $WORK/out, stderr in
# $WORK/err; $rc is its status, $kb its peak RSS; fails over the limit.
rss() {
	_lim=$(($1 * RSS_SCALE)) _name=$2; shift 2
	/usr/bin/time -f '%M' -o "$WORK/rss" "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	kb=$(tail -1 "$WORK/rss")
	echo "#   $_name: peak RSS $kb KB (limit $_lim KB)"
	[ "$kb" -le "$_lim" ] || fail "$_name: peak RSS $kb KB over $_lim KB"
}

# --- a 100 MB journal -------------------------------------------------
big=$(newdir)
set -- $(python3 "$TESTS_DIR/gen_journal.py" "$big/journal.jsonl" 100)
HEAD=$1 N=$2
SUM=$(cksum <"$big/journal.jsonl")
TICKS=$(grep -c '"action":"tick"' "$big/journal.jsonl")

verify_big() {
	rss 40000 "audit verify, 100 MB" "$CMDR" audit verify "$big/journal.jsonl" --head "$HEAD" &&
	expect_eq exit "$rc" 0 && grep -q "intact, $N entries" "$WORK/out"
}
ok "100 MB journal: audit verify streams it (intact, bounded memory)" verify_big

status_big() {
	rss 40000 "status, 100 MB" "$CMDR" status --json -i "$big" && expect_eq exit "$rc" 0 &&
	cp "$WORK/out" "$WORK/status.json" && jq_is entries '.journal.entries' "$N" && jq_is head '.journal.head' "$HEAD"
}
ok "100 MB journal: cmdr status replays it in bounded memory" status_big

# The postmortem used to hold the whole timeline as JSON: 280 MB here.
postmortem_big() {
	rss 40000 "export postmortem, 100 MB" "$CMDR" export postmortem -i "$big" && expect_eq exit "$rc" 0 &&
	grep -q "$N entries, head \`$HEAD\`, the hash chain is intact" "$WORK/out" &&
	expect_eq "timeline rows" "$(grep -c '^| [0-9][0-9]:' "$WORK/out")" "$(( N + TICKS ))" ||
		fail "$(tail -3 "$WORK/out")"
}
ok "100 MB journal: export postmortem streams the timeline (bounded memory)" postmortem_big

postmortem_json_big() {
	rss 40000 "export postmortem --format json, 100 MB" "$CMDR" export postmortem --format json -i "$big" &&
	expect_eq exit "$rc" 0 && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["timeline"]) == int(sys.argv[2]), len(d["timeline"])
assert d["journal"]["intact"] and d["journal"]["head"] == sys.argv[3]
' "$WORK/out" "$N" "$HEAD"
}
ok "100 MB journal: the JSON postmortem is valid JSON with every entry" postmortem_json_big
ok "100 MB journal: untouched by the commands that read it" expect_eq cksum "$(cksum <"$big/journal.jsonl")" "$SUM"
rm -f "$big/journal.jsonl"

# --- one 20 MB line ---------------------------------------------------
long=$(newdir)
set -- $(python3 "$TESTS_DIR/gen_journal.py" "$long/journal.jsonl" 0.1 --long 20000000)
LHEAD=$1 LN=$2
LSUM=$(cksum <"$long/journal.jsonl")
LLINE=$((LN - 1))

long_verify() {
	rss 40000 "audit verify, 20 MB line" "$CMDR" audit verify "$long/journal.jsonl" --head "$LHEAD" &&
	expect_eq exit "$rc" 1 && grep -q "intact, $LN entries" "$WORK/out" &&
	grep -q "journal.jsonl:$LLINE: entry of 2000[0-9]* bytes is over the 1 MiB line limit; cmdr does not read it" "$WORK/err" ||
		fail "$(cat "$WORK/out" "$WORK/err")"
}
ok "20 MB journal line: audit verify checks its hash, names the line, exits 1" long_verify

long_status() {
	rss 40000 "status, 20 MB line" "$CMDR" status --json -i "$long" && expect_eq exit "$rc" 0 &&
	grep -q "cmdr status: .*journal.jsonl:$LLINE: entry of 2000[0-9]* bytes is over the 1 MiB line limit; not read" "$WORK/err" &&
	cp "$WORK/out" "$WORK/status.json" && jq_is line '.journal.long_line.line' "$LLINE" &&
	jq_is head '.journal.head' "$LHEAD" || fail "$(cat "$WORK/err")"
}
ok "20 MB journal line: cmdr status skips it, says which line, keeps the chain" long_status

long_show_export() {
	rss 40000 "audit show, 20 MB line" "$CMDR" audit show "$long/journal.jsonl" && expect_eq exit "$rc" 1 &&
	grep -q "journal.jsonl:$LLINE: entry of .* over the 1 MiB line limit; not shown" "$WORK/err" &&
	rss 40000 "export postmortem, 20 MB line" "$CMDR" export postmortem -i "$long" && expect_eq exit "$rc" 0 &&
	grep -q "Not read: 1 entry over the 1 MiB line limit, the first at line $LLINE" "$WORK/out" &&
	grep -q "after the long line" "$WORK/out"
}
ok "20 MB journal line: audit show and the postmortem name it and go on" long_show_export
ok "20 MB journal line: the journal is untouched" expect_eq cksum "$(cksum <"$long/journal.jsonl")" "$LSUM"

torn=$(newdir)
python3 "$TESTS_DIR/gen_journal.py" "$torn/journal.jsonl" 0.1 --torn 20000000 >/dev/null
TSUM=$(cksum <"$torn/journal.jsonl")
torn_read() {
	rss 40000 "status, 20 MB torn tail" "$CMDR" status -i "$torn" && expect_eq exit "$rc" 0 &&
	grep -q "ends in a partial line" "$WORK/out" &&
	rss 40000 "audit verify, 20 MB torn tail" "$CMDR" audit verify "$torn/journal.jsonl" && expect_eq exit "$rc" 1 &&
	grep -q "torn tail" "$WORK/out" &&
	expect_eq cksum "$(cksum <"$torn/journal.jsonl")" "$TSUM"
}
ok "20 MB with no newline: status and verify say torn, bounded memory, journal untouched" torn_read

# (A note over the line limit is refused whole: tests/unit/test_journal.c;
# one command-line argument cannot be that long.)

# --- a thousand runbooks ----------------------------------------------
rb=$WORK/runbooks
runbooks_make "$rb" 1005
lint_thousand() {
	rss 60000 "runbook lint, 1005 files" "$CMDR" runbook lint "$rb"/*.md && expect_eq exit "$rc" 0 ||
		fail "$(head -3 "$WORK/err")"
}
ok "runbook lint takes a thousand files on one command line" lint_thousand

runbooks_capped() {
	echo "{\"runbook_dirs\": [\"$rb\"]}" >"$WORK/rb.json"
	dir=$(newdir)
	"$CMDR" note hello -i "$dir" >/dev/null 2>&1
	rss 60000 "status with 1005 runbooks" "$CMDR" status --json -c "$WORK/rb.json" -i "$dir" &&
	expect_eq exit "$rc" 0 &&
	grep -q "runbook left out: 5 more runbook files: at most 1000 runbooks and 64 MiB of them are loaded (the first by file name)" "$WORK/err" &&
	cp "$WORK/out" "$WORK/status.json" && jq_is count '.runbooks | length' 1000 &&
	jq_is last '[.runbooks[].name] | sort | last' r1000 || fail "$(cat "$WORK/err")"
}
ok "1005 runbooks: the first 1000 by file name are loaded, and it says so" runbooks_capped

# --- hundreds of deployments in a drill -------------------------------
python3 - "$WORK/d300.json" <<'PY'
import json, sys
deps = [{"name": "d-%04d" % i, "traffic": 100 if i == 299 else 0, "created": "-%dh" % (300 - i)} for i in range(300)]
eps = [{"name": "big-endpoint", "deployments": deps}]
eps += [{"name": "ep-%03d" % k, "deployments": [{"name": "a", "traffic": 100}]} for k in range(40)]
json.dump({"title": "three hundred deployments", "start": "2024-09-13T17:00:00Z", "end": "17:30:00",
           "endpoints": eps}, open(sys.argv[1], "w"))
PY
drill_300() {
	rss 40000 "headless drill, 300 deployments" "$CMDR" drill "$WORK/d300.json" --headless -i "$(newdir)" &&
	expect_eq exit "$rc" 0 && cp "$WORK/out" "$WORK/status.json" &&
	jq_is endpoints '.endpoints | length' 41 && jq_is deployments '.endpoints[0].deployments | length' 300
}
ok "a drill endpoint with 300 deployments and 41 endpoints: all read, bounded memory" drill_300

# --- source answers at and over the size cap --------------------------
prom_config() {
	cat >"$WORK/prom.json" <<EOF2
{ "sources": { "p": { "type": "prometheus", "url": "$BASE", "timeout": "5s", "discover": [] } },
  "slos": [ { "name": "api", "source": "p", "objective": 0.999,
              "error_query": "sum(increase(errors_total[{{window}}]))",
              "total_query": "sum(increase(requests_total[{{window}}]))" } ] }
EOF2
}
# An answer of SIZE bytes: one series, padded with JSON whitespace.
python3 - "$WORK/under.json" "$WORK/over.json" <<'PY'
import json, sys
ans = json.dumps({"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": [1, "5"]}]}})
cap = 8 << 20
for path, size in ((sys.argv[1], cap - 1), (sys.argv[2], cap + 1)):
    body = ans + " " * (size - len(ans))
    json.dump([{"repeat": True, "expect": {"method": "GET"}, "respond": {"body": body}}], open(path, "w"))
PY
under_cap() {
	stub_start "$(cat "$WORK/under.json")" || return 1
	prom_config
	# 14 queries (7 windows, errors and totals) may each hold up to the cap.
	rss 130000 "status, an 8 MiB - 1 answer" "$CMDR" status --json -c "$WORK/prom.json" -i "$WORK/none"
	stub_stop
	expect_eq exit "$rc" 0 && cp "$WORK/out" "$WORK/status.json" && jq_is burn '.slos[0].burn_rates["5m"]' 1000 ||
		fail "$(cat "$WORK/err")"
}
ok "prometheus: an answer 1 byte under the 8 MiB cap is read" under_cap
over_cap() {
	stub_start "$(cat "$WORK/over.json")" || return 1
	prom_config
	rss 130000 "status, an 8 MiB + 1 answer" "$CMDR" status --json -c "$WORK/prom.json" -i "$WORK/none"
	stub_stop
	expect_eq exit "$rc" 3 && grep -q "source p: response larger than 8388608 bytes (the limit); not read" "$WORK/err" ||
		fail "$(cat "$WORK/err")"
}
ok "prometheus: an answer 1 byte over the cap is refused with one line" over_cap

# --- 20,000 series from a real Prometheus (loaded with promtool) -----
# A canary query by class answering 20,001 classes (one judged), and an
# SLO query with no sum() answering 20,001 series (an error with the count).
. "$TESTS_DIR/prom.sh"
trap 'prom_stop; stub_stop; term_end; rm -rf "$WORK"' EXIT INT TERM
T0=1767225600
awk -v t0=$T0 -v n=20000 'BEGIN {
	for (m = 0; m < 2; m++) {
		name = m ? "rubric_samples" : "rubric_groundedness"
		printf "# TYPE %s gauge\n", name
		for (s = 10; s <= 50; s += 20) {
			t = t0 + s
			printf "%s{deployment=\"d-2\",class=\"multi_hop\"} %s %d\n", name, m ? 9 : 2.5, t
			for (i = 0; i < n; i++)
				printf "%s{deployment=\"d-2\",class=\"c-%05d\"} %s %d\n", name, i, m ? 9 : 2.9, t
		}
	}
	print "# EOF"
}' >"$WORK/many.om"
many_series() {
	prom_start "$WORK/prom" "$WORK/many.om" || return 1
	cat >"$WORK/many.json" <<EOF2
{ "sources": { "prom": { "type": "prometheus", "url": "$PROM_URL", "timeout": "20s" } },
  "slos": [ { "name": "no sum", "source": "prom", "objective": 0.999,
      "error_query": "max_over_time(rubric_samples[{{window}}])",
      "total_query": "max_over_time(rubric_samples[{{window}}])" } ],
  "endpoints": [ { "name": "chat" } ],
  "canaries": [
    { "endpoint": "chat", "deployment": "d-2", "source": "prom", "window": "60s",
      "min_samples": 3, "failure_limit": 3, "on_failure": "rollback",
      "queries": {
        "groundedness": "avg by (class) (avg_over_time(rubric_groundedness{deployment=\"{{deployment}}\"}[{{window}}]))",
        "n": "max by (class) (max_over_time(rubric_samples{deployment=\"{{deployment}}\"}[{{window}}]))"
      },
      "thresholds": [ { "class": "multi_hop", "metric": "groundedness", "min": 2.85 } ] } ] }
EOF2
	at=$(date -u -d "@$((T0 + 60))" +%Y-%m-%dT%H:%M:%S.000Z)
	t0=$(date +%s%N)
	rss 100000 "status, 20,001 series x 20 queries" "$CMDR" status --json -c "$WORK/many.json" -i "$WORK/none" --at "$at"
	echo "#   status, 20,001 series x 20 queries: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
	prom_stop
	expect_eq exit "$rc" 3 && cp "$WORK/out" "$WORK/status.json" &&
	jq_is "several series are no data" '.slos[0].burn_rates["5m"]' null &&
	grep -q "source prom: the query gave 20001 series, not one number" "$WORK/err" &&
	jq_is "the judged class" '.canaries[0].windows[-1].class' multi_hop &&
	jq_is value '.canaries[0].windows[-1].value' 2.5 && jq_is verdict '.canaries[0].windows[-1].verdict' fail ||
		fail "$(cat "$WORK/err")"
}
ok "prometheus: 20,001 series per answer: the judged class found, bounded memory" many_series

# --- Azure ML: 400 deployments over 8 nextLink pages, and 51 pages ----
EP=/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-1/onlineEndpoints/chat
printf 'arm-token-1\n' >"$WORK/arm.token"
chmod 600 "$WORK/arm.token"
# azure_script PAGES PER-PAGE: the endpoint, then the deployments' pages.
azure_script() {
	python3 - "$TESTS_DIR/cli/azureml" "$EP" "$1" "$2" <<'PY'
import copy, json, sys
fix, ep, pages, per = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
endpoint = json.load(open(fix + "/endpoint.json"))
endpoint["properties"]["provisioningState"] = "Succeeded"
endpoint["properties"]["traffic"] = {"d-0000": 100}
one = json.load(open(fix + "/deployments.json"))["value"][0]
api = {"api-version": "2025-12-01"}
script = [{"expect": {"method": "GET", "path": ep, "query": api}, "respond": {"json": endpoint}}]
for p in range(pages):
    value = []
    for k in range(per):
        d = copy.deepcopy(one)
        d["name"] = "d-%04d" % (p * per + k)
        d["id"] = ep + "/deployments/" + d["name"]
        value.append(d)
    page = {"value": value}
    if p + 1 < pages:
        page["nextLink"] = "{{stub}}" + ep + "/deployments?api-version=2025-12-01&$skiptoken=p%d" % (p + 1)
    query = dict(api, **({"$skiptoken": "p%d" % p} if p else {}))
    script.append({"expect": {"method": "GET", "path": ep + "/deployments", "query": query},
                   "respond": {"json": page}})
print(json.dumps(script))
PY
}
azure_config() {
	cat >"$WORK/aml.json" <<EOF2
{ "endpoints": [ { "name": "chat",
    "target": { "type": "azureml", "subscription": "sub-1", "resource_group": "rg-1", "workspace": "ws-1",
                "arm_url": "$BASE", "timeout": "5s",
                "auth": { "type": "bearer", "token_file": "$WORK/arm.token" } } } ] }
EOF2
}
azure_400() {
	stub_start "$(azure_script 8 50)" || return 1
	azure_config
	rss 60000 "status, 400 Azure ML deployments" "$CMDR" status --json -c "$WORK/aml.json" -i "$WORK/none"
	stub_stop
	expect_eq exit "$rc" 0 && cp "$WORK/out" "$WORK/status.json" &&
	jq_is deployments '.endpoints[0].deployments | length' 400 && jq_is error '.endpoints[0].data.error' null ||
		fail "$(cat "$WORK/err")"
}
ok "azureml: 400 deployments over 8 nextLink pages, all read" azure_400
azure_51_pages() {
	stub_start "$(azure_script 51 2)" || return 1
	azure_config
	"$CMDR" status --json -c "$WORK/aml.json" -i "$WORK/none" >"$WORK/status.json" 2>"$WORK/err"
	rc=$?
	stub_stop
	expect_eq exit "$rc" 3 &&
	grep -q "more than 50 pages (100 deployments read); the list is not read whole" "$WORK/err" ||
		fail "$(cat "$WORK/err")"
}
ok "azureml: a deployments list of more than 50 pages fails the read and says so" azure_51_pages

ok "limits: no sanitizer reports" sanitizer_clean
