#!/bin/sh
# Alerts from a real Alertmanager (Debian's prometheus-alertmanager 0.25):
# alerts posted as Prometheus would, then `cmdr status --json` must show
# those the source's filter selects, grouped by alertname, with severity,
# age, silenced and inhibited state, summary and SLO. An Alertmanager that
# is down, or answers with hostile bodies (a stub), gives one line naming
# the source and exit 3.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/prom.sh"
. "$TESTS_DIR/am.sh"

if ! command -v prometheus-alertmanager >/dev/null 2>&1 || ! am_start "$WORK/am"; then
	echo "not ok - a real Alertmanager starts (make deps-test installs prometheus-alertmanager)"
	exit 0
fi
trap 'am_stop; stub_stop; term_end; rm -rf "$WORK"' EXIT INT TERM

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.000Z; }
NOW=$(date +%s)
am_post "[
 {\"labels\": {\"alertname\": \"ChatErrorBudgetBurn\", \"service\": \"chat\", \"severity\": \"page\",
   \"sloth_slo\": \"chat availability\"},
  \"annotations\": {\"summary\": \"chat burns its error budget 14x\"}, \"startsAt\": \"$(iso $((NOW - 600)))\"},
 {\"labels\": {\"alertname\": \"ChatLatency\", \"service\": \"chat\", \"severity\": \"ticket\"},
  \"annotations\": {\"summary\": \"p99 over 2s\"}, \"startsAt\": \"$(iso $((NOW - 120)))\"},
 {\"labels\": {\"alertname\": \"ChatLatency\", \"service\": \"chat\", \"severity\": \"ticket\", \"region\": \"eu\"},
  \"annotations\": {\"summary\": \"p99 over 2s in eu\"}, \"startsAt\": \"$(iso $((NOW - 60)))\"},
 {\"labels\": {\"alertname\": \"DiskFull\", \"service\": \"search\", \"severity\": \"page\"}}
]" || { echo "not ok - alerts posted to Alertmanager"; exit 0; }

write_config() { # URL
	cat >"$WORK/am.json" <<JSON
{
  "sources": {
    "am": { "type": "alertmanager", "url": "$1", "filter": ["service=\"chat\""], "timeout": "3s" },
    "prom": { "type": "prometheus", "url": "http://127.0.0.1:9" }
  },
  "slos": [ { "name": "chat availability", "source": "prom", "objective": 0.999,
              "error_query": "x[{{window}}]", "total_query": "y[{{window}}]" } ]
}
JSON
	printf '{"sources": {"am": {"type": "alertmanager", "url": "%s", "filter": ["service=\\"chat\\""]}}}\n' "$1" \
		>"$WORK/alerts-only.json"
}
write_config "$AM_URL"
mkdir -p "$WORK/inc"
"$CMDR" note "alerts test" -i "$WORK/inc" >/dev/null

status() { # CONFIG -> $WORK/status.json, $WORK/status.err
	"$CMDR" status --json -c "$1" -i "$WORK/inc" >"$WORK/status.json" 2>"$WORK/status.err"
}

check_config() {
	"$CMDR" config check "$WORK/alerts-only.json" >/dev/null || return 1
	printf '{"sources": {"am": {"type": "alertmanager", "url": "http://a", "filter": ["service=~\\"(\\"", 3]}},
	  "slos": [{"name": "s", "source": "am", "objective": 0.99}]}\n' >"$WORK/bad.json"
	"$CMDR" config check "$WORK/bad.json" >"$WORK/check.out" 2>&1
	expect_eq "exit" "$?" 1 &&
	grep -q 'bad.json: $.sources.am.filter\[0\]: bad regex in a matcher: missing closing parenthesis' "$WORK/check.out" &&
	grep -q 'bad.json: $.sources.am.filter\[1\]: expected a label matcher' "$WORK/check.out" &&
	grep -q 'bad.json: $.slos\[0\].source: source "am" is alertmanager: it gives alerts, not metrics' "$WORK/check.out" ||
		{ cat "$WORK/check.out"; return 1; }
}
ok "alertmanager: config check judges filters and refuses it as an SLO's source" check_config

check_alerts() {
	status "$WORK/alerts-only.json" || { cat "$WORK/status.err"; return 1; }
	a='.alerts[0]'
	jq_is "the source" "$a.source" am &&
	jq_is "only the filter's alerts" "$a.count" 3 &&
	jq_is "grouped by alertname" "[$a.groups[].alertname] | join(\",\")" ChatErrorBudgetBurn,ChatLatency &&
	jq_is "a group holds its alerts" "$a.groups[1].alerts | map(.labels.region // \"-\") | join(\",\")" -,eu &&
	jq_is "severity" "$a.groups[0].alerts[0].severity" page &&
	jq_is "active" "$a.groups[0].alerts[0].state" active &&
	jq_is "summary" "$a.groups[0].alerts[0].summary" "chat burns its error budget 14x" &&
	jq_is "age from startsAt" "$a.groups[0].alerts[0].age_s >= 600 and $a.groups[0].alerts[0].age_s < 700" true &&
	jq_is "its SLO, from sloth_slo" "$a.groups[0].alerts[0].slo" "chat availability" &&
	jq_is "the page inhibits the tickets" "[$a.groups[1].alerts[].state] | join(\",\")" inhibited,inhibited &&
	jq_is "by the page's fingerprint" "$a.groups[1].alerts[0].inhibited_by[0]" \
		"$(jq -r "$a.groups[0].alerts[0].fingerprint" "$WORK/status.json")" &&
	jq_is "fresh" "$a.data.stale" false &&
	jq_is "nothing left out" "$a.left_out" 0
}
ok "alertmanager: status --json groups the filter's alerts with state, age, summary, SLO" check_alerts

check_slo_known() {
	status "$WORK/am.json"
	jq_is "the SLO is one of the incident's" '.alerts[0].groups[0].alerts[0].slo_known' true
}
ok "alertmanager: an alert's sloth_slo label names a configured SLO" check_slo_known

check_online() {
	"$CMDR" config check --online "$WORK/alerts-only.json" >"$WORK/check.out" 2>&1 &&
	grep -q '^.*alerts-only.json: source "am": [0-9][0-9]* alerts match its filter now$' "$WORK/check.out" &&
	grep -q 'alerts-only.json: ok$' "$WORK/check.out" || { cat "$WORK/check.out"; return 1; }
	printf '{"sources": {"am": {"type": "alertmanager", "url": "http://127.0.0.1:%s"}}}\n' "$(prom_free_port)" \
		>"$WORK/dead.json"
	"$CMDR" config check --online "$WORK/dead.json" >"$WORK/check.out" 2>&1
	expect_eq "exit" "$?" 3 &&
	grep -q '^.*dead.json: source am: .*Could' "$WORK/check.out" || { cat "$WORK/check.out"; return 1; }
}
ok "alertmanager: config check --online asks each source for its alerts" check_online

check_silenced() {
	id=$(curl -sf -XPOST -H 'Content-Type: application/json' "$AM_URL/api/v2/silences" -d "{
	  \"matchers\": [{\"name\": \"alertname\", \"value\": \"ChatErrorBudgetBurn\", \"isRegex\": false, \"isEqual\": true}],
	  \"startsAt\": \"$(iso $NOW)\", \"endsAt\": \"$(iso $((NOW + 3600)))\", \"createdBy\": \"t\", \"comment\": \"t\"}" |
		jq -r .silenceID) || return 1
	# Alertmanager marks alerts silenced on its next look at them.
	i=0
	while [ $i -lt 50 ]; do
		status "$WORK/alerts-only.json"
		[ "$(jq -r '.alerts[0].groups[0].alerts[0].state' "$WORK/status.json")" = silenced ] && break
		sleep 0.2
		i=$((i + 1))
	done
	jq_is "silenced" '.alerts[0].groups[0].alerts[0].state' silenced &&
	jq_is "by that silence" '.alerts[0].groups[0].alerts[0].silenced_by[0]' "$id"
}
ok "alertmanager: a silenced alert says so, with the silence's id" check_silenced

check_down() {
	write_config "http://127.0.0.1:$(prom_free_port)"
	status "$WORK/alerts-only.json"
	expect_eq "exit" "$?" 3 &&
	expect_eq "one line" "$(wc -l <"$WORK/status.err")" 1 &&
	grep -q '^cmdr status: source am: .*Could' "$WORK/status.err" &&
	jq_is "stale" '.alerts[0].data.stale' true &&
	jq_is "the error names the source" '.alerts[0].data.error | startswith("source am: ")' true ||
		{ cat "$WORK/status.err"; return 1; }
}
ok "alertmanager: down, status says which source and exits 3" check_down

# Hostile answers, from a stub: each is one line naming the source.
hostile() { # RESPONSE-JSON EXPECTED-STDERR-LINE
	stub_start "[{\"expect\": {\"method\": \"GET\", \"path\": \"/api/v2/alerts\"}, \"respond\": $1}]" || return 1
	write_config "$BASE"
	status "$WORK/alerts-only.json"
	expect_eq "exit" "$?" 3 &&
	expect_eq "stderr" "$(cat "$WORK/status.err")" "$2"
}
check_hostile() {
	hostile '{"json": {"alerts": []}}' "cmdr status: source am: unexpected response: \$ is not an array of alerts" &&
	hostile '{"json": [{"labels": {"a": 1}, "status": {"state": "active"}}]}' \
		"cmdr status: source am: unexpected response: \$[0].labels.a is not a string" &&
	hostile '{"status": 400, "json": "bad matcher format: x"}' "cmdr status: source am: HTTP 400: bad matcher format: x" &&
	hostile '{"body": "<html>", "content_type": "text/html"}' \
		"cmdr status: source am: expected application/json, got text/html"
}
ok "alertmanager: wrong types and refusals are one line naming the source" check_hostile

check_many() {
	python3 -c '
import json
a = [{"labels": dict([("alertname", "A%d" % i)] + [("l%d" % k, "v") for k in range(100)]),
      "status": {"state": "active"}} for i in range(10000)]
print(json.dumps([{"expect": {"method": "GET", "path": "/api/v2/alerts"}, "respond": {"json": a}}]))' \
		>"$WORK/many.json"
	stub_start "$(cat "$WORK/many.json")" || return 1
	write_config "$BASE"
	sed -i 's/"filter"/"max_bytes": 100000000, "filter"/' "$WORK/alerts-only.json"
	status "$WORK/alerts-only.json" || { cat "$WORK/status.err"; return 1; }
	jq_is "500 kept" '.alerts[0].count' 500 &&
	jq_is "the rest counted" '.alerts[0].left_out' 9500 &&
	jq_is "labels over 64 counted" '.alerts[0].labels_left_out' $((500 * 37))
}
ok "alertmanager: 10,000 alerts of 101 labels: 500 kept, the rest counted" check_many

# ---- silences -------------------------------------------------------------
write_config "$AM_URL"
SIL="$WORK/sil"
mkdir -p "$SIL"
"$CMDR" note "silences test" -i "$SIL" >/dev/null
journal_last() { tail -n 1 "$SIL/journal.jsonl"; }

check_silence_create() {
	"$CMDR" silence 'alertname="ChatLatency"' 'service=~"ch.*"' 2h --reason "noisy during the rollback" --yes \
		--as alice -c "$WORK/alerts-only.json" -i "$SIL" >"$WORK/out" 2>"$WORK/err" ||
		{ cat "$WORK/err"; return 1; }
	expect_eq "the preview" "$(head -n 1 "$WORK/out")" \
		'silence alertname="ChatLatency" service=~"ch.*" for 2h mutes 2 alerts firing now: ChatLatency' &&
	id=$(journal_last | jq -r .silence_id) &&
	expect_eq "the outcome line" "$(sed -n 2p "$WORK/out")" "silence $id created by alice, muting 2 (ChatLatency): noisy during the rollback" &&
	curl -sf "$AM_URL/api/v2/silences" >"$WORK/silences.json" &&
	s=".[] | select(.id == \"$id\")" &&
	expect_eq "matchers as Alertmanager holds them" \
		"$(jq -c "$s | .matchers | sort_by(.name)" "$WORK/silences.json")" \
		'[{"isEqual":true,"isRegex":false,"name":"alertname","value":"ChatLatency"},{"isEqual":true,"isRegex":true,"name":"service","value":"ch.*"}]' &&
	expect_eq "createdBy is the person" "$(jq -r "$s | .createdBy" "$WORK/silences.json")" alice &&
	expect_eq "comment is the reason" "$(jq -r "$s | .comment" "$WORK/silences.json")" "noisy during the rollback" &&
	# Alertmanager moves a start in the past to its own now: the end is ours.
	expect_eq "ends as journaled" "$(jq -r "$s | .endsAt" "$WORK/silences.json")" "$(journal_last | jq -r .params.ends)" &&
	expect_eq "two hours after the journaled start" \
		"$(journal_last | jq -r '(.params.ends | sub("\\.[0-9]+Z"; "Z") | fromdate) - (.params.starts | sub("\\.[0-9]+Z"; "Z") | fromdate)')" 7200 &&
	expect_eq "the intent first, with what it mutes" \
		"$(tail -n 2 "$SIL/journal.jsonl" | head -n 1 | jq -r '[.action, .outcome, .target, .params.mutes, .params.alerts] | join(" ")')" \
		"silence intent am 2 ChatLatency" &&
	expect_eq "then the outcome with the id" "$(journal_last | jq -r '.outcome + " " + .params.matchers')" \
		'created alertname="ChatLatency" service=~"ch.*"' &&
	"$CMDR" audit verify -i "$SIL" >/dev/null
}
ok "silence: created as alice with the reason, the request read back from Alertmanager" check_silence_create

check_silence_extend_expire() {
	id=$(journal_last | jq -r .silence_id)
	ends=$(curl -sf "$AM_URL/api/v2/silences" | jq -r ".[] | select(.id == \"$id\") | .endsAt | sub(\"\\\\.[0-9]+Z\"; \"Z\") | fromdate")
	"$CMDR" silence extend "$id" 1h --reason "the rollback is slow" -c "$WORK/alerts-only.json" -i "$SIL" \
		>/dev/null 2>"$WORK/err" || { cat "$WORK/err"; return 1; }
	id2=$(journal_last | jq -r .silence_id)
	now_ends=$(curl -sf "$AM_URL/api/v2/silences" | jq -r ".[] | select(.id == \"$id2\") | .endsAt | sub(\"\\\\.[0-9]+Z\"; \"Z\") | fromdate")
	expect_eq "an hour more" "$((now_ends - ends))" 3600 &&
	"$CMDR" silence expire "$id2" --reason "rolled back" -c "$WORK/alerts-only.json" -i "$SIL" >/dev/null 2>"$WORK/err" ||
		{ cat "$WORK/err"; return 1; }
	expect_eq "expired in Alertmanager" \
		"$(curl -sf "$AM_URL/api/v2/silences" | jq -r ".[] | select(.id == \"$id2\") | .status.state")" expired &&
	expect_eq "journaled" "$(journal_last | jq -r '.action + " " + .outcome')" "silence_expire expired"
}
ok "silence: extend adds to its end, expire ends it, both journaled" check_silence_extend_expire

check_silence_postmortem() {
	"$CMDR" export postmortem --format json -i "$SIL" >"$WORK/status.json" || return 1
	jq_is "one silence" '.silences | length' 1 &&
	jq_is "who" '.silences[0].who' alice &&
	jq_is "why" '.silences[0].why' "noisy during the rollback" &&
	jq_is "what it matched" '.silences[0].matchers' 'alertname="ChatLatency" service=~"ch.*"' &&
	jq_is "then extended and expired" '[.silences[0].changes[].what] | join(",")' extended,expired &&
	jq_is "state" '.silences[0].state' expired &&
	"$CMDR" export postmortem -i "$SIL" >"$WORK/pm.md" &&
	grep -F '| alice | alertname="ChatLatency" service=~"ch.\*" | ' "$WORK/pm.md" |
		grep -qF '| noisy during the rollback | extended by root: the rollback is slow; expired by root: rolled back |' ||
		{ grep -A4 "## Silences" "$WORK/pm.md"; return 1; }
}
ok "silence: the postmortem lists it with who, why, how long, and what followed" check_silence_postmortem

check_silence_refused() {
	"$CMDR" silence 'alertname="X"' 1h -c "$WORK/alerts-only.json" -i "$SIL" 2>"$WORK/err"
	expect_eq "no reason: usage" "$?" 2 &&
	"$CMDR" silence 'alertname="X"' 1h --reason "r" --yes --role observer -c "$WORK/alerts-only.json" -i "$SIL" \
		>/dev/null 2>"$WORK/err"
	expect_eq "observer: refused" "$?" 1 &&
	expect_eq "refusal journaled" "$(journal_last | jq -r '.action + " " + .outcome + " " + .role')" \
		"silence refused observer" &&
	"$CMDR" silence expire 00000000-0000-0000-0000-000000000000 --reason "r" -c "$WORK/alerts-only.json" \
		-i "$SIL" 2>"$WORK/err"
	expect_eq "unknown id: refused" "$?" 1 &&
	expect_eq "and journaled" "$(journal_last | jq -r '.outcome')" refused
}
ok "silence: no reason, an observer, an unknown id: refused, and journaled" check_silence_refused

check_silence_api_refuses() {
	stub_start '[{"expect": {"method": "GET", "path": "/api/v2/alerts"}, "respond": {"json": []}},
	  {"expect": {"method": "POST", "path": "/api/v2/silences"},
	   "respond": {"status": 400, "json": "Failed to create silence: start time must be before end time"}}]' ||
		return 1
	write_config "$BASE"
	"$CMDR" silence 'alertname="X"' 1h --reason "r" --yes -c "$WORK/alerts-only.json" -i "$SIL" >/dev/null \
		2>"$WORK/err"
	expect_eq "exit" "$?" 3 &&
	expect_eq "one line naming the source" "$(cat "$WORK/err")" \
		"cmdr silence: silence failed: source am: HTTP 400: Failed to create silence: start time must be before end time" &&
	expect_eq "journaled as failed" "$(journal_last | jq -r '.outcome + ": " + .detail')" \
		"failed: source am: HTTP 400: Failed to create silence: start time must be before end time"
}
ok "silence: Alertmanager refuses: exit 3, one line, the failure journaled" check_silence_api_refuses

ok "no sanitizer reports" sanitizer_clean
