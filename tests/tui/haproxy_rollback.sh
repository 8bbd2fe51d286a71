#!/bin/sh
# The live console against a real HAProxy (tests/haproxy.sh): the endpoints
# pane shows chat's split as HAProxy has it; r with a typed reason moves
# be_chat to 100/0, and the pane and the journal say so.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/haproxy.sh"

if ! hx_start; then
	echo "not ok - a real HAProxy starts in front of two HTTP servers"
	hx_cleanup
	exit 0
fi
trap 'hx_cleanup; term_end; rm -rf "$WORK"' EXIT INT TERM

cat >"$WORK/live.json" <<EOF
{ "endpoints": [ { "name": "chat", "target": { "type": "haproxy", "socket": "$WORK/admin.sock",
    "backend": "be_chat", "servers": { "d-1427": "stable", "d-1428": "canary" } } } ] }
EOF

rollback_key() {
	dir=$(newdir)
	term_start 80 24 "$CMDR" -c "$WORK/live.json" -i "$dir" --as alice
	term_wait "LIVE alice commander" 5 &&
	term_wait "haproxy  data" 5 || return 1
	term_screen >"$WORK/screen"
	grep -q "d-1427 .*  90%  UP .*LKG" "$WORK/screen" &&
	grep -q "d-1428 .*  10%  UP" "$WORK/screen" || { sed 's/^/#   | /' "$WORK/screen"; return 1; }
	term_keys r
	term_wait "Roll back chat" 5 &&
	term_wait "d-1427=90 d-1428=10" 1 &&
	term_wait "d-1427=100 d-1428=0" 1 || return 1
	term_keys "canary 5xx up, rolling back"
	sleep 1.2
	before=$(date +%s%3N)
	term_keys Enter
	term_wait "rollback chat verified: d-1427=100 d-1428=0" 5 || return 1
	# Stamped when Enter was pressed, to the millisecond, not at the
	# console's previous wake-up; the postmortem's read-back time comes
	# from those stamps.
	ms() { date -d "$1" +%s%3N; }
	intent=$(ms "$(jq -r 'select(.outcome == "intent") | .time' "$dir/journal.jsonl")")
	verified=$(ms "$(jq -r 'select(.outcome == "verified") | .time' "$dir/journal.jsonl")")
	[ "$intent" -ge "$before" ] || { fail "intent stamped $((before - intent)) ms before Enter"; return 1; }
	[ $((verified - intent)) -lt 500 ] || { fail "verified $((verified - intent)) ms after the intent"; return 1; }
	"$CMDR" export postmortem -i "$dir" >"$WORK/pm.md" 2>&1 || { fail "postmortem: $(cat "$WORK/pm.md")"; return 1; }
	grep -q ", 0\.[0-4] s after the intent" "$WORK/pm.md" || { fail "postmortem: $(grep 'after the intent' "$WORK/pm.md")"; return 1; }
	term_screen >"$WORK/screen"
	grep -q "d-1427 .* 100%  UP .*LKG" "$WORK/screen" &&
	grep -q "d-1428 .*   0%  UP" "$WORK/screen" || { sed 's/^/#   | /' "$WORK/screen"; return 1; }
	expect_eq "weights in HAProxy" "$(hx_weights)" "stable=100 canary=0" &&
	expect_eq journal "$(jq -c '[.actor.as, .reason, .outcome, (.params.traffic // .traffic)]' "$dir/journal.jsonl" | tr '\n' ' ')" \
		'["alice","canary 5xx up, rolling back","intent","d-1427=100 d-1428=0"] ["alice","canary 5xx up, rolling back","verified","d-1427=100 d-1428=0"] ' &&
	expect_eq "requests through the frontend" "$(hx_requests 50)" "d-1427=50" || return 1
	term_keys q
	term_wait "[exited]" 5
}
ok "r with a typed reason in the live console moves HAProxy to 100/0; the endpoints pane shows it" rollback_key

another_console_sees_it() {
	hx_reset
	dir=$(newdir)
	term_start 80 24 "$CMDR" -c "$WORK/live.json" -i "$dir" --as bob
	term_wait "haproxy  data" 5 && term_wait "d-1428 " 1 || return 1
	term_screen | grep -q "d-1428 .*  10%  UP" || { term_screen | sed 's/^/#   | /'; return 1; }
	# Alice rolls back from a shell; Bob's console reads HAProxy again at
	# once (not at its next 10-second read) and says who did what.
	"$CMDR" rollback chat --reason "canary 5xx up" --yes --as alice -c "$WORK/live.json" -i "$dir" >/dev/null ||
		{ fail "the rollback from the shell failed"; return 1; }
	term_wait "alice: rollback chat verified (d-1427=100 d-1428=0)" 3 || return 1
	i=0
	until term_screen | grep -q "d-1428 .*   0%  UP"; do
		[ $i -lt 30 ] || { fail "bob's endpoints pane did not follow within 3 s"; term_screen | sed 's/^/#   | /'; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
}
ok "another console's rollback reaches this console's endpoints pane within seconds, with who did it" another_console_sees_it

# The console reads HAProxy through a link that then breaks, while Alice's
# shell (a working path) moves chat to 100/0, verified. The journal's
# verified read-back is newer than the console's last reading and wins; an
# r + Enter then cannot know what chat serves, so it fails with that
# reason and changes nothing, never "already serves" on an old reading.
stale_reading_never_decides() {
	hx_reset
	dir=$(newdir)
	ln -sf "$WORK/admin.sock" "$WORK/console.sock"
	sed "s|$WORK/admin.sock|$WORK/console.sock|" "$WORK/live.json" >"$WORK/console.json"
	term_start 80 24 "$CMDR" -c "$WORK/console.json" -i "$dir" --as bob
	term_wait "haproxy  data" 5 && term_wait "d-1428 " 1 || return 1
	term_screen | grep -q "d-1428 .*  10%  UP" || { term_screen | sed 's/^/#   | /'; return 1; }
	rm "$WORK/console.sock"
	"$CMDR" rollback chat --reason "canary 5xx up" --yes --as alice -c "$WORK/live.json" -i "$dir" >/dev/null ||
		{ fail "the rollback from the shell failed"; return 1; }
	term_wait "alice: rollback chat verified (d-1427=100 d-1428=0)" 3 || return 1
	term_screen | grep -q "d-1428 .*   0%  UP" || { fail "the journal's reading did not win"; term_screen | sed 's/^/#   | /'; return 1; }
	# Bob's own read of chat, made at once on Alice's change, fails.
	term_wait "console.sock: no such" 10 || return 1
	term_keys r
	term_wait "Roll back chat" 5 && term_wait "cannot read the current split" 3 || return 1
	term_keys "rolling back again" Enter
	term_wait "rollback failed: cannot read the current split of chat" 3 || return 1
	expect_eq "weights in HAProxy" "$(hx_weights)" "stable=100 canary=0" &&
	expect_eq "bob's outcome" "$(jq -r 'select(.actor.as == "bob") | .outcome' "$dir/journal.jsonl")" failed || return 1
	if grep -q "already serves" "$dir/journal.jsonl"; then
		fail "an old reading was journaled as fact"
		return 1
	fi
	term_keys q
	term_wait "[exited]" 5
}
ok "a console whose target cannot be read never refuses a rollback on an old reading" stale_reading_never_decides

ok "no sanitizer reports" sanitizer_clean
