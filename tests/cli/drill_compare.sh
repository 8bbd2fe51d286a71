#!/bin/sh
# The compare canary judge in drills (drills/friday-1714-compare.json,
# drills/bad-hour.json), its scenario keys, and cmdr canary simulate.
. "$(dirname "$0")/../lib.sh"

compare_rolls_back_a_window_sooner() {
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/friday-1714-compare.json" --headless --until 17:15:00 -i "$dir" >"$WORK/s.json" || return 1
	expect_eq traffic "$(jq -r '.endpoints[0].deployments | map("\(.name)=\(.traffic)") | join(" ")' "$WORK/s.json")" \
		"d-1427=100 d-1428=0" &&
	expect_eq verdict "$(jq -r '.canaries[0].verdict' "$WORK/s.json")" rollback &&
	expect_eq "rollback lines" \
		"$(jq -c 'select(.action == "rollback") | [.actor.user, .time, .outcome]' "$dir/journal.jsonl" | tr '\n' ' ')" \
		'["policy","2024-09-13T17:13:32.000Z","intent"] ["policy","2024-09-13T17:13:35.000Z","verified"] ' &&
	expect_eq reason "$(jq -r 'select(.action == "rollback" and .outcome == "intent") | .reason' "$dir/journal.jsonl")" \
		"canary gate on d-1428: multi_hop groundedness 2.74 (n=11) vs d-1427 2.95 (n=99): -0.21 [-0.39, -0.04], below the baseline (LR 4.98e+04 >= 900) (compare: sequential test, alpha 0.01)"
}
ok "friday-1714-compare: the compare judge rolls back at 17:13:32, a window before the threshold rule" \
	compare_rolls_back_a_window_sooner

bad_hour_keeps_the_canary() {
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/bad-hour.json" --headless -i "$dir" >"$WORK/s.json" || return 1
	expect_eq verdict "$(jq -r '.canaries[0].verdict' "$WORK/s.json")" watching &&
	expect_eq traffic "$(jq -r '.endpoints[0].deployments | map("\(.name)=\(.traffic)") | join(" ")' "$WORK/s.json")" \
		"d-2209=90 d-2210=10" &&
	expect_eq rollbacks "$(jq -c 'select(.action == "rollback")' "$dir/journal.jsonl" | wc -l | tr -d ' ')" 0 &&
	expect_eq windows "$(jq -r '.canaries[0].windows | map(.verdict) | unique | join(" ")' "$WORK/s.json")" pass
}
ok "bad-hour: both sides low, the compare judge keeps the healthy canary (no rollback)" bad_hour_keeps_the_canary

# cmdr status --json explains a compare canary: the judge, its baseline and
# bound, per window every metric against the baseline, and what the
# threshold rule beside it would have done, and when.
status_explains() {
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/bad-hour.json" --headless -i "$dir" >"$WORK/s.json" || return 1
	expect_eq canary "$(jq -c '.canaries[0] | [.judge, .baseline, .alpha, .beside_verdict, .beside_at]' "$WORK/s.json")" \
		'["compare","d-2209",0.01,"rollback","2024-10-02T14:08:00.000Z"]' &&
	expect_eq "window at 14:08" \
		"$(jq -c '.canaries[0].windows[5] | [.end, .verdict, .beside.verdict, .beside.consecutive_failures, (.beside.checks | length), (.compare | length)]' "$WORK/s.json")" \
		'["2024-10-02T14:08:00.000Z","pass","fail",3,9,9]' &&
	expect_eq "multi_hop groundedness at 14:08" \
		"$(jq -c '.canaries[0].windows[5].compare[6] | [.class, .metric, .metric_verdict, .baseline.deployment, .rule, (.interval | length), .bar, (.lr < .bar), (.explanation | startswith("multi_hop groundedness "))]' "$WORK/s.json")" \
		'["multi_hop","groundedness","pass","d-2209","no difference shown",2,900,true,true]'
}
ok "status --json: judge, baseline, each metric against it per window, the threshold rule beside" status_explains

