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
