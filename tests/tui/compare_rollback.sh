#!/bin/sh
# The compare judge acting live: a real Prometheus holds a canary d-1428
# whose multi_hop groundedness (2.50, sd 0.1, 10 samples a window) is well
# below its baseline's (2.95, 90 samples), around now; a real HAProxy
# sends d-1427 90% and d-1428 10%. Neither is named in the config: the
# target says which is the canary, and the baseline is the other with the
# most traffic. The console's policy rolls chat back through HAProxy, and
# the journal says why, against which baseline.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/prom.sh"
. "$TESTS_DIR/haproxy.sh"

now=$(date +%s)
awk -v from=$((now - 1200)) -v to=$((now + 1200)) 'BEGIN {
	split("rubric_groundedness rubric_samples rubric_sd", name, " ")
	split("2.5 10 0.1", canary, " ")
	split("2.95 90 0.1", base, " ")
	for (m = 1; m <= 3; m++) {
		print "# TYPE " name[m] " gauge"
		for (t = from; t <= to; t++) {
			printf "%s{deployment=\"d-1428\",class=\"multi_hop\"} %s %d\n", name[m], canary[m], t
			printf "%s{deployment=\"d-1427\",class=\"multi_hop\"} %s %d\n", name[m], base[m], t
		}
	}
	print "# EOF"
}' >"$WORK/compare.om"

hx_prom_start "$WORK/compare.om"

# config [EXTRA-CANARY-KEYS]
config() {
	cat <<EOF
{
  "sources": { "prom": { "type": "prometheus", "url": "$PROM_URL", "refresh": "2s", "timeout": "5s" } },
  "endpoints": [ { "name": "chat", "target": { "type": "haproxy", "socket": "$WORK/admin.sock",
    "backend": "be_chat", "servers": { "d-1427": "stable", "d-1428": "canary" } } } ],
  "canaries": [
    { "endpoint": "chat", "source": "prom", "window": "3s", "lag": "1s", "judge": "compare", $1
      "min_samples": 3, "failure_limit": 2, "on_failure": "rollback",
      "queries": {
        "groundedness": "avg by (class) (avg_over_time(rubric_groundedness{deployment=\"{{deployment}}\"}[{{window}}]))",
        "n": "max by (class) (max_over_time(rubric_samples{deployment=\"{{deployment}}\"}[{{window}}]))",
        "sd": "max by (class) (max_over_time(rubric_sd{deployment=\"{{deployment}}\"}[{{window}}]))"
      },
      "thresholds": [ { "class": "multi_hop", "metric": "groundedness" } ] }
  ]
}
EOF
}

policy_rolls_back() {
	config >"$WORK/live.json"
	dir=$(newdir)
	term_start 100 30 "$CMDR" -c "$WORK/live.json" -i "$dir" --as bob
	journal_wait "$dir" 'any(.[]; .action == "rollback" and .outcome == "verified")' 20 || {
		term_screen | sed 's/^/#   | /'
		return 1
	}
	expect_eq "weights in HAProxy" "$(hx_weights)" "stable=100 canary=0" &&
	jq_is_journal() { expect_eq "$1" "$(jq -s -r "$2" "$dir/journal.jsonl")" "$3"; } &&
	jq_is_journal "by the policy, once" '[.[] | select(.action == "rollback") | .role + " " + .outcome] | join(", ")' \
		"policy intent, policy verified" &&
	jq_is_journal "to the baseline found by traffic" '.[] | select(.action == "rollback" and .outcome == "intent") | .params.traffic' \
		"d-1427=100 d-1428=0" &&
	jq_is_journal "the reason: the compare judge's finding against d-1427" \
		'.[] | select(.action == "rollback" and .outcome == "intent") | .reason | sub(": -0.45 .*\\(compare"; " ... (compare")' \
		"canary gate on d-1428: multi_hop groundedness 2.50 (n=10) vs d-1427 2.95 (n=90) ... (compare: sequential test, alpha 0.01)" &&
	jq_is_journal "the evidence's baseline" \
		'.[] | select(.action == "rollback" and .outcome == "intent") | .params.evidence.canary[0].windows[-1].baseline.deployment' d-1427 ||
		{ jq -c . "$dir/journal.jsonl" | sed 's/^/#   /'; return 1; }
	term_keys q
	term_wait "[exited]" 5
}
ok "live compare judge: a canary below the baseline found by traffic is rolled back through HAProxy by the policy" policy_rolls_back

# A named baseline that the target calls the canary (d-1428 takes the
# canary's 10%): held against itself it could never fail, so every window
# is inconclusive and the canary's data says why.
baseline_is_canary() {
	hx_reset
	config '"baseline": "d-1428",' >"$WORK/self.json"
	"$CMDR" status --json -c "$WORK/self.json" -i "$(newdir)" >"$WORK/status.json" 2>"$WORK/status.err"
	rc=$?
	expect_eq "exit and stderr" "$rc: $(cat "$WORK/status.err")" \
		'3: cmdr status: source prom: the baseline is the canary itself; name another as "baseline"' &&
	jq_is "the canary" '.canaries[0].deployment' d-1428 &&
	jq_is "windows inconclusive, none passed" \
		'[.canaries[0].windows[].verdict] | unique | join(" ")' inconclusive &&
	jq_is "the verdict" '.canaries[0].verdict' watching
}
ok "live compare judge: a named baseline the target calls the canary gives inconclusive windows, never a pass" baseline_is_canary

ok "no sanitizer reports" sanitizer_clean