journal_evidence_explains() {
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/friday-1714-compare.json" --headless --until 17:15:00 -i "$dir" >/dev/null || return 1
	expect_eq evidence \
		"$(jq -c 'select(.action == "rollback" and .outcome == "intent") | .params.evidence.canary[0] | [.judge, .baseline, .alpha, .verdict, (.windows[-1] | [.class, .metric, .metric_verdict, .canary, .baseline, .diff, .interval, .bar, .rule, .verdict, .beside])]' "$dir/journal.jsonl")" \
		'["compare","d-1427",0.01,"rollback",["multi_hop","groundedness","fail",{"mean":2.7355,"n":11},{"deployment":"d-1427","mean":2.9485,"n":99},-0.2131,[-0.3874,-0.0388],900,"below the baseline","fail",{"verdict":"fail","consecutive_failures":2}]]' &&
	expect_eq "lr against the bar" \
		"$(jq -c 'select(.action == "rollback" and .outcome == "intent") | .params.evidence.canary[0].windows[-1] | [.lr > .bar, (.explanation | endswith("(LR 4.98e+04 >= 900)"))]' "$dir/journal.jsonl")" \
		'[true,true]'
}
ok "the rollback's journal evidence: the deciding metric against d-1427, its interval and rule" journal_evidence_explains

# friday-1714-compare.json with the jq FILTER applied, run headless to
# UNTIL: its status in $WORK/s.json.
variant_status() {
	jq "$1" "$DRILLS/friday-1714-compare.json" >"$WORK/x.json" &&
		"$CMDR" drill "$WORK/x.json" --headless --until "$2" -i "$(newdir)" >"$WORK/s.json"
}

# A window the baseline gave nothing for: inconclusive, says why, never a pass.
baseline_missing_inconclusive() {
	variant_status '.canaries[0].windows[0].baseline = []' 17:13:00 || return 1
	expect_eq window "$(jq -c '.canaries[0].windows[0] | [.verdict, .metric_verdict, .rule]' "$WORK/s.json")" \
		'["inconclusive","nodata","the baseline d-1427 gave no sample in this window"]'
}
ok "a window the baseline had no sample in is inconclusive and says why" baseline_missing_inconclusive

# friday-1714-compare's status: every window holds all nine metrics against
# d-1427; the deciding one is the judge's, never a threshold check; the
# threshold rule's count and checks are under "beside" (2 of 3 when the
# judge rolled back, so it gave no verdict), not beside the judge's.
status_friday() {
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/friday-1714-compare.json" --headless --until 17:15:00 -i "$dir" >"$WORK/s.json" || return 1
	expect_eq canary \
		"$(jq -c '.canaries[0] | [.judge, .baseline, .alpha, .beside_verdict, .beside_at, .beside_consecutive_failures, has("consecutive_failures")]' "$WORK/s.json")" \
		'["compare","d-1427",0.01,"watching",null,2,false]' &&
	expect_eq windows \
		"$(jq -c '[.canaries[0].windows[] | [.end, .class, .metric, .metric_verdict, .verdict, .beside.verdict, .beside.consecutive_failures, has("value"), has("checks"), (.compare | length)]]' "$WORK/s.json")" \
		'[["2024-09-13T17:12:32.000Z","multi_hop","groundedness","pass","pass","fail",1,false,false,9],["2024-09-13T17:13:32.000Z","multi_hop","groundedness","fail","fail","fail",2,false,false,9]]' &&
	expect_eq "every metric at 17:13:32" \
		"$(jq -r '.canaries[0].windows[1].compare[] | "\(.class) \(.metric) \(.metric_verdict) \(.seen) \(.canary.n)/\(.baseline.n) \(.rule)"' "$WORK/s.json")" \
		"factual groundedness pass true 23/207 no difference shown
factual citation_correctness pass true 23/207 no difference shown
procedural groundedness pass true 14/126 no difference shown
procedural citation_correctness pass true 14/126 no difference shown
edge groundedness thin true 2/18 2 canary samples so far, fewer than min_samples 3
edge citation_correctness thin true 2/18 2 canary samples so far, fewer than min_samples 3
multi_hop groundedness fail true 11/99 below the baseline
multi_hop citation_correctness pass true 11/99 no difference shown
ambiguous refusal_rate thin true 2/18 2 canary samples so far, fewer than min_samples 3" &&
	# The interval excludes 0 exactly when LR reaches the bar.
	expect_eq "interval and LR agree" \
		"$(jq -c '[.canaries[0].windows[].compare[] | select(.lr != null) | ((.interval[1] < 0 or .interval[0] > 0) == (.lr >= .bar))] | unique' "$WORK/s.json")" \
		'[true]'
}
ok "status --json of friday-1714-compare: nine metrics a window, the judge's deciding one, the rule beside apart" status_friday

