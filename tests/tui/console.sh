#!/bin/sh
# The real binary in a real terminal (tmux): what an incident commander sees
# and the keys they press.
. "$(dirname "$0")/../lib.sh"

friday_policy_rollback_on_screen() {
	dir=$(newdir)
	term_start 80 24 "$CMDR" drill "$DRILLS/friday-1714.json" --speed 1024 -i "$dir"
	term_wait "ROLLBACK issued by policy at 17:14:03: verified" 20 &&
	term_wait "FAIL 3/3" 1 &&
	term_screen >"$WORK/screen" &&
	grep -q "17:11:32-12:32 multi_hop  groundedness          2.78 <   2.85    4  FAIL 1/3" "$WORK/screen" &&
	grep -q "17:12:32-13:32 multi_hop  groundedness          2.71 <   2.85    7  FAIL 2/3" "$WORK/screen" &&
	grep -q "17:13:32-14:03 multi_hop  groundedness          2.66 <   2.85   11  FAIL 3/3" "$WORK/screen" &&
	grep -q "d-1427 .* 100%  Succeeded   LKG" "$WORK/screen" &&
	grep -q "d-1428 .*   0%  Succeeded" "$WORK/screen" &&
	grep -q "| rollback d-1427 verified" "$WORK/screen" || { sed 's/^/#   | /' "$WORK/screen"; return 1; }
	term_keys q
	term_wait "[exited]" 5
}
ok "the friday-1714 drill at full speed shows three failed windows and the policy rollback" \
	friday_policy_rollback_on_screen

# At 80 columns the status line keeps what matters (severity, the update
# clock, the last action) and lets the directory and the hash go first.
status_line_priorities() {
	dir=$(newdir)
	term_start 80 24 "$CMDR" drill "$DRILLS/friday-1714.json" --speed 1024 --as priya-the-incident-commander -i "$dir"
	term_wait "DRILL" 5 || return 1
	term_keys : "declare SEV1 canary regression" Enter
	term_wait "ROLLBACK issued by policy at 17:14:03: verified" 20 || return 1
	line=$(term_screen | tail -1)
	case $line in
	*"| SEV1 "*"update in "*"m | rollback d-1427 verified"* | *"| SEV1 UPDATE"*"m | rollback d-1427 verified"*) ;;
	*) fail "status line: $line"; return 1 ;;
	esac
}
ok "at 80 columns the status line keeps the severity, update clock and last action whole" status_line_priorities

# At 200x50 SLO BURN takes the rows its SLOs need, not half the column:
# the canary's windows get the rest.
wide_layout_uses_the_rows() {
	dir=$(newdir)
	term_start 200 50 "$CMDR" drill "$DRILLS/friday-1714.json" -i "$dir"
	term_wait "CANARY" 5 || return 1
	row=$(term_screen | cut -c1-100 | grep -n "^ CANARY" | head -1 | cut -d: -f1)
	expect_eq "CANARY's title row (two SLOs: rows 1-6 are SLO BURN)" "$row" 7
}
ok "at 200x50 the SLO pane leaves no empty rows to the canary's loss" wide_layout_uses_the_rows

manual_rollback_with_reason() {
	dir=$(newdir)
	term_start 80 24 "$CMDR" drill "$DRILLS/refusal-spike.json" --speed 1 --as alice -i "$dir"
	term_wait "DRILL alice commander" 5 || return 1
	# Pause, then jump event by event until the canary takes traffic.
	drill_jump_until "d-2203 .* 10%" || return 1
	term_keys r
	term_wait "Roll back support-assistant-prod" 5 &&
	term_wait "(last known-good)" 1 &&
	term_wait "d-2140=90 d-2203=10" 1 &&
	term_wait "d-2140=100 d-2203=0" 1 || return 1
	# A prefilled reason is replaced: edit, clear, type.
	if term_screen | grep -q "e edit reason"; then term_keys e; fi
	term_keys C-u "refusals up on the canary, rolling back" Enter
	term_wait "rollback of support-assistant-prod to d-2140 issued" 5 || return 1
	term_keys . . . .
	term_wait "| rollback d-2140 verified" 5 || return 1
	expect_eq journal "$(jq -c 'select(.action == "rollback") | [.actor.as, .role, .reason, .outcome]' "$dir/journal.jsonl" | tr '\n' ' ')" \
		'["alice","commander","refusals up on the canary, rolling back","intent"] ["alice","commander","refusals up on the canary, rolling back","verified"] '
}
ok "r rolls back the selected endpoint with a typed reason, journaled and verified" manual_rollback_with_reason

