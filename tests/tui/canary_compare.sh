#!/bin/sh
# The CANARY pane of a compare canary in a real terminal: per window the
# metric that decided against the baseline (both means, the difference,
# the canary's n), the threshold rule beside it, and the latest window's
# deciding metric in full.
. "$(dirname "$0")/../lib.sh"

friday_compare_pane() {
	dir=$(newdir)
	term_start 120 40 "$CMDR" drill "$DRILLS/friday-1714-compare.json" --speed 1024 -i "$dir"
	term_wait "ROLLBACK issued by policy at 17:13:32: verified" 20 || return 1
	term_wait "CANARY d-1428 support-assistant-prod 0%  rollback  vs d-1427" 1 &&
	term_wait "window         class      metric               canary  base  diff    n verdict threshold rule" 1 &&
	term_wait "17:11:32-12:32 multi_hop  groundedness          2.78  2.95 -0.17    4 pass    fail 1/3" 1 &&
	term_wait "17:12:32-13:32 multi_hop  groundedness          2.74  2.95 -0.21   11 FAIL    fail 2/3" 1 &&
	term_wait "multi_hop groundedness 2.74 (n=11) vs d-1427 2.95 (n=99): -0.21 [-0.39, -0.04], below the baseline" 1
	rc=$?
	term_keys q
	term_wait "[exited]" 5
	return $rc
}
ok "friday-1714-compare: the pane shows each window against d-1427, the rule beside, the verdict's metric" \
	friday_compare_pane

bad_hour_pane() {
	dir=$(newdir)
	term_start 80 24 "$CMDR" drill "$DRILLS/bad-hour.json" --speed 1024 -i "$dir"
	# At its end the drill opens its scorecard; any key closes it.
	term_wait "Drill scorecard" 30 || return 1
	term_keys Escape
	term_wait "next: a metric shown below the baseline (alpha 0.01)" 5 &&
	term_wait "14:19:00-20:00 ambiguous  refusal_rate  0.89  0.89 -0.00   67 pass    fail 15" 1 &&
	term_wait "CANARY d-2210 support-assistant-prod 10%  watching  vs d-2209" 1 &&
	term_wait "ambiguous refusal_rate 0.89 (n=67) vs d-2209 0.89 (n=478): -0.00 [-0.02, +0.0" 1 || return 1
	# Nothing wider than the terminal, nothing drawn over another pane.
	term_screen | python3 -c 'import sys; sys.exit(any(len(l.rstrip("\n")) > 80 for l in sys.stdin))' ||
		{ fail "a line wider than 80 columns"; return 1; }
	term_screen | grep -q "FAIL" && { fail "a window FAILs in the bad hour"; return 1; }
	term_keys q
	term_wait "[exited]" 5
}
ok "bad-hour at 80x24: the canary keeps passing against d-2209 while the rule beside fails" bad_hour_pane

ok "no sanitizer reports" sanitizer_clean