# The threshold rule beside reaches its verdict at 17:14:03, the window
# after the judge's (17:13:32); with a page policy the canary keeps its
# traffic, so that window is judged too.
beside_at_1714() {
	variant_status '.canaries[0].on_failure = "page"' 17:15:00 || return 1
	expect_eq canary \
		"$(jq -c '.canaries[0] | [.verdict, .windows[1].end, .beside_verdict, .beside_at, .beside_consecutive_failures]' "$WORK/s.json")" \
		'["page","2024-09-13T17:13:32.000Z","page","2024-09-13T17:14:03.000Z",3]'
}
ok "friday-1714-compare, page policy: the threshold rule beside would have acted at 17:14:03" beside_at_1714

# An empty read of the canary (a source that errored or had nothing) is
# inconclusive and says so, in its first window and after earlier windows
# passed: never the pass of the evidence so far.
canary_empty_inconclusive() {
	variant_status '.canaries[0].windows[0].observations = []' 17:13:00 || return 1
	expect_eq "first window" "$(jq -c '.canaries[0].windows[0] | [.verdict, .metric_verdict, .seen, .rule, ([.compare[].metric_verdict] | unique)]' "$WORK/s.json")" \
		'["inconclusive","nodata",false,"no window with both canary and baseline samples yet",["nodata"]]' || return 1
	variant_status '.canaries[0].windows[1].observations = []' 17:14:00 || return 1
	expect_eq "second window" "$(jq -c '.canaries[0] | [.verdict, (.windows[1] | .verdict, .metric_verdict, .rule, ([.compare[] | .metric_verdict] | unique))]' "$WORK/s.json")" \
		'["watching","inconclusive","nodata","the canary gave no sample in this window",["nodata"]]' &&
	expect_eq "its line" "$(jq -r '.canaries[0].windows[1].explanation' "$WORK/s.json")" \
		"factual groundedness: the canary gave no sample in this window; so far 2.94 (n=8) vs d-1427 2.95 (n=72): -0.01 [-0.22, +0.20], no difference shown (LR 0.33 < 900)"
}
ok "an empty read of the canary is inconclusive, nodata and says why, never a pass" canary_empty_inconclusive

# The postmortem's evidence of a compare rollback: each window's deciding
# metric against the baseline, not a threshold's value and gate.
postmortem_compare() {
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/friday-1714-compare.json" --headless --until 17:15:00 -i "$dir" >/dev/null || return 1
	"$CMDR" export postmortem -i "$dir" >"$WORK/pm.md" || return 1
	expect_eq table "$(grep -A4 '^Canary d-1428' "$WORK/pm.md")" \
		"Canary d-1428, verdict rollback, compare judge against d-1427 (alpha 0.01):

| Window (UTC) | Class | Metric | Canary (n) | Baseline (n) | Difference [interval] | LR / bar | Rule | Verdict | Threshold rule |
|---|---|---|---|---|---|---|---|---|---|
| 17:11:32-17:12:32 | multi_hop | groundedness | 2.78 (4) | 2.95 (36) | -0.17 [-0.50, +0.15] | 3.85 / 900 | no difference shown | pass | fail, 1 in a row |" &&
	grep -qxF "| 17:12:32-17:13:32 | multi_hop | groundedness | 2.74 (11) | 2.95 (99) | -0.21 [-0.39, -0.04] | 4.98e+04 / 900 | below the baseline | fail | fail, 2 in a row |" "$WORK/pm.md" ||
		{ fail "no row for 17:13:32: $(grep -A6 '^Canary d-1428' "$WORK/pm.md")"; return 1; }
}
ok "export postmortem: a compare rollback's evidence is the comparison, not a threshold" postmortem_compare

