# Shared by the shell tests: result lines, temporary directories, and a
# tmux session to drive the real binary in a real terminal.
# Each test script sources this with CMDR set to the binary under test.
: "${CMDR:?CMDR must name the cmdr binary}"
: "${TESTS_DIR:=$(cd "$(dirname "$0")/.." && pwd)}"
TOP=$(cd "$TESTS_DIR/.." && pwd)
DRILLS="$TOP/drills"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cmdr-test.XXXXXX")
TMUX_SOCKET="cmdr-test-$$-0"
TERMS=0
# Sanitizer builds write their reports here rather than into a terminal
# nobody reads; sanitizer_clean turns any report into a failure.
export ASAN_OPTIONS="log_path=$WORK/sanitizer:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="log_path=$WORK/sanitizer:print_stacktrace=1:${UBSAN_OPTIONS:-}"
STUB_PID=
trap 'stub_stop; term_end; rm -rf "$WORK"' EXIT INT TERM
# The tests run under an empty config of their own (the defaults), never
# the developer's ./cmdr.json or ~/.config/cmdr/config.json.
echo '{}' >"$WORK/config.json"
export CMDR_CONFIG="$WORK/config.json" XDG_CONFIG_HOME="$WORK/xdg" XDG_CACHE_HOME="$WORK/xdg-cache" XDG_STATE_HOME="$WORK/xdg-state"

sanitizer_clean() {
	term_end
	sleep 0.2
	for f in "$WORK"/sanitizer.*; do
		[ -e "$f" ] || continue
		head -20 "$f" | sed 's/^/#   /'
		return 1
	done
}

# --- a scripted HTTP server (tests/stub_http.py) --------------------------
# stub_start SCRIPT-JSON: a fresh stub serving that script; sets PORT, BASE
# (http://127.0.0.1:PORT) and LOG (the stub's log of requests and mismatches).
stub_start() {
	stub_stop
	STUB_N=$(( ${STUB_N:-0} + 1 ))
	printf '%s\n' "$1" >"$WORK/script$STUB_N.json"
	LOG="$WORK/stub$STUB_N.log"
	rm -f "$WORK/port"
	python3 "$TESTS_DIR/stub_http.py" "$WORK/script$STUB_N.json" "$WORK/port" "$LOG" 2>"$WORK/stub.err" &
	STUB_PID=$!
	i=0
	while [ ! -s "$WORK/port" ]; do
		[ $i -lt 100 ] && kill -0 "$STUB_PID" 2>/dev/null ||
			{ fail "the stub did not start: $(cat "$WORK/stub.err")"; return 1; }
		sleep 0.05
		i=$((i + 1))
	done
	PORT=$(cat "$WORK/port")
	BASE="http://127.0.0.1:$PORT"
}

stub_stop() {
	[ -n "$STUB_PID" ] || return 0
	kill "$STUB_PID" 2>/dev/null
	wait "$STUB_PID" 2>/dev/null
	STUB_PID=
}

# No request the script did not expect.
stub_no_mismatch() {
	! grep MISMATCH "$LOG" || fail "the server saw a request it did not expect"
}

# ok NAME CONDITION-COMMAND...: runs the command; prints the result line.
ok() {
	_ok_name=$1; shift
	if "$@"; then echo "ok - $_ok_name"; else echo "not ok - $_ok_name"; fi
}

