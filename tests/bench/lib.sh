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