observer_cannot_roll_back() {
	dir=$(newdir)
	term_start 80 24 "$CMDR" drill "$DRILLS/friday-1714.json" --role observer -i "$dir"
	term_wait "DRILL" 5 || return 1
	term_keys r
	term_wait "rollback refused: observers cannot change anything" 5 &&
	expect_eq "journal" "$(jq -c 'select(.action == "rollback") | [.role, .target, .outcome]' "$dir/journal.jsonl")" \
		'["observer","support-assistant-prod","refused"]' &&
	expect_eq traffic "$(jq -r 'select(.action == "rollback" and .outcome != "refused")' "$dir/journal.jsonl")" ""
}
ok "an observer's r is refused, and the refusal is journaled" observer_cannot_roll_back

too_small_then_resized() {
	term_start 70 20 "$CMDR" drill "$DRILLS/friday-1714.json" -i "$(newdir)"
	term_wait "terminal too small: 70x20, need 80x24" 5 || return 1
	tmux -L "$TMUX_SOCKET" resize-window -x 80 -y 24
	term_wait "SLO BURN" 5 && term_wait "ENDPOINTS" 1
}
ok "below 80x24 the console says its size and the size it needs, and recovers" too_small_then_resized

help_from_key_table() {
	term_start 80 24 "$CMDR" drill "$DRILLS/friday-1714.json" -i "$(newdir)"
	term_wait "DRILL" 5 || return 1
	term_keys '?'
	term_wait "Keys (any key closes)" 5 &&
	term_wait "roll the selected endpoint back" 1 &&
	term_wait "pause or resume the simulated clock; . steps one second (drill)" 1 &&
	term_wait "jump to the next scenario event (drill)" 1 || return 1
	term_keys x
	sleep 0.2
	! term_screen | grep -q "Keys (any key closes)" || fail "help did not close"
}
ok "? shows the help generated from the key table; any key closes it" help_from_key_table

ascii_mode() {
	term_start 80 24 "$CMDR" drill "$DRILLS/friday-1714.json" --ascii --speed 1024 -i "$(newdir)"
	term_wait "ROLLBACK issued by policy" 20 || return 1
	term_screen >"$WORK/screen"
	! LC_ALL=C grep -q '[^ -~]' "$WORK/screen" || { fail "non-ASCII on screen:"; LC_ALL=C grep -n '[^ -~]' "$WORK/screen" | head -3; return 1; }
}
ok "--ascii draws nothing but ASCII" ascii_mode

failed_rollback_then_manual() {
	dir=$(newdir)
	term_start 80 24 "$CMDR" drill "$DRILLS/refusal-spike.json" --speed 64 -i "$dir"
	term_wait "| rollback d-2140 failed" 20 &&
	term_wait "(drill) traffic target works again" 20 || return 1
	term_keys p r
	term_wait "Roll back support-assistant-prod" 5 &&
	term_wait "canary gate" 1 || return 1
	# The reason is prefilled from the canary verdict: Enter confirms it.
	term_keys Enter
	term_wait "issued; verifying" 5 || return 1
	term_keys . . . .
	term_wait "| rollback d-2140 verified" 5 &&
	expect_eq outcomes "$(jq -r 'select(.action == "rollback") | "\(.role):\(.outcome)"' "$dir/journal.jsonl" | tr '\n' ' ')" \
		"policy:intent policy:failed commander:intent commander:verified "
}
ok "a rollback the target refused is seen failed, and redone by hand once it recovers" failed_rollback_then_manual

