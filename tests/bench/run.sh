#!/bin/sh
# Terminal-conduct benchmark (DESIGN.md, "Terminal conduct"): runs cmdr (and
# htop, when installed, as the reference) in a pseudo-terminal through
# $BUILD/tests/ptyrun; its rows go into make bench's one table
# (tests/bench/lib.sh). The exit status is non-zero only when the harness
# itself broke.
# Env: BUILD (build dir), CMDR (absolute path of the binary to measure).
# Takes about a minute.
set -u
: "${BUILD:=build}"
: "${CMDR:?CMDR must be the absolute path of the cmdr binary}"
top=$(cd "$(dirname "$0")/../.." && pwd)
PTYRUN=$BUILD/tests/ptyrun
case $PTYRUN in /*) ;; *) PTYRUN=$top/$PTYRUN ;; esac
DRILL=$top/drills/friday-1714.json
IDLE_S=${BENCH_IDLE_S:-10}
KEY_PRESSES=100
TAB=$(printf '\t')

for f in "$PTYRUN" "$CMDR"; do
	if [ ! -x "$f" ]; then
		echo "bench: $f is missing or not executable" >&2
		exit 1
	fi
done
[ -f "$DRILL" ] || { echo "bench: $DRILL is missing" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/cmdr-bench.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
broken=0
. "$top/tests/bench/lib.sh"

# measure NAME PTYRUN-ARGS... -- COMMAND...: results in $work/NAME.out.
measure() {
	name=$1; shift
	"$PTYRUN" "$@" >"$work/$name.out" 2>"$work/$name.err"
	rc=$?
	if [ $rc -ne 0 ] || ! grep -q '^timeout=' "$work/$name.out"; then
		echo "bench: ptyrun failed for $name (status $rc):" >&2
		cat "$work/$name.err" >&2
		broken=1
	fi
}

# get NAME KEY: the value, or nothing.
get() {
	sed -n "s/^$2=//p" "$work/$1.out" 2>/dev/null | head -n 1
}

# cmdr in a fresh journal directory each run.
cmdr_run() {
	name=$1 size=$2 speed=$3; shift 3
	mkdir "$work/journal-$name" || { broken=1; return; }
	measure "$name" --size "$size" --wait-for DRILL --timeout 45 \
		--dump-idle "$work/$name.idle" "$@" --quit q -- \
		"$CMDR" drill "$DRILL" --speed "$speed" -i "$work/journal-$name"
	st=$(get "$name" exit_status) sig=$(get "$name" exit_signal)
	if [ -n "$sig" ]; then ended="signal $sig"; else ended="exit status ${st:-?}"; fi
	# a run that never drew or did not end cleanly is worth a line; one
	# that never drew has no figures at all, not even its RSS
	if [ "$(get "$name" first_frame)" != 1 ]; then
		note "$name: no first frame (\"DRILL\" never appeared); $ended"
		grep -v '^peak_rss_kb=' "$work/$name.out" >"$work/$name.tmp"
		mv "$work/$name.tmp" "$work/$name.out"
		return
	fi
	[ "$(get "$name" timeout)" = 1 ] && note "$name: hit the overall timeout"
	[ "$(get "$name" killed)" = 1 ] && note "$name: did not exit within 2 s of 'q'; killed"
	[ "$st" = 0 ] || note "$name: $ended after 'q'"
}

# USS counts a library's pages as cmdr's own only while no other process
# maps them: the processes that map cmdr's libraries (ncursesw, PCRE2,
# md4c) during the run are counted, and the figure says so.
# (awk, not grep: GNU grep maps PCRE2 itself.)
sharers() {
	awk 'BEGIN { for (i = 1; i < ARGC; i++) {
		while ((getline l < ARGV[i]) > 0) if (l ~ /libncursesw|libpcre2-8|libmd4c/) { n++; break }
		close(ARGV[i]) } print n + 0 }' /proc/[0-9]*/maps
}
sharers_before=$(sharers)
cmdr_run idle80 80x24 1 --idle "$IDLE_S" --keys "$TAB" --key-latency "$KEY_PRESSES"
sharers_after=$(sharers)
cmdr_run idle200 200x50 1 --idle "$IDLE_S"
cmdr_run busy80 80x24 64 --idle "$IDLE_S"
cmdr_run busy200 200x50 64 --idle "$IDLE_S"

