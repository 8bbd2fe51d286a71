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
trap 'hx_cleanup; tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null; rm -rf "$WORK"' EXIT INT TERM

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
	term_keys "canary 5xx up, rolling back" Enter
	term_wait "rollback chat verified: d-1427=100 d-1428=0" 5 || return 1
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

ok "no sanitizer reports" sanitizer_clean
