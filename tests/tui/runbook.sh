#!/bin/sh
# The runbook pane: ticks are journaled, shared and survive a restart.
. "$(dirname "$0")/../lib.sh"

ticks_survive_restart() {
	dir=$(newdir)
	cd "$TOP" || return 1
	term_start 80 24 "$CMDR" drill "$DRILLS/friday-1714.json" --as alice -i "$dir"
	term_wait "DRILL alice" 5 || return 1
	# At the first failed canary window the suggested runbook leads the list.
	drill_jump_until "FAIL 1/3" || return 1
	term_keys Tab
	term_wait "*canary-regression" 5 || return 1
	term_keys Enter
	term_wait "RUNBOOK canary-regression  0/" 5 || return 1
	term_keys ' ' ' '
	term_wait "RUNBOOK canary-regression  2/" 5 || return 1
	first=$(term_screen | grep -m1 '\[x\]' | sed 's/^ *//')
	term_keys q
	term_wait "[exited]" 5 || return 1
	expect_eq journal "$(jq -c 'select(.action == "tick") | [.actor.as, .target, .outcome]' "$dir/journal.jsonl" | tr '\n' ' ')" \
		'["alice","runbook:canary-regression","ticked"] ["alice","runbook:canary-regression","ticked"] ' || return 1
	# Another console on the same incident, later: the same progress,
	# names and times.
	term_start 80 24 "$CMDR" --as bob -i "$dir"
	term_wait "LIVE bob" 5 || return 1
	term_keys Tab Enter
	term_wait "RUNBOOK canary-regression  2/" 5 || return 1
	expect_eq "first ticked step" "$(term_screen | grep -m1 '\[x\]' | sed 's/^ *//')" "$first" &&
	term_screen | grep -q "alice 17:12:32"
}
ok "ticks are journaled, and a console opened later shows the same progress, names and times" ticks_survive_restart

# The suggestion is shown whole (two rows when one cannot hold it), and a
# step's long text and code wrap at spaces with a mark on each wrapped row.
shown_whole() {
	dir=$(newdir)
	cd "$TOP" || return 1
	term_start 200 50 "$CMDR" drill "$DRILLS/friday-1714.json" --as alice -i "$dir"
	term_wait "DRILL alice" 5 || return 1
	drill_jump_until "FAIL 1/3" || return 1
	term_wait "suggested: canary-regression" 5 || return 1
	# The reason is in parentheses: whole when the closing one is there.
	joined=$(term_screen | cut -c101-200 | grep -A1 "suggested:" | sed 's/ *$//' | tr -d '\n')
	case $joined in
	*")") ;;
	*) fail "suggestion cut: $joined"; return 1 ;;
	esac
}
ok "the suggested runbook's reason is shown whole at 200 columns" shown_whole

# A step's long text wraps at spaces, each wrapped row marked; c copies the
# code exactly as written.
step_wraps_at_spaces() {
	mkdir -p "$WORK/rb"
	printf -- '---\ntitle: Wrap\n---\n\n## Steps\n\n- [ ] Check the canary groundedness on every eval class before deciding whether the rollback is needed now\n' >"$WORK/rb/wrap.md"
	echo "{\"runbook_dirs\": [\"$WORK/rb\"]}" >"$WORK/rb.json"
	term_start 80 24 "$CMDR" -c "$WORK/rb.json" -i "$(newdir)"
	term_wait "wrap" 5 || return 1
	term_keys Tab Enter
	term_wait "RUNBOOK wrap" 5 || return 1
	term_keys Enter
	term_wait "Runbook step" 5 || return 1
	term_screen >"$WORK/screen"
	# The first row ends at a word's end, then the mark.
	grep -q "before ↩\|before deciding ↩\|every eval class ↩\|eval class before ↩" "$WORK/screen" &&
	grep -q "rollback is needed now" "$WORK/screen" || { sed 's/^/#   | /' "$WORK/screen"; return 1; }
}
ok "a runbook step's long text wraps at spaces with a mark on each wrapped row" step_wraps_at_spaces

untick_needs_reason() {
	dir=$(newdir)
	cd "$TOP" || return 1
	term_start 80 24 "$CMDR" drill "$DRILLS/friday-1714.json" --as alice -i "$dir"
	term_wait "DRILL alice" 5 || return 1
	drill_jump_until "FAIL 1/3" || return 1
	term_keys Tab Enter ' ' k ' '
	term_wait "Untick a runbook step" 5 || return 1
	term_keys Enter
	term_wait "a reason is required" 5 || return 1
	term_keys "ticked the wrong step" Enter
	term_wait "RUNBOOK canary-regression  0/" 5 &&
	expect_eq journal "$(jq -c 'select(.action == "tick" or .action == "untick") | [.action, .reason]' "$dir/journal.jsonl" | tr '\n' ' ')" \
		'["tick",null] ["untick","ticked the wrong step"] '
}
ok "unticking a step asks why, and the reason is journaled" untick_needs_reason

observer_cannot_tick() {
	dir=$(newdir)
	cd "$TOP" || return 1
	term_start 80 24 "$CMDR" drill "$DRILLS/friday-1714.json" --role observer -i "$dir"
	term_wait "DRILL" 5 || return 1
	drill_jump_until "FAIL 1/3" || return 1
	term_keys Tab Enter ' '
	term_wait "tick refused: observers cannot change anything" 5 &&
	expect_eq journal "$(jq -c 'select(.action == "tick") | .outcome' "$dir/journal.jsonl")" '"refused"'
}
ok "an observer reads the runbook but cannot tick" observer_cannot_tick

ok "no sanitizer reports" sanitizer_clean