# Prints why, then fails: for use inside checks.
fail() {
	echo "#   $*"
	return 1
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# jq_is WHAT FILTER WANT: the filter's value on $WORK/status.json (numbers
# rounded to 3 decimals, so that 4.999999999999996 is 5).
jq_is() {
	_got=$(jq -r "$2 | if type == \"number\" then (. * 1000 | round / 1000) else . end" "$WORK/status.json")
	expect_eq "$1" "$_got" "$3"
}

# checkpoint_alike: every journal this script made, opened from a
# checkpoint kept at any of several of its lines, holds what replaying it
# whole gives (tests/unit/test_checkpoint.c).
checkpoint_alike() {
	case ${BUILD:-build} in /*) _b=$BUILD ;; *) _b=$TOP/${BUILD:-build} ;; esac
	set -- $(find "$WORK" -name journal.jsonl -size -8M 2>/dev/null)
	[ $# -gt 0 ] || { fail "no journal to compare"; return 1; }
	"$_b/tests/test_checkpoint" "$@" >"$WORK/checkpoint.out" 2>&1
	_rc=$?
	grep -v '^ok - ' "$WORK/checkpoint.out" | sed 's/^not ok - /#   not alike: /'
	return $_rc
}

# A fresh, empty incident directory.
newdir() {
	mktemp -d "$WORK/incident.XXXXXX"
}

# runbooks_make DIR N: N runbooks r0001.md ... in DIR, each a copy of
# runbooks/canary-regression.md with its own title.
runbooks_make() {
	mkdir -p "$1"
	_i=1
	while [ $_i -le "$2" ]; do
		sed "s/^# .*/# Runbook $_i/" "$TOP/runbooks/canary-regression.md" >"$1/r$(printf %04d $_i).md"
		_i=$((_i + 1))
	done
}

# journal_wait DIR JQ-FILTER [SECONDS]: waits until the filter, applied to
# the journal's entries as one array, is true (another process writes it).
journal_wait() {
	limit=$(( ${3:-5} * 10 ))
	i=0
	while [ $i -lt $limit ]; do
		jq -e -s "$2" "$1/journal.jsonl" >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "#   timed out waiting for the journal to satisfy: $2"
	return 1
}

# --- tmux ---------------------------------------------------------------
# term_start COLS ROWS COMMAND...: starts the command in a fresh terminal,
# on a tmux server of its own (a new socket each time: a server that is
# still shutting down must not take the new session with it).
term_start() {
	cols=$1 rows=$2; shift 2
	term_end
	TERMS=$((TERMS + 1))
	TMUX_SOCKET="cmdr-test-$$-$TERMS"
	TERM_ON=main
	tmux -L "$TMUX_SOCKET" -f /dev/null new-session -d -s main -x "$cols" -y "$rows" \
		"env TERM=xterm-256color LANG=C.UTF-8 $*; echo '[exited]'; sleep 30"
}

# term_end: ends every console still running in this server's panes with
# SIGTERM, waits for them (an ASan build checks for leaks on the way out),
# then kills the server. Killing the server first would hang the pane's
# process group up: the SIGCONT that comes with it can resume a process
# that LeakSanitizer has just stopped to scan, and the scan then never
# ends (the process spins at exit for good).
term_end() {
	_pids=$(tmux -L "$TMUX_SOCKET" list-panes -a -F '#{pane_pid}' 2>/dev/null)
	for _p in $_pids; do
		pkill -TERM -P "$_p" -x cmdr 2>/dev/null
	done
	_i=0
	while [ $_i -lt 100 ]; do
		_alive=
		for _p in $_pids; do
			pgrep -P "$_p" -x cmdr >/dev/null && _alive=1
		done
		[ -n "$_alive" ] || break
		sleep 0.1
		_i=$((_i + 1))
	done
	tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
}

# term_add NAME COLS ROWS COMMAND...: a second terminal beside the first
# (another person's console); `TERM_ON=NAME` then directs the term_ calls.
term_add() {
	_term=$1 cols=$2 rows=$3; shift 3
	tmux -L "$TMUX_SOCKET" new-session -d -s "$_term" -x "$cols" -y "$rows" \
		"env TERM=xterm-256color LANG=C.UTF-8 $*; echo '[exited]'; sleep 30"
}

term_keys() {
	tmux -L "$TMUX_SOCKET" send-keys -t "${TERM_ON:-main}" "$@"
}

term_screen() {
	tmux -L "$TMUX_SOCKET" capture-pane -p -t "${TERM_ON:-main}"
}

# term_wait TEXT [SECONDS]: waits until TEXT is on the screen (fixed string).
term_wait() {
	limit=$(( ${2:-10} * 10 ))
	i=0
	while [ $i -lt $limit ]; do
		term_screen | grep -qF -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "#   timed out waiting for '$1'; the screen was:"
	term_screen | sed 's/^/#   | /'
	return 1
}

# drill_jump_until PATTERN: pauses the drill console, then jumps from event
# to event (>) until PATTERN (grep) is on the screen.
drill_jump_until() {
	term_keys p
	i=0
	while ! term_screen | grep -q -- "$1"; do
		[ $i -lt 40 ] || { fail "the drill never showed '$1'"; return 1; }
		term_keys '>'
		sleep 0.1
		i=$((i + 1))
	done
}
