#!/bin/sh
# The compare canary judge on a real Prometheus (Debian's prometheus): each
# window's queries run for the canary and for its baseline ({{deployment}}
# substituted), with the samples' standard deviation as the column sd.
# `cmdr status --json --at TIME` must give the verdicts worked out below.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/prom.sh"

# From T0 = 2026-01-01T00:00:00Z + 72h, gauges sampled at :10 :30 :50 of
# each minute for 6 minutes, per deployment and class:
#   chat:  canary d-2 multi_hop 2.60 (n 10) against baseline d-1 2.95 (n 90);
#   chat2: a bad hour, canary d-4 and baseline d-3 both 2.70 (under the
#          2.85 minimum), n 10 and 90;
#   chat3: canary d-6 2.95, its baseline d-5 has no series at all.
# factual is 2.95 everywhere; sd 0.1 everywhere.
T0=$((1767225600 + 72 * 3600))
om="$WORK/compare.om"
awk -v t0=$T0 'BEGIN {
	split("d-2 d-1 d-4 d-3 d-6", dep, " ")
	split("2.60 2.95 2.70 2.70 2.95", mh, " ")
	split("10 90 10 90 10", n, " ")
	for (metric = 1; metric <= 3; metric++) {
		name = metric == 1 ? "rubric_groundedness" : metric == 2 ? "rubric_samples" : "rubric_sd"
		print "# TYPE " name " gauge"
		for (d = 1; d <= 5; d++)
			for (m = 0; m < 6; m++)
				for (s = 10; s <= 50; s += 20) {
					t = t0 + 60 * m + s
					v1 = metric == 1 ? mh[d] : metric == 2 ? n[d] : 0.1
					v2 = metric == 1 ? 2.95 : metric == 2 ? n[d] : 0.1
					printf "%s{deployment=\"%s\",class=\"multi_hop\"} %s %d\n", name, dep[d], v1, t
					printf "%s{deployment=\"%s\",class=\"factual\"} %s %d\n", name, dep[d], v2, t
				}
	}
	print "# EOF"
}' >"$om"

if ! prom_start "$WORK/prom" "$om"; then
	echo "not ok - a real Prometheus starts with the pattern loaded"
	exit 0
fi
trap 'prom_stop; rm -rf "$WORK"' EXIT INT TERM

canary() { # ENDPOINT CANARY BASELINE
	cat <<EOF
    { "endpoint": "$1", "deployment": "$2", "baseline": "$3", "source": "prom", "window": "60s",
      "judge": "compare", "min_samples": 3, "failure_limit": 3, "on_failure": "rollback",
      "queries": {
        "groundedness": "avg by (class) (avg_over_time(rubric_groundedness{deployment=\"{{deployment}}\"}[{{window}}]))",
        "n": "max by (class) (max_over_time(rubric_samples{deployment=\"{{deployment}}\"}[{{window}}]))",
        "sd": "max by (class) (max_over_time(rubric_sd{deployment=\"{{deployment}}\"}[{{window}}]))"
      },
      "thresholds": [
        { "class": "multi_hop", "metric": "groundedness", "min": 2.85 },
        { "class": "factual", "metric": "groundedness", "min": 2.9 }
      ] }
EOF
}

cat >"$WORK/live.json" <<EOF
{
  "sources": { "prom": { "type": "prometheus", "url": "$PROM_URL", "refresh": "30s", "timeout": "5s" } },
  "endpoints": [ { "name": "chat" }, { "name": "chat2" }, { "name": "chat3" } ],
  "canaries": [
$(canary chat d-2 d-1),
$(canary chat2 d-4 d-3),
$(canary chat3 d-6 d-5)
  ]
}
EOF

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.000Z; }
"$CMDR" status --json -c "$WORK/live.json" -i "$WORK/none" --at "$(iso $((T0 + 180)))" \
	>"$WORK/status.json" 2>"$WORK/status.err"
rc=$?

regressed() {
	[ $rc = 0 ] || { fail "status exited $rc: $(cat "$WORK/status.err")"; return 1; }
	c='.canaries[0]'
	jq_is "judge" "$c.judge" compare &&
	jq_is "baseline" "$c.baseline" d-1 &&
	jq_is "verdict" "$c.verdict" rollback &&
	jq_is "the first window fails" "$c.windows[0].verdict" fail &&
	jq_is "on multi_hop groundedness" "$c.windows[0] | [.class, .metric, .metric_verdict] | join(\" \")" \
		"multi_hop groundedness fail" &&
	jq_is "canary side" "$c.windows[0].canary | [.mean, .n] | map(tostring) | join(\" \")" "2.6 10" &&
	jq_is "baseline side" "$c.windows[0].baseline | [.deployment, .mean, .n] | map(tostring) | join(\" \")" \
		"d-1 2.95 90" &&
	jq_is "difference" "$c.windows[0].diff" -0.35 &&
	jq_is "the interval excludes 0" "$c.windows[0].interval[1] < 0" true &&
	jq_is "factual: no difference shown" "$c.windows[0].compare[1].rule" "no difference shown" &&
	jq_is "read without error" "$c.data.error" null
}
ok "prometheus: a canary 0.35 below its baseline (sd 0.1) fails its first window" regressed

