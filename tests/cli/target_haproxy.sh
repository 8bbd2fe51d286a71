#!/bin/sh
# The haproxy target against a real HAProxy (tests/haproxy.sh): cmdr
# rollback moves be_chat's weights to 100/0 through the runtime API and
# verifies it, requests through the frontend then all reach d-1427; status
# reads the split from HAProxy; the TCP runtime API works as the socket
# does; HAProxy's refusals (no such server, a level user socket, a static
# balance algorithm) and a stopped HAProxy are journaled failures with a
# plain message and exit 3, never reported as done.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/haproxy.sh"

if ! hx_start; then
	echo "not ok - a real HAProxy starts in front of two HTTP servers"
	hx_cleanup
	exit 0
fi
trap 'hx_cleanup; term_end; rm -rf "$WORK"' EXIT INT TERM

# config NAME TARGET-KEYS [STABLE-SERVER CANARY-SERVER]: $WORK/NAME.json
# with endpoint chat on a haproxy target.
config() {
	cat >"$WORK/$1.json" <<EOF
{ "endpoints": [ { "name": "chat", "target": { "type": "haproxy", $2,
    "servers": { "d-1427": "${3:-stable}", "d-1428": "${4:-canary}" } } } ] }
EOF
}
config sock "\"socket\": \"$WORK/admin.sock\", \"backend\": \"be_chat\""

before_everything() {
	expect_eq "weights at the start" "$(hx_weights)" "stable=90 canary=10" &&
	expect_eq "requests at 90/10" "$(hx_requests 100)" "d-1427=90 d-1428=10"
}
ok "HAProxy splits 90/10 between d-1427 and d-1428 before cmdr acts" before_everything

# rollback DIR CONFIG: runs cmdr rollback chat; status in $rc, output in
# $WORK/out and $WORK/err.
rollback() {
	"$CMDR" rollback chat --reason "canary errors up" --yes -c "$2" -i "$1" >"$WORK/out" 2>"$WORK/err"
	rc=$?
}

rollback_moves_traffic() {
	hx_reset
	dir=$(newdir)
	rollback "$dir" "$WORK/sock.json"
	expect_eq "exit status ($(cat "$WORK/err"))" "$rc" 0 &&
	expect_eq stdout "$(cat "$WORK/out")" "rollback chat verified: d-1427=100 d-1428=0" &&
	expect_eq journal "$(jq -c '[.action, .target, .reason, .outcome, .params.to, .params.from, .params.traffic, .traffic, .detail]' "$dir/journal.jsonl" | tr '\n' ' ')" \
		'["rollback","chat","canary errors up","intent","d-1427","d-1427=90 d-1428=10","d-1427=100 d-1428=0",null,null] ["rollback","chat","canary errors up","verified",null,null,null,"d-1427=100 d-1428=0",null] ' &&
	expect_eq "verified refers to its intent" "$(jq -s '.[1].intent == .[0].seq' "$dir/journal.jsonl")" true &&
	expect_eq "weights in HAProxy" "$(hx_weights)" "stable=100 canary=0" &&
	expect_eq "200 requests through the frontend" "$(hx_requests 200)" "d-1427=200" &&
	"$CMDR" audit verify "$dir/journal.jsonl" >/dev/null || fail "the journal's chain is broken"
}
ok "cmdr rollback sets be_chat to 100/0 through the socket, verified; every request then reaches d-1427" \
	rollback_moves_traffic

already_there() {
	dir=$(newdir)
	rollback "$dir" "$WORK/sock.json"
	expect_eq "exit status" "$rc" 1 &&
	expect_eq stderr "$(cat "$WORK/err")" "cmdr rollback: rollback refused: chat already serves d-1427=100 d-1428=0" &&
	expect_eq "weights in HAProxy" "$(hx_weights)" "stable=100 canary=0"
}
ok "a second rollback finds chat already on d-1427 and changes nothing" already_there

