#!/bin/sh
# Several people on one incident: each console follows the journal and
# shows what the others do within a second or two; a console that comes
# back shows the state it left; the stakeholder-update clock warns, then
# alarms, and an update resets it. (tmux drives every console.)
. "$(dirname "$0")/../lib.sh"

three_consoles() {
	dir=$(newdir)
	term_start 100 30 "$CMDR" -i "$dir" --as alice
	term_add bob 100 30 "$CMDR" -i "$dir" --as bob --role deputy
	term_add carol 100 30 "$CMDR" -i "$dir" --as carol --role observer
	term_wait "LIVE alice commander" 5 || return 1
	term_keys : "declare SEV1 Chat answers ungrounded on multi_hop" Enter
	term_wait "| SEV1 update in 30m" 5 || return 1
	for who in bob carol; do
		TERM_ON=$who
		term_wait "| SEV1 update in 30m" 3 || return 1
	done
	# Bob claims the deputy role and writes a note; the others see both.
	TERM_ON=bob
	term_keys : "role deputy" Enter
	term_keys n "groundedness on multi_hop at 2.66" Enter
	TERM_ON=carol
	term_keys t
	term_wait "IC" 1 >/dev/null
	term_wait "deputy:bob" 3 && term_wait "bob      note: groundedness on multi_hop at 2.66" 3 || return 1
	# Carol observes: n, u and : are refused before she types a word
	# (no dialog opens), and the journal has each attempt once.
	term_keys n
	term_wait "note refused: observers cannot change anything" 3 || return 1
	term_keys u
	term_wait "update refused: observers cannot change anything" 3 || return 1
	term_keys :
	term_wait "commands refused: observers cannot change anything" 3 || return 1
	if term_screen | grep -q "Note on the timeline\|Stakeholder update\|Command"; then
		fail "a dialog opened for an observer"
		return 1
	fi
	# A note from a shell reaches every console.
	"$CMDR" note "paged the eval team" -i "$dir" --as dave >/dev/null || { fail "cmdr note"; return 1; }
	TERM_ON=main
	# On the event line first, without opening the timeline.
	term_wait "dave: note: paged the eval team" 3 || return 1
	term_keys t
	term_wait "dave     note: paged the eval team" 3 || return 1
	TERM_ON=carol
	term_wait "dave     note: paged the eval team" 3 || return 1
	expect_eq journal "$(jq -c '[.actor.as, .action, .outcome]' "$dir/journal.jsonl" | tr '\n' ' ')" \
		'["alice","declare","declared"] ["bob","role","assigned"] ["bob","note","noted"] ["carol","note","refused"] ["carol","update","refused"] ["dave","note","noted"] '
}
ok "three consoles on one incident see a declaration, a role, notes and a refusal from each other and from a shell" three_consoles

reconnect() {
	dir=$(newdir)
	"$CMDR" declare "Refusal spike on d-2203" --severity SEV2 -i "$dir" --as alice >/dev/null &&
	"$CMDR" role commander -i "$dir" --as alice >/dev/null || return 1
	term_start 100 30 "$CMDR" -i "$dir" --as bob
	term_wait "| SEV2 update in" 5 || return 1
	term_keys t
	term_keys u "Mitigated: canary rolled back" Enter
	term_wait "status update: Mitigated: canary rolled back" 3 || return 1
	term_keys / "status" Enter
	term_wait "filter /status/: 1 shown" 3 || return 1
	term_keys q
	term_wait "[exited]" 5 || return 1
	# Back again: the same incident, roles and timeline.
	term_start 100 30 "$CMDR" -i "$dir" --as bob
	term_wait "| SEV2 update in 30m" 5 || return 1
	term_keys t
	term_wait "TIMELINE  SEV2 Refusal spike on d-2203  IC:alice" 3 &&
	term_wait "alice    commander: alice" 1 &&
	term_wait "bob      status update: Mitigated: canary rolled back" 1
}
ok "a console that quits and comes back shows the declaration, roles and timeline it left" reconnect

update_clock() {
	dir=$(newdir)
	# 4 simulated seconds per second: a one-minute update interval warns
	# 10 s before it is due and is overdue a quarter-minute later.
	term_start 100 30 "$CMDR" drill "$DRILLS/friday-1714.json" --speed 4 -i "$dir" --as alice
	term_wait "DRILL alice commander" 5 || return 1
	term_keys : "declare SEV1 drill" Enter
	term_keys : "every 1m" Enter
	term_keys : "timecheck on 1m" Enter
	term_wait "| SEV1 update in 1m" 3 || return 1
	term_wait "| SEV1 UPDATE in 1m" 20 || return 1
	term_wait "| SEV1 UPDATE OVERDUE 0m (u)" 10 || return 1
	term_wait "TIME CHECK: 1m since the declaration of SEV1 drill" 5 || return 1
	term_keys u "Rolled back; watching" Enter
	term_wait "| SEV1 update in 1m" 3 || return 1
	expect_eq journal "$(jq -c 'select(.action == "update") | [.params.text, .drill]' "$dir/journal.jsonl")" \
		'["Rolled back; watching","friday-1714"]'
}
ok "the update clock on a drill's simulated time: due, warning, overdue, a time check, reset by an update" update_clock

one_policy() {
	dir=$(newdir)
	term_start 100 30 "$CMDR" -i "$dir" --as alice
	term_wait "LIVE alice commander" 5 || return 1
	TERM_ON=bob
	term_add bob 100 30 "$CMDR" -i "$dir" --as bob
	term_wait "LIVE bob commander" 5 || return 1
	sleep 1
	grep -q "^alice's console (pid [0-9]*)$" "$dir/locks/.policy.lock" ||
		{ fail "the policy lock: $(cat "$dir/locks/.policy.lock")"; return 1; }
	# Alice leaves: Bob's console takes the policy over within seconds.
	TERM_ON=main
	term_keys q
	term_wait "[exited]" 5 || return 1
	i=0
	until grep -q "^bob's console" "$dir/locks/.policy.lock"; do
		[ $i -lt 80 ] || { fail "bob never took the policy over: $(cat "$dir/locks/.policy.lock")"; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
}
ok "one live console runs the canary policy; when it quits, another takes it over" one_policy

scorecard_at_the_end() {
	dir=$(newdir)
	term_start 80 24 "$CMDR" drill "$DRILLS/friday-1714.json" --speed 1024 -i "$dir" --as alice
	term_wait "Drill scorecard (any key closes)" 20 || return 1
	term_wait "detect         1m        1m30s      ok" 1 &&
	term_wait "acknowledge    -         3m         missed" 1 &&
	term_wait "verify         2m34s     4m         ok" 1 || return 1
	term_keys x
	term_keys S
	term_wait "Drill scorecard (any key closes)" 2
}
ok "a drill's scorecard opens by itself at the end: detect on time, nobody acknowledged, verified in 2m34s" scorecard_at_the_end

ok "no sanitizer reports" sanitizer_clean