# A one-canary scenario from friday-1714-compare.json with FILTER applied
# to the canary; prints the drill's stderr.
scenario_error() {
	jq ".canaries[0] |= ($1)" "$DRILLS/friday-1714-compare.json" >"$WORK/x.json" || return 1
	"$CMDR" drill "$WORK/x.json" --headless --until 17:03:00 -i "$(newdir)" >/dev/null 2>"$WORK/err"
	echo "rc=$?"
	cat "$WORK/err"
}

scenario_keys_checked() {
	out=$(scenario_error '.judge = "bogus"')
	case "$out" in *'rc=1'*'$.canaries[0].judge: expected "threshold" or "compare", got "bogus"'*) ;;
		*) fail "judge bogus: $out"; return 1 ;; esac
	out=$(scenario_error '.judge = "threshold" | del(.thresholds[3].min)')
	case "$out" in *'rc=1'*'$.canaries[0].thresholds[3]: expected "min" (the threshold judge needs one per metric), got none'*) ;;
		*) fail "no min: $out"; return 1 ;; esac
	out=$(scenario_error '.baseline = "d-9"')
	case "$out" in *'rc=1'*'$.canaries[0].baseline: expected a deployment of this endpoint'*) ;;
		*) fail "unknown baseline: $out"; return 1 ;; esac
	out=$(scenario_error '.baseline = "d-1428"')
	case "$out" in *'rc=1'*'$.canaries[0].baseline: expected a deployment other than the canary'*) ;;
		*) fail "baseline = canary: $out"; return 1 ;; esac
	out=$(scenario_error '.windows[0].baseline[0].sd = -1')
	case "$out" in *'rc=1'*'$.canaries[0].windows[0].baseline[0].sd: expected a number >= 0, got -1'*) ;;
		*) fail "negative sd: $out"; return 1 ;; esac
	out=$(scenario_error '.alpha = 0')
	case "$out" in *'rc=1'*'$.canaries[0].alpha: expected a number above 0, at most 0.5, got 0'*) ;;
		*) fail "alpha 0: $out"; return 1 ;; esac
	out=$(scenario_error '.windows[1].baseline[0].class = "factal"')
	case "$out" in *'rc=1'*'expected a class and metric named in thresholds, got class "factal"'*) ;;
		*) fail "misspelt baseline class: $out"; return 1 ;; esac
	# The compare judge needs no minimum.
	out=$(scenario_error '.thresholds |= map(del(.min))')
	case "$out" in 'rc=0') ;; *) fail "compare without minimums: $out"; return 1 ;; esac
}
ok "scenario: judge, baseline, alpha, sd and min are checked, one line each naming the path" scenario_keys_checked

simulate_prints_the_figures() {
	"$CMDR" canary simulate 300 >"$WORK/sim.txt" 2>"$WORK/err" || { fail "exit $?: $(cat "$WORK/err")"; return 1; }
	expect_eq "seed-sized regression, compare" \
		"$(grep -A2 '^regressed (seed 004)' "$WORK/sim.txt" | sed -n 2p | tr -s ' ')" " compare 100.00% 1 1" &&
	expect_eq "bad hour, threshold" "$(grep '^bad hour for everyone' "$WORK/sim.txt" | tr -s ' ')" \
		"bad hour for everyone threshold 100.00% 3 3" &&
	expect_eq goals "$(grep -c ': met$' "$WORK/sim.txt")" 3 &&
	# The same seed: the same figures.
	"$CMDR" canary simulate 300 | cmp -s - "$WORK/sim.txt" || fail "a second run printed other figures"
	"$CMDR" canary simulate 0 >/dev/null 2>"$WORK/err"
	expect_eq "RUNS 0" "$?:$(cat "$WORK/err")" \
		"2:cmdr canary simulate: RUNS is a whole number from 1 to 1000000, not '0'"
}
ok "cmdr canary simulate: figures from a fixed seed, goals judged, RUNS checked" simulate_prints_the_figures

ok "no sanitizer reports" sanitizer_clean