canary_ramp() {
	hx_reset
	dir=$(newdir)
	"$CMDR" weight chat d-1427=75 d-1428=25 --reason "canary looks good, ramp to 25%" --yes -c "$WORK/sock.json" \
		-i "$dir" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	expect_eq "exit status ($(cat "$WORK/err"))" "$rc" 0 &&
	expect_eq stdout "$(cat "$WORK/out")" "set_weight chat verified: d-1427=75 d-1428=25" &&
	expect_eq journal "$(jq -c '[.action, .outcome, .params.traffic, .traffic]' "$dir/journal.jsonl" | tr '\n' ' ')" \
		'["set_weight","intent","d-1427=75 d-1428=25",null] ["set_weight","verified",null,"d-1427=75 d-1428=25"] ' &&
	expect_eq "weights in HAProxy" "$(hx_weights)" "stable=75 canary=25" &&
	expect_eq "100 requests through the frontend" "$(hx_requests 100)" "d-1427=75 d-1428=25" || return 1
	"$CMDR" weight chat d-1427=75 d-9999=25 --reason x --yes -c "$WORK/sock.json" -i "$dir" 2>"$WORK/err"
	[ $? -eq 1 ] || { fail "a split naming no such deployment was not refused"; return 1; }
	expect_eq refusal "$(cat "$WORK/err")" "cmdr weight: set_weight refused: chat has no deployment named d-9999" &&
	expect_eq journaled "$(jq -c 'select(.outcome == "refused") | [.action, .detail]' "$dir/journal.jsonl")" \
		'["set_weight","chat has no deployment named d-9999"]' || return 1
	"$CMDR" weight chat d-1427=75 d-1428=35 --reason x --yes -c "$WORK/sock.json" -i "$dir" 2>"$WORK/err"
	[ $? -eq 2 ] && grep -q "add up to 100" "$WORK/err" || { fail "110%: $(cat "$WORK/err")"; return 1; }
	expect_eq "weights after the refusals" "$(hx_weights)" "stable=75 canary=25"
}
ok "cmdr weight ramps the canary to 25% through HAProxy, verified and served; a split naming no such deployment is refused and journaled, one of 110% is a usage error" canary_ramp


status_reads_haproxy() {
	hx_reset
	hx_cmd "set server be_chat/canary weight 30" >/dev/null
	dir=$(newdir)
	: >"$dir/journal.jsonl"
	"$CMDR" status --json -c "$WORK/sock.json" -i "$dir" >"$WORK/status.json" 2>"$WORK/err" ||
		{ fail "cmdr status failed: $(cat "$WORK/err")"; return 1; }
	# 90 and 30: 75% and 25%.
	jq_is target '.endpoints[] | select(.name == "chat") | .target' haproxy &&
	jq_is split '[.endpoints[] | select(.name == "chat") | .deployments[] | "\(.name)=\(.traffic):\(.state)"] | join(" ")' \
		"d-1427=75:UP d-1428=25:UP" &&
	jq_is "last known-good" '.endpoints[] | select(.name == "chat") | .last_known_good' d-1427 &&
	jq_is "no error" '.endpoints[] | select(.name == "chat") | .data.error' null &&
	jq_is "HAProxy does not say when a server was created: null, not 1970" \
		'[.endpoints[] | select(.name == "chat") | .deployments[].created] | map(. == null) | all' true &&
	# A server in drain takes no new traffic, whatever its weight.
	hx_cmd "set server be_chat/canary state drain" >/dev/null &&
	"$CMDR" status --json -c "$WORK/sock.json" -i "$dir" >"$WORK/status.json" 2>"$WORK/err" &&
	jq_is drained '[.endpoints[] | select(.name == "chat") | .deployments[] | "\(.name)=\(.traffic):\(.state)"] | join(" ")' \
		"d-1427=100:UP d-1428=0:DRAIN" &&
	hx_cmd "set server be_chat/canary state maint" >/dev/null &&
	"$CMDR" status --json -c "$WORK/sock.json" -i "$dir" >"$WORK/status.json" 2>"$WORK/err" &&
	jq_is maintenance '[.endpoints[] | select(.name == "chat") | .deployments[] | "\(.name)=\(.traffic):\(.state)"] | join(" ")' \
		"d-1427=100:UP d-1428=0:MAINT"
	r=$?
	hx_cmd "set server be_chat/canary state ready" >/dev/null
	hx_reset
	return $r
}
ok "cmdr status --json shows chat's split and server states as HAProxy has them (drain and maintenance: 0%)" \
	status_reads_haproxy

tcp_address() {
	hx_reset
	config tcp "\"address\": \"127.0.0.1:$HX_API_PORT\", \"backend\": \"be_chat\""
	dir=$(newdir)
	rollback "$dir" "$WORK/tcp.json"
	expect_eq "exit status ($(cat "$WORK/err"))" "$rc" 0 &&
	expect_eq outcomes "$(jq -r .outcome "$dir/journal.jsonl" | tr '\n' ' ')" "intent verified " &&
	expect_eq "weights in HAProxy" "$(hx_weights)" "stable=100 canary=0"
}
ok "the runtime API over TCP (\"address\") rolls back as the socket does" tcp_address

no_such_server() {
	hx_reset
	config ghost "\"socket\": \"$WORK/admin.sock\", \"backend\": \"be_chat\"" stable canary2
	dir=$(newdir)
	rollback "$dir" "$WORK/ghost.json"
	expect_eq "exit status" "$rc" 3 &&
	grep -qF 'no such server "canary2" in backend "be_chat" (deployment d-1428)' "$WORK/err" ||
		{ fail "stderr: $(cat "$WORK/err")"; return 1; }
	expect_eq "journal" "$(jq -r .outcome "$dir/journal.jsonl" | tr '\n' ' ')" "failed " &&
	jq -e 'select(.outcome == "failed") | .detail | test("no such server \"canary2\"")' "$dir/journal.jsonl" >/dev/null ||
		{ fail "the failure's detail does not name the server"; return 1; }
	! grep -q verified "$WORK/out" || fail "reported as done"
	expect_eq "weights in HAProxy" "$(hx_weights)" "stable=90 canary=10"
}
ok "a deployment mapped to a server be_chat does not have: 'no such server' naming it, exit 3, journaled failed" \
	no_such_server