secrets_off_screen() {
	jq '(.events[] | select(.type == "target_fail") | .text) |= "503 from https://ops:hunter2@mgmt.example.net"' \
		"$DRILLS/refusal-spike.json" >"$WORK/leaky.json" || return 1
	dir=$(newdir)
	term_start 100 24 "$CMDR" drill "$WORK/leaky.json" -i "$dir"
	term_wait "DRILL" 5 || return 1
	drill_jump_until "rollback d-2140 failed" || return 1
	term_wait "rollback of support-assistant-prod failed: 503 from https://ops:[REDACTED]@mgmt" 2 || return 1
	! term_screen | grep -q "hunter2" || { fail "a secret is on the screen"; return 1; }
	term_keys r
	term_wait "Roll back support-assistant-prod" 5 || return 1
	term_keys e C-u "db password=hunter2 token: s3cr3t-v4lue" 
	term_wait "db password=[REDACTED] token: [REDACTED]" 5 || return 1
	! term_screen | grep -q "hunter2\|s3cr3t" || { fail "a secret is on the screen"; return 1; }
	# The target still refuses at this point: the attempt fails, and both
	# its intent and its failure carry the redacted reason.
	term_keys Enter
	journal_wait "$dir" 'map(select(.action == "rollback" and .role == "commander") | .reason) == ["db password=[REDACTED] token: [REDACTED]", "db password=[REDACTED] token: [REDACTED]"]' &&
	! grep -q "hunter2\|s3cr3t" "$dir/journal.jsonl" || fail "a secret is in the journal"
}
ok "passwords and tokens in a target's error and in a typed reason never reach the screen or the journal" \
	secrets_off_screen

freeze_refuses_promotion() {
	dir=$(newdir)
	term_start 80 24 "$CMDR" drill "$DRILLS/friday-1714.json" --as alice -i "$dir"
	term_wait "DRILL alice" 5 || return 1
	drill_jump_until "d-1428 .* 10%" || return 1
	term_keys f
	term_wait "Change freeze" 5 || return 1
	term_keys "release train halted for the SEV" Enter
	term_wait "DRILL FROZEN alice" 5 || return 1
	term_keys P
	term_wait "promote refused: the change freeze is on (by alice at 17:11:32: rel" 5 || return 1
	# A rollback still goes through during the freeze.
	term_keys r C-u "back to d-1427" Enter . . . .
	term_wait "rollback support-assistant-prod verified: d-1427=100 d-1428=0" 5 &&
	expect_eq journal "$(jq -c 'select(.action != "drill_start") | [.action, .outcome]' "$dir/journal.jsonl" | tr '\n' ' ')" \
		'["freeze","on"] ["promote","refused"] ["rollback","intent"] ["rollback","verified"] '
}
ok "a change freeze refuses promotions (journaled) and still lets rollbacks through" freeze_refuses_promotion

deputy_executes_commanders_order() {
	dir=$(newdir)
	term_start 80 24 "$CMDR" drill "$DRILLS/friday-1714.json" --as bob --role deputy -i "$dir"
	term_wait "DRILL bob deputy" 5 || return 1
	drill_jump_until "d-1428 .* 10%" || return 1
	term_keys r
	term_wait "ordered by:" 5 || return 1
	term_keys "IC called it on the bridge" Tab "alice" Enter
	journal_wait "$dir" 'map(select(.action == "rollback" and .outcome == "intent"))[0] | .actor.as == "bob" and .actor.ordered_by == "alice" and .role == "deputy"'
}
ok "a deputy carrying out the commander's order: both are in the journal" deputy_executes_commanders_order

ok "no sanitizer reports" sanitizer_clean