# The live console while its one source never answers (a local server that
# reads each request and never replies): keys must not wait on it.
hang_pid=
if command -v python3 >/dev/null 2>&1; then
	echo '[{"repeat": true, "expect": {}, "respond": {"hang": true}}]' >"$work/hang.json"
	python3 "$top/tests/stub_http.py" "$work/hang.json" "$work/hang.port" "$work/hang.log" &
	hang_pid=$!
	i=0
	while [ ! -s "$work/hang.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	cat >"$work/hang-config.json" <<EOF
{ "sources": { "hung": { "type": "prometheus", "url": "http://127.0.0.1:$(cat "$work/hang.port")",
                         "refresh": "1s", "timeout": "30s" } },
  "slos": [ { "name": "api", "source": "hung", "objective": 0.999,
              "error_query": "sum(increase(errors_total[{{window}}]))",
              "total_query": "sum(increase(requests_total[{{window}}]))" } ] }
EOF
	mkdir "$work/journal-hang"
	measure hang80 --size 80x24 --wait-for "SLO BURN" --timeout 45 --idle 2 \
		--keys "$TAB" --key-latency "$KEY_PRESSES" --quit q -- \
		"$CMDR" -c "$work/hang-config.json" -i "$work/journal-hang"
	kill "$hang_pid" 2>/dev/null
	wait "$hang_pid" 2>/dev/null
fi

have_htop=0
if command -v htop >/dev/null 2>&1; then
	have_htop=1
	# its own HOME so that it runs with defaults and leaves the user's
	# htoprc alone (htop rewrites it on exit)
	mkdir -p "$work/htop-home"
	measure htop80 --size 80x24 --wait-for "Load average" --timeout 30 \
		--idle "$IDLE_S" --dump-idle "$work/htop80.idle" --quit q -- \
		env HOME="$work/htop-home" XDG_CONFIG_HOME="$work/htop-home/.config" \
		htop -d 10
fi

# --- the rows -------------------------------------------------------------

ff=$(get idle80 start_to_first_frame_ms)
i80=$(get idle80 idle_bytes_per_s)
i200=$(get idle200 idle_bytes_per_s)
b80=$(get busy80 idle_bytes_per_s)
b200=$(get busy200 idle_bytes_per_s)
p50=$(get idle80 key_p50_ms)
p99=$(get idle80 key_p99_ms)
ks=$(get idle80 key_samples)
km=$(get idle80 key_missed)
rss1=$(kb_to_mb "$(get idle80 peak_rss_kb)")
rss2=$(kb_to_mb "$(get busy200 peak_rss_kb)")
anon=$(kb_to_mb "$(get idle80 rss_anon_before_quit_kb)")
file=$(kb_to_mb "$(get idle80 rss_file_before_quit_kb)")

row "start to first frame" "cmdr 80x24 --speed 1, \"DRILL\" + 100 ms quiet" \
	"$(fmt "$ff" ms)" "-" "-"
row "output while idle" "cmdr 80x24 --speed 1 (between events)" \
	"$(fmt "$i80" B/s)" "<= 100 B/s" "$(verdict "$i80" '<=' 100)"
row "output while idle" "cmdr 200x50 --speed 1 (between events)" \
	"$(fmt "$i200" B/s)" "-" "-"
row "output while busy" "cmdr 80x24 --speed 64 (events firing)" \
	"$(fmt "$b80" B/s)" "-" "-"
row "output while busy" "cmdr 200x50 --speed 64 (events firing)" \
	"$(fmt "$b200" B/s)" "-" "-"
if [ $have_htop = 1 ]; then
	row "output while idle" "htop -d 10 80x24 (reference)" \
		"$(fmt "$(get htop80 idle_bytes_per_s)" B/s)" "about 500 B/s" "-"
else
	row "output while idle" "htop -d 10 80x24 (reference)" "n/a" "about 500 B/s" "htop not installed"
fi
row "keypress to output p50" "cmdr 80x24 --speed 1, Tab x ${ks:-0} (${km:-?} missed)" \
	"$(fmt "$p50" ms)" "-" "-"
row "keypress to output p99" "cmdr 80x24 --speed 1, Tab x ${ks:-0} (${km:-?} missed)" \
	"$(fmt "$p99" ms)" "< 10 ms" "$(verdict "$p99" '<' 10)"
row "keypress until quiet p50/p99" "the same presses: to the end of the frame's output" \
	"$(fmt "$(get idle80 key_settle_p50_ms)" ms) / $(fmt "$(get idle80 key_settle_p99_ms)" ms)" "-" "-"
row "keypress to output p50" "live, its source never answers, Tab x $(get hang80 key_samples)" \
	"$(fmt "$(get hang80 key_p50_ms)" ms)" "-" "-"
row "keypress to output p99" "live, its source never answers, Tab x $(get hang80 key_samples)" \
	"$(fmt "$(get hang80 key_p99_ms)" ms)" "< 10 ms" "$(verdict "$(get hang80 key_p99_ms)" '<' 10)"
row "peak RSS" "drill 80x24 --speed 1, idle + keys" \
	"$(fmt "$rss1" MB)" "< 8 MB" "$(verdict "$rss1" '<' 8)"
row "peak RSS" "drill 200x50 --speed 64" \
	"$(fmt "$rss2" MB)" "< 8 MB" "$(verdict "$rss2" '<' 8)"
uss=$(kb_to_mb "$(get idle80 uss_before_quit_kb)")
if [ "$sharers_before" -eq 0 ] && [ "$sharers_after" -eq 0 ]; then
	shared="alone"
else
	shared="$sharers_before/$sharers_after others share its libs: too low"
fi
row "USS before quit" "drill 80x24: Private_Clean + Private_Dirty ($shared)" \
	"$(fmt "$uss" MB)" "<= 2 MB" "$(verdict "$uss" '<=' 2)"
row "  of which before quit" "cmdr 80x24: anon (heap, stacks) / file (libs)" \
	"$(fmt "${anon:+$anon / $file}" MB)" "-" "-"
"$BUILD/tests/rss_floor" >"$work/floor.out" 2>&1 || note "tests/rss_floor failed: $(head -n 1 "$work/floor.out")"
row "  floor: the libraries" "any program linked with cmdr's $(ldd "$CMDR" | wc -l) libraries, at main()" \
	"$(fmt "$(kb_to_mb "$(sed -n 's/^rss_kb=//p' "$work/floor.out")")" MB)" "-" "-"
row "  floor: + libcurl" "the same once libcurl is loaded (a live console's first request)" \
	"$(fmt "$(kb_to_mb "$(sed -n 's/^rss_init_kb=//p' "$work/floor.out")")" MB)" "-" "-"
# Start-up, side by side with htop: each --version 50 times, in turn, in
# microseconds a run (the median of five rounds).
per_run_us() {
	_s=$(date +%s%N)
	_i=0
	while [ $_i -lt 50 ]; do "$@" >/dev/null 2>&1; _i=$((_i + 1)); done
	echo $(( ($(date +%s%N) - _s) / 50000 ))
}
if [ $have_htop = 1 ]; then
	: >"$work/startup"
	for round in 1 2 3 4 5; do
		echo "$(per_run_us "$CMDR" --version) $(per_run_us htop --version)" >>"$work/startup"
	done
	ratio=$(awk '{ print $1 / $2 }' "$work/startup" | sort -n | sed -n 3p)
	us=$(awk '{ print $1 }' "$work/startup" | sort -n | sed -n 3p)
	hus=$(awk '{ print $2 }' "$work/startup" | sort -n | sed -n 3p)
	row "start-up, --version" "cmdr / htop, 50 runs each, median of 5 rounds" \
		"$(printf '%.1fx' "$ratio")" "<= 3x" "$(verdict "$ratio" '<=' 3)"
	row "  of which" "cmdr --version / htop --version, a run" "${us} / ${hus} us" "-" "-"
fi
if [ $have_htop = 1 ]; then
	row "peak RSS" "htop -d 10 80x24 (reference)" \
		"$(fmt "$(kb_to_mb "$(get htop80 peak_rss_kb)")" MB)" "-" "-"
fi

# What an idle cmdr sends, when it sends more than the goal allows.
if [ "$(verdict "$i80" '<=' 100)" = MISSED ] && [ -s "$work/idle80.idle" ]; then
	note "idle output sample, cmdr 80x24 --speed 1 (first 400 bytes, cat -v): $(head -c 400 "$work/idle80.idle" | cat -v)"
fi
[ $broken = 0 ]