user_level_socket() {
	hx_reset
	config user "\"socket\": \"$WORK/user.sock\", \"backend\": \"be_chat\""
	dir=$(newdir)
	rollback "$dir" "$WORK/user.json"
	expect_eq "exit status" "$rc" 3 &&
	expect_eq stderr "$(cat "$WORK/err")" "cmdr rollback: rollback of chat failed: haproxy at $WORK/user.sock: permission denied: the runtime API socket needs \"level admin\" on its stats socket line to change weights; traffic still d-1427=90 d-1428=10" || return 1
	expect_eq outcomes "$(jq -r .outcome "$dir/journal.jsonl" | tr '\n' ' ')" "intent failed " &&
	jq -e 'select(.outcome == "failed") | (.detail | test("level admin")) and .traffic == "d-1427=90 d-1428=10"' \
		"$dir/journal.jsonl" >/dev/null || { fail "the failure: $(tail -n 1 "$dir/journal.jsonl")"; return 1; }
	expect_eq "weights in HAProxy" "$(hx_weights)" "stable=90 canary=10"
}
ok "a socket at level user: the change fails saying the socket needs level admin; the traffic read back stays 90/10" \
	user_level_socket

static_algorithm() {
	config static "\"socket\": \"$WORK/admin.sock\", \"backend\": \"be_static\""
	dir=$(newdir)
	rollback "$dir" "$WORK/static.json"
	expect_eq "exit status" "$rc" 3 &&
	expect_eq stderr "$(cat "$WORK/err")" "cmdr rollback: rollback of chat failed: haproxy at $WORK/admin.sock: backend \"be_static\" uses a static balance algorithm: only 0% or 100% of a server's configured weight works there (refused: \"stable\" weight 100); traffic still d-1427=90 d-1428=10" || return 1
	expect_eq outcomes "$(jq -r .outcome "$dir/journal.jsonl" | tr '\n' ' ')" "intent failed " &&
	jq -e 'select(.outcome == "failed") | .traffic == "d-1427=90 d-1428=10"' "$dir/journal.jsonl" >/dev/null ||
		{ fail "the failure: $(tail -n 1 "$dir/journal.jsonl")"; return 1; }
	expect_eq "weights in HAProxy" "$(hx_weights be_static)" "stable=90 canary=10"
}
ok "a static-rr backend refuses weight 100: the message names the backend and says only 0%/100% work there" \
	static_algorithm

haproxy_stopped() {
	hx_reset
	hx_stop
	config fast "\"socket\": \"$WORK/admin.sock\", \"backend\": \"be_chat\", \"timeout\": \"1s\""
	config tcpfast "\"address\": \"127.0.0.1:$HX_API_PORT\", \"backend\": \"be_chat\", \"timeout\": \"1s\""
	for c in fast tcpfast; do
		dir=$(newdir)
		rollback "$dir" "$WORK/$c.json"
		where=$WORK/admin.sock
		[ $c = fast ] || where=127.0.0.1:$HX_API_PORT
		expect_eq "exit status ($c)" "$rc" 3 &&
		grep -qF "haproxy at $where: connection refused (is HAProxy running?)" "$WORK/err" ||
			{ fail "stderr ($c): $(cat "$WORK/err")"; return 1; }
		expect_eq "journal ($c)" "$(jq -r .outcome "$dir/journal.jsonl" | tr '\n' ' ')" "failed " &&
		expect_eq "stdout ($c)" "$(cat "$WORK/out")" "" || return 1
	done
}
ok "HAProxy stopped: the rollback fails (exit 3) saying where and that nothing answers; journaled failed, nothing done" \
	haproxy_stopped

retried_until_up() {
	# Still stopped: the rollback keeps trying, with backoff, until it
	# comes back within the timeout.
	config slow "\"socket\": \"$WORK/admin.sock\", \"backend\": \"be_chat\", \"timeout\": \"15s\""
	dir=$(newdir)
	rollback "$dir" "$WORK/slow.json" &
	bg=$!
	sleep 1
	hx_launch || return 1
	wait $bg
	expect_eq "weights in HAProxy" "$(hx_weights)" "stable=100 canary=0" &&
	expect_eq outcomes "$(jq -r .outcome "$dir/journal.jsonl" | tr '\n' ' ')" "intent verified "
}
ok "a rollback started while HAProxy is down goes through once it is back, within the timeout" retried_until_up

ok "no sanitizer reports" sanitizer_clean
