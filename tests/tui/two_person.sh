#!/bin/sh
# The two-person rule across two consoles on one incident: a rollback waits
# for a second person, who approves it from another terminal; unapproved, it
# expires. (tmux drives both consoles.)
. "$(dirname "$0")/../lib.sh"

me=$(id -un)
cat >"$WORK/two.json" <<EOT
{"shared_accounts": ["$me"],
 "roles": {"alice": "commander", "bob": "deputy", "carol": "observer"},
 "governance": {"two_person": true, "approval_timeout": "2m", "shared_account_approval": true,
                "emergency": {"canary_verdict": false}}}
EOT

# Alice, on the drill, asks for a rollback at 17:11:32.
alice_asks() {
	term_start 80 24 "$CMDR" drill "$DRILLS/friday-1714.json" -c "$WORK/two.json" --as alice -i "$1"
	term_wait "DRILL alice commander" 5 || return 1
	drill_jump_until "d-1428 .* 10%" || return 1
	term_keys r "groundedness slipping on multi_hop" Enter
	term_wait "is waiting for a second" 5 && term_wait "rollback to d-1427 awaits approval until 17:13:32" 1
}

approved_from_second_console() {
	dir=$(newdir)
	alice_asks "$dir" || return 1
	TERM_ON=bob
	term_add bob 80 24 "$CMDR" -c "$WORK/two.json" --as bob -i "$dir"
	term_wait "APPROVAL NEEDED (a): alice asks to roll back support-assistant-prod to d-1427" 5 || return 1
	term_keys a
	term_wait "Approve a rollback (two-person rule)" 5 && term_wait "asked by:  alice" 1 || return 1
	term_keys Enter
	term_wait "approved; the process that asked carries it out, or it expires" 5 || return 1
	TERM_ON=main
	journal_wait "$dir" 'map(select(.action == "rollback" and .outcome == "intent")) | length == 1' || return 1
	term_keys . . . .
	term_wait "| rollback d-1427 verified" 5 || return 1
	expect_eq journal "$(jq -c 'select(.action != "drill_start") | [.action, .actor.as, .outcome, .params.approved_by]' "$dir/journal.jsonl" | tr '\n' ' ')" \
		'["rollback","alice","pending",null] ["approve","bob","approved",null] ["rollback","alice","intent","bob"] ["rollback","alice","verified",null] '
}
ok "a held rollback is approved from a second console and carried out by the first" approved_from_second_console

own_request_and_observer_refused() {
	dir=$(newdir)
	alice_asks "$dir" || return 1
	# Alice sees no approval prompt for her own request; `a` says so.
	term_keys a
	term_wait "no rollback is waiting for your approval" 5 || return 1
	TERM_ON=carol
	term_add carol 80 24 "$CMDR" -c "$WORK/two.json" --as carol -i "$dir"
	term_wait "APPROVAL NEEDED" 5 || return 1
	term_keys a
	term_wait "approve refused: observers cannot change anything" 5 || return 1
	TERM_ON=main
	expect_eq refused "$(jq -c 'select(.outcome == "refused") | [.action, .actor.as]' "$dir/journal.jsonl")" '["approve","carol"]'
}
ok "the one who asked cannot approve; an observer's approval is refused and journaled" own_request_and_observer_refused

unapproved_expires() {
	dir=$(newdir)
	alice_asks "$dir" || return 1
	TERM_ON=bob
	term_add bob 80 24 "$CMDR" -c "$WORK/two.json" --as bob -i "$dir"
	term_wait "APPROVAL NEEDED" 5 || return 1
	TERM_ON=main
	# Two simulated minutes pass with nobody approving.
	term_keys p + + +
	journal_wait "$dir" 'map(select(.outcome == "expired")) | length == 1' 10 || return 1
	TERM_ON=bob
	i=0
	while term_screen | grep -q "APPROVAL NEEDED"; do
		[ $i -lt 30 ] || { fail "bob's console still asks for the expired approval"; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
	TERM_ON=main
	expect_eq changes "$(jq -c 'select(.action == "rollback" and .outcome == "intent")' "$dir/journal.jsonl")" ""
}
ok "a rollback nobody approves expires, changes nothing, and leaves every console" unapproved_expires

ok "no sanitizer reports" sanitizer_clean
