#!/bin/sh
# Every pane at 80x24 with names longer than any column holds: a long name
# shortens in its middle, marked, so that the verdict, the count, the
# state, the objective and the freshness of a reading are never what gets
# cut, and two deployments that differ only at their end stay apart. The
# drill of seed 004 runs with 60-character names; then a real HAProxy
# serves an endpoint and deployments with names as long, read live.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/haproxy.sh"

EP=support-assistant-production-westeurope-blue-green-canary-01
OLD=d-1427-known-good-answer-drafter-baseline-rev6
NEW=d-1427-known-good-answer-drafter-baseline-rev7
RB=canary-regression-on-an-eval-class-for-the-answer-drafter-family

sed -e "s/support-assistant-prod/$EP/g" -e "s/support-assistant availability/$EP availability/" -e "s/d-1428/$NEW/g" -e "s/d-1427/$OLD/g" \
	"$TOP/drills/friday-1714.json" >"$WORK/long.json"
mkdir -p "$WORK/runbooks"
cp "$TOP/runbooks/canary-regression.md" "$WORK/runbooks/$RB.md"
printf '{ "runbook_dirs": ["%s"] }\n' "$WORK/runbooks" >"$WORK/drill.cfg.json"

# show TEXT: the screen, for a failure's report.
show() {
	fail "$1"
	sed 's/^/#   | /' "$WORK/screen"
	return 1
}

# has PATTERN WHAT: the screen holds PATTERN (grep -E) or the test fails.
has() {
	grep -qE -- "$1" "$WORK/screen" || show "$2"
}

drill_long_names() {
	term_start 80 24 "$CMDR" drill "$WORK/long.json" -c "$WORK/drill.cfg.json" -i "$(newdir)" --as ic
	term_wait "FIRE" 1 >/dev/null 2>&1
	drill_jump_until "issued by policy" || return 1
	drill_jump_until "verified" || return 1
	term_screen >"$WORK/screen"
	has "CANARY .*….* rollback  3/3 failed *$" "the canary title keeps its verdict and count" &&
	has "^ support-[^ ]*….*availability 99\.9%/30d" "a long SLO name shortens in its middle" &&
	has "….*8s\) 99%/30d" "an SLO row keeps its objective" &&
	has "^   d-1427-…[^ ]*rev6 .*100%.*LKG" "the known-good deployment keeps the end of its name" &&
	has "^   d-1427-…[^ ]*rev7 .*0%" "its successor is told apart from it" &&
	has "rollback d-1427-[^ ]*…[^ ]*rev6 verified" "the status line keeps the rollback's state" &&
	has "^ \*canary-regr[^ ]*…[^ ]*family +0/22" "a long runbook name keeps its step count" &&
	has "^ suggested: canary-[^ ]*…[^ ]*family \(canary " "the suggestion keeps its reason" || return 1
	if grep -v '…' "$WORK/screen" | grep -q "$EP.*$EP"; then
		show "a name is drawn twice"
		return 1
	fi
	# The runbook opened: its count is not under the progress bar.
	term_keys Tab Enter
	term_wait "RUNBOOK " 5 || return 1
	term_screen >"$WORK/screen"
	has "RUNBOOK canary-[^ ]*…[^ ]*family +0/22" "the open runbook's title keeps its count"
}
ok "drill at 80x24 with 60-character names: verdicts, counts and states stay" drill_long_names

cat >"$WORK/haproxy.extra.cfg" <<EOF

backend be_$EP
	balance roundrobin
	server $OLD 127.0.0.1:@STABLE@ weight 90
	server $NEW 127.0.0.1:@CANARY@ weight 10
EOF

live_long_names() {
	cat >"$WORK/live.json" <<EOF
{
  "endpoints": [ { "name": "$EP", "target": { "type": "haproxy", "socket": "$WORK/admin.sock",
    "backend": "be_$EP", "servers": { "$OLD": "$OLD", "$NEW": "$NEW" } } } ]
}
EOF
	term_start 80 24 "$CMDR" -c "$WORK/live.json" -i "$(newdir)" --as ic
	term_wait " 90%" 10 || return 1
	term_screen >"$WORK/screen"
	has "^ >support-[^ ]*…[^ ]* +haproxy  data [0-9]+s *$" "the endpoint row keeps the target and its freshness" &&
	has "^   d-1427-…[^ ]*rev6 .* 90%" "the deployment serving 90% keeps the end of its name" &&
	has "^   d-1427-…[^ ]*rev7 .* 10%" "the one serving 10% is told apart from it" || return 1
	# The socket gone: the error and STALE share the row with the name.
	mv "$WORK/admin.sock" "$WORK/admin.sock.hidden"
	term_wait "STALE" 40 || { mv "$WORK/admin.sock.hidden" "$WORK/admin.sock"; return 1; }
	mv "$WORK/admin.sock.hidden" "$WORK/admin.sock"
	term_screen >"$WORK/screen"
	has "^ >support-[^ ]*…[^ ]* +[a-z].* +haproxy  STALE" "the read error shows beside a long name"
}
if hx_start; then
	trap 'hx_cleanup; term_end; rm -rf "$WORK"' EXIT INT TERM
	ok "live at 80x24 with 60-character names: target, freshness and errors stay" live_long_names
else
	echo "not ok - a real HAProxy starts with long backend and server names"
fi

ok "no sanitizer reports" sanitizer_clean
