#!/bin/sh
# The terminal goes away under a console whose SIGHUP a wrapper does not
# pass on (a login script, make): the console ends at once instead of
# polling a dead terminal, and its policy lock passes to another console
# (issue 15, item 4).
. "$(dirname "$0")/../lib.sh"

# The pid of the cmdr process whose command line holds $1, or nothing.
cmdr_pid() {
	pgrep -f -- "$1" | while read -r p; do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = cmdr ] && echo "$p"
	done | head -1
}

# lock_held FILE: another process holds an flock on FILE.
lock_held() {
	[ -e "$1" ] && ! flock -n "$1" true
}

hangup_ends_console() {
	dir=$(newdir)
	# The pane's shell (the session leader) ignores SIGHUP and waits, so
	# no signal reaches the console: only its hung-up terminal tells.
	TMUX_SOCKET="cmdr-test-$$-hup"
	TERM_ON=main
	tmux -L "$TMUX_SOCKET" -f /dev/null new-session -d -s main -x 80 -y 24 \
		"trap '' HUP; env TERM=xterm-256color LANG=C.UTF-8 $CMDR -i $dir"
	term_wait "LIVE" 5 || return 1
	pid=$(cmdr_pid "$CMDR -i $dir")
	[ -n "$pid" ] || { fail "no console process"; return 1; }
	i=0
	while ! lock_held "$dir/locks/.policy.lock" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	lock_held "$dir/locks/.policy.lock" || { fail "the console never took the policy lock"; return 1; }
	grep -q "(pid $pid)" "$dir/locks/.policy.lock" || { fail "lock: $(cat "$dir/locks/.policy.lock")"; return 1; }
	# A second console on the same incident watches while the first holds it.
	term_add second 80 24 "$CMDR" -i "$dir" --as bob
	TERM_ON=second term_wait "LIVE bob" 5 || return 1
	tmux -L "$TMUX_SOCKET" kill-session -t main
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
	if kill -0 "$pid" 2>/dev/null; then
		fail "the console still runs 2 s after its terminal went away ($(ps -o pcpu= -p "$pid")% CPU)"
		kill "$pid"
		return 1
	fi
	# The second console takes the policy over at its next 5 s retry; on a
	# loaded machine that retry may come late, so allow two of them.
	second=$(cmdr_pid "$CMDR -i $dir --as bob")
	i=0
	while [ $i -lt 120 ]; do
		if lock_held "$dir/locks/.policy.lock" && grep -q "(pid $second)" "$dir/locks/.policy.lock"; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	fail "the second console did not take the policy lock: $(cat "$dir/locks/.policy.lock")"
}
ok "a console whose terminal hangs up ends at once, and another console takes its policy over" hangup_ends_console

ok "no sanitizer reports" sanitizer_clean