bad_hour() {
	c='.canaries[1]'
	jq_is "verdict" "$c.verdict" watching &&
	jq_is "windows pass against d-3" "[$c.windows[].verdict] | join(\" \")" "pass pass pass" &&
	jq_is "the threshold rule beside would roll back" "$c.beside_verdict" rollback &&
	jq_is "at the third window" "$c.beside_at" "$(iso $((T0 + 180)))"
}
ok "prometheus: a bad hour for both: compare keeps watching, the threshold rule beside would roll back" bad_hour

no_baseline_data() {
	c='.canaries[2]'
	jq_is "verdict" "$c.verdict" watching &&
	jq_is "windows inconclusive" "[$c.windows[].verdict] | join(\" \")" \
		"inconclusive inconclusive inconclusive" &&
	jq_is "nodata, and why" "$c.windows[0] | [.metric_verdict, .rule] | join(\": \")" \
		"nodata: the baseline d-5 gave no sample in this window"
}
ok "prometheus: a baseline with no series makes every window inconclusive, never a pass" no_baseline_data

# No baseline named and none known (the endpoints have no target): the
# window is inconclusive and the canary's data says why.
no_baseline_known() {
	jq 'del(.canaries[0].baseline)' "$WORK/live.json" >"$WORK/nobase.json"
	"$CMDR" status --json -c "$WORK/nobase.json" -i "$WORK/none" --at "$(iso $((T0 + 180)))" \
		>"$WORK/s2.json" 2>"$WORK/err"
	expect_eq "exit status and stderr, as for any read that failed" "$?: $(cat "$WORK/err")" \
		'3: cmdr status: source prom: no baseline: the endpoint has no other deployment with traffic; name one as "baseline"' &&
	expect_eq verdicts "$(jq -r '[.canaries[0].windows[].verdict] | join(" ")' "$WORK/s2.json")" \
		"inconclusive inconclusive inconclusive" &&
	expect_eq error "$(jq -r '.canaries[0].data.error' "$WORK/s2.json")" \
		'source prom: no baseline: the endpoint has no other deployment with traffic; name one as "baseline"'
}
ok "prometheus: no baseline known: inconclusive, and the canary's data says why" no_baseline_known

# config check --online reads a compare canary's named baseline too, with
# the same queries; a threshold canary asks nothing more (a baseline named
# on it is not read); a baseline the console would refuse to put in a
# query is refused here as well. The pattern is in January: nothing
# matches now, which is said, and is no failure.
check_online_baseline() {
	jq '.canaries[1].judge = "threshold" | .canaries[2].baseline = "d-5\"}"' "$WORK/live.json" >"$WORK/online.json"
	"$CMDR" config check "$WORK/online.json" --online >"$WORK/check.out" 2>&1
	rc=$?
	out=$(sed "s|^$WORK/online.json: ||" "$WORK/check.out" | sort)
	expect_eq "exit status" $rc 3 &&
	expect_eq "chat: canary and baseline, each query" "$(echo "$out" | grep -c '^canary chat [a-z]*: no data now')" 3 &&
	expect_eq "chat: the baseline's reads" \
		"$(echo "$out" | grep '^canary chat .*baseline' | cut -d: -f1 | tr '\n' ,)" \
		"canary chat groundedness (the baseline's read),canary chat n (the baseline's read),canary chat sd (the baseline's read)," &&
	expect_eq "chat: no data now" "$(echo "$out" | grep -c "^canary chat .*(the baseline's read): no data now")" 3 &&
	expect_eq "chat2, threshold: its own reads only" "$(echo "$out" | grep -c '^canary chat2 ')" 3 &&
	expect_eq "chat3: the unsafe baseline, refused per query" \
		"$(echo "$out" | grep -c "^canary chat3 [a-z]* (the baseline's read): source prom: deployment name not safe to put in a query: only letters, digits and ._:- are$")" 3 &&
	expect_eq "chat3: its own reads ran" "$(echo "$out" | grep -c '^canary chat3 [a-z]*: no data now')" 3 || {
		fail "output: $(cat "$WORK/check.out")"
		return 1
	}
}
ok "prometheus: config check --online runs a compare canary's queries for its named baseline too" check_online_baseline

# A baseline whose name cannot go into a query: the canary is read, the
# baseline is not, and every window is inconclusive, never a pass.
unsafe_baseline() {
	"$CMDR" status --json -c "$WORK/online.json" -i "$WORK/none" --at "$(iso $((T0 + 180)))" \
		>"$WORK/s3.json" 2>"$WORK/err"
	expect_eq "exit status and stderr" "$?: $(cat "$WORK/err")" \
		"3: cmdr status: source prom: the baseline's name is not safe to put in a query: only letters, digits and ._:- are" &&
	expect_eq verdicts "$(jq -r '[.canaries[2].windows[].verdict] | join(" ")' "$WORK/s3.json")" \
		"inconclusive inconclusive inconclusive"
}
ok "prometheus: a baseline name not safe in a query: inconclusive windows, one line why" unsafe_baseline

ok "no sanitizer reports" sanitizer_clean
