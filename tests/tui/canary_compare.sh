#!/bin/sh
# The CANARY pane of a compare canary in a real terminal: the judge and its
# baseline in the title, per window the metric that decided against the
# baseline (both means, the difference, the canary's n) and the threshold
# rule's verdict beside it, the latest window's deciding metric in full,
# and what the threshold rule beside would have done, and when.
. "$(dirname "$0")/../lib.sh"

# At its end a drill opens its scorecard; Escape closes it.
drill_to_end() {
	term_wait "Drill scorecard" 30 || return 1
	term_keys Escape
}

# Nothing wider than the terminal; the pane between SLO BURN and
# ENDPOINTS, its next step on the row above ENDPOINTS' title.
fits_80x24() {
	term_screen >"$WORK/screen"
	python3 -c 'import sys; sys.exit(any(len(l.rstrip("\n")) > 80 for l in open(sys.argv[1])))' "$WORK/screen" ||
		{ fail "a line wider than 80 columns"; return 1; }
	expect_eq "pane titles at" "$(grep -no '^ \(SLO BURN\|CANARY\|ENDPOINTS\|RUNBOOKS\) ' "$WORK/screen" | tr -d ' ' | tr '\n' ' ')" \
		"1:SLOBURN 8:CANARY 15:ENDPOINTS 20:RUNBOOKS " &&
	expect_eq "next step above ENDPOINTS" "$(sed -n 14p "$WORK/screen" | cut -c1-6)" "$1"
}

friday_compare_pane() {
	dir=$(newdir)
	term_start 120 40 "$CMDR" drill "$DRILLS/friday-1714-compare.json" --speed 1024 -i "$dir"
	drill_to_end || return 1
	term_wait "ROLLBACK issued by policy at 17:13:32: verified" 5 &&
	term_wait "CANARY d-1428 support-assistant-prod 0%  rollback  compare vs d-1427" 1 &&
	term_wait "window         class      metric               canary  base  diff    n verdict threshold rule" 1 &&
	term_wait "17:11:32-12:32 multi_hop  groundedness          2.78  2.95 -0.17    4 pass    fail 1/3" 1 &&
	term_wait "17:12:32-13:32 multi_hop  groundedness          2.74  2.95 -0.21   11 FAIL    fail 2/3" 1 &&
	term_wait "multi_hop groundedness 2.74 (n=11) vs d-1427 2.95 (n=99): -0.21 [-0.39, -0.04], below the baseline" 1 &&
	# The rest of the line on the next row, then the rule beside.
	term_screen | grep -A1 "below the baseline (LR 4.98e+04 >= ↩" | grep -q "^ 900)$" ||
		{ fail "the explanation's second row"; term_screen | sed 's/^/#   | /'; return 1; }
	term_wait "threshold rule beside: 2/3 failed, no verdict" 1
	rc=$?
	term_keys q
	term_wait "[exited]" 5
	return $rc
}
ok "friday-1714-compare: the judge and d-1427 in the title, each window against it, the rule beside, the verdict's metric" \
	friday_compare_pane

# At 80x24 with --ascii: the metric column narrows, the rule's column is
# "beside", the explanation takes two rows (the wrap marked in ASCII), and
# the rule's count stays in the strip; nothing overlaps.
friday_compare_narrow() {
	dir=$(newdir)
	term_start 80 24 "$CMDR" --ascii drill "$DRILLS/friday-1714-compare.json" --speed 1024 -i "$dir"
	drill_to_end || return 1
	term_wait "ROLLBACK issued by policy at 17:13:32: verified" 5 &&
	term_wait "CANARY d-1428 support-assistant-prod 0%  rollback  compare vs d-1427" 1 &&
	term_wait "window         class      metric       canary  base  diff    n verdict beside" 1 &&
	term_wait "17:12:32-13:32 multi_hop  groundedness  2.74  2.95 -0.21   11 FAIL    fail 2/3" 1 &&
	term_wait "multi_hop groundedness 2.74 (n=11) vs d-1427 2.95 (n=99): -0.21 [-0.39, \\" 1 &&
	term_wait " -0.04], below the baseline (LR 4.98e+04 >= 900)" 1 &&
	fits_80x24 " ROLLB" || return 1
	LC_ALL=C grep -q '[^ -~]' "$WORK/screen" && { fail "a character beyond ASCII with --ascii"; return 1; }
	term_keys q
	term_wait "[exited]" 5
}
ok "friday-1714-compare at 80x24, --ascii: the explanation wraps in the pane, nothing overlaps" friday_compare_narrow

bad_hour_pane() {
	dir=$(newdir)
	term_start 80 24 "$CMDR" drill "$DRILLS/bad-hour.json" --speed 1024 -i "$dir"
	drill_to_end || return 1
	term_wait "next: a metric shown below the baseline (alpha 0.01)" 5 &&
	term_wait "14:19:00-20:00 ambiguous  refusal_rate  0.89  0.89 -0.00   67 pass    fail 15" 1 &&
	term_wait "CANARY d-2210 support-assistant-prod 10%  watching  compare vs d-2209" 1 &&
	term_wait "ambiguous refusal_rate 0.89 (n=67) vs d-2209 0.89 (n=478): -0.00 [-0.02, +0.0" 1 &&
	term_wait "threshold rule beside: would have rolled back at 14:08:00 (15 failed, limit 3)" 1 &&
	fits_80x24 " next:" || return 1
	grep -q "FAIL" "$WORK/screen" && { fail "a window FAILs in the bad hour"; return 1; }
	term_keys q
	term_wait "[exited]" 5
}
ok "bad-hour at 80x24: the canary keeps passing against d-2209; the rule beside would have rolled back at 14:08" bad_hour_pane

# A page policy keeps the canary in traffic: the rule beside reaches its
# verdict a window after the judge's page.
page_pane() {
	jq '.canaries[0].on_failure = "page"' "$DRILLS/friday-1714-compare.json" >"$WORK/page.json" || return 1
	dir=$(newdir)
	term_start 120 40 "$CMDR" drill "$WORK/page.json" --speed 1024 -i "$dir"
	drill_to_end || return 1
	term_wait "PAGE: a metric below the baseline; policy is page only" 5 &&
	term_wait "CANARY d-1428 support-assistant-prod 10%  page  compare vs d-1427" 1 &&
	term_wait "threshold rule beside: would have paged at 17:14:03 (3/3 failed)" 1
	rc=$?
	term_keys q
	term_wait "[exited]" 5
	return $rc
}
ok "friday-1714-compare, page policy: the rule beside would have paged at 17:14:03" page_pane

ok "no sanitizer reports" sanitizer_clean
