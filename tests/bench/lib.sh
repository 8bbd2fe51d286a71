# Shared by the bench scripts. Each figure is one row: figure, the
# condition it was measured under, value, goal, verdict. Under
# tests/bench/all.sh (make bench) rows go to $BENCH_ROWS and are printed
# there as one table; a script run on its own prints its rows as it goes.
# Notes (a run that did not end cleanly, say) go to $BENCH_NOTES, or stderr.

BENCH_FMT='%-28s %-58s %13s  %-14s %s\n'

row() {
	if [ -n "${BENCH_ROWS:-}" ]; then
		printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$BENCH_ROWS"
	else
		printf "$BENCH_FMT" "$1" "$2" "$3" "$4" "$5"
	fi
}

note() {
	if [ -n "${BENCH_NOTES:-}" ]; then echo "$*" >>"$BENCH_NOTES"; else echo "bench: $*" >&2; fi
}

# fmt VALUE UNIT: "n/a" when the value is missing.
fmt() {
	if [ -n "$1" ]; then printf '%s %s' "$1" "$2"; else printf 'n/a'; fi
}

# verdict VALUE OP LIMIT (OP: <, <= or >=): met, MISSED, or "-" (no figure).
verdict() {
	[ -n "$1" ] || { echo "-"; return; }
	awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
		if (op == "<=") ok = v + 0 <= l + 0
		else if (op == ">=") ok = v + 0 >= l + 0
		else ok = v + 0 < l + 0
		print ok ? "met" : "MISSED" }'
}

kb_to_mb() {
	[ -n "$1" ] && awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'
}

# ms_of COMMAND...: how long it ran, in microseconds (its output dropped).
ms_of() {
	_t=$(date +%s%N)
	"$@" >/dev/null 2>&1
	echo $(( ($(date +%s%N) - _t) / 1000 ))
}

# best_ms N COMMAND...: the fastest of N runs, in ms.
best_ms() {
	_n=$1; shift
	_i=0
	while [ $_i -lt "$_n" ]; do ms_of "$@"; _i=$((_i + 1)); done |
		sort -n | head -n 1 | awk '{ printf "%.1f", $1 / 1000 }'
}

# times_ms: reads the output of the shell's `times` and prints the user +
# system milliseconds of the children (its last line), one decimal.
times_ms() {
	tail -n 1 | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.1f", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000 }'
}

# For the benches against a real local Prometheus (tests/prom.sh), after
# top is set and this file sourced.
#
# prom_bench_setup NAME: checks BUILD and CMDR and makes BUILD absolute;
# makes the work folder WORK ($TMPDIR/cmdr-bench-NAME.XXXXXX, kept when
# BENCH_KEEP is set); on exit stops the console (CONSOLE_PID, when set)
# and Prometheus and removes WORK.
prom_bench_setup() {
	: "${BUILD:=build}"
	: "${CMDR:?CMDR must be the absolute path of the cmdr binary}"
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/cmdr-bench-$1.XXXXXX") || exit 1
	CONSOLE_PID=
	trap '[ -n "$CONSOLE_PID" ] && kill "$CONSOLE_PID" 2>/dev/null; prom_stop 2>/dev/null; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"' EXIT
	trap 'exit 130' INT TERM
	TESTS_DIR=$top/tests
	. "$top/tests/prom.sh"
	case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
}

# prom_snapshot HANDLERS: from one /metrics read (itself a connection,
# for the caller to take off), "CPU QUERIES CONNS": Prometheus's CPU
# seconds, the requests it answered on /api/v1/HANDLERS (an extended
# regular expression, e.g. 'query(_range)?') and the connections it
# accepted.
prom_snapshot() {
	curl -s "$PROM_URL/metrics" | awk -v h="$1" '
		/^process_cpu_seconds_total / { cpu = $2 }
		/^prometheus_http_requests_total\{/ && $0 ~ ("handler=\"/api/v1/(" h ")\"") { q += $NF }
		/^net_conntrack_listener_conn_accepted_total\{/ { c += $NF }
		END { printf "%s %d %d\n", cpu, q, c }'
}
