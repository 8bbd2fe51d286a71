#!/bin/sh
# make soak: the drill console at full speed through several simulated days
# (tests/soak/scenario.jq: canary rollbacks, pages, promotions, burn bursts,
# traffic flips) in a real terminal, keys pressed all along so every pane
# and dialog is drawn, while another shell appends notes and updates to
# the same journal and a second (live) console follows it. Samples both
# consoles from /proc every SOAK_INTERVAL seconds and fails, with a
# one-line reason, when the RSS, the open descriptors or the CPU per
# appended journal line grow, when a console dies or stops drawing, or
# when the journal does not verify. Then a shorter run of the same under
# valgrind, and the friday-1714 headless drill under valgrind: no errors,
# no definitely lost bytes.
#
# Env: CMDR (the binary), BUILD (where journal_fill is), SOAK_DAYS (3),
# SOAK_SPEED (1024), SOAK_INTERVAL (seconds between samples, 8),
# SOAK_WRITE_MS (milliseconds between two notes of the steady writer, 100),
# SOAK_CLI_EVERY (seconds between two cmdr note/update, 2),
# SOAK_VALGRIND_SECONDS (45; 0 skips the valgrind runs).
set -u
: "${CMDR:?CMDR must be the absolute path of the cmdr binary}"
TESTS_DIR=$(cd "$(dirname "$0")/.." && pwd)
. "$TESTS_DIR/lib.sh"
DAYS=${SOAK_DAYS:-3}
SPEED=${SOAK_SPEED:-1024}
INTERVAL=${SOAK_INTERVAL:-8}
WRITE_MS=${SOAK_WRITE_MS:-100}
CLI_EVERY=${SOAK_CLI_EVERY:-2}
VG_SECONDS=${SOAK_VALGRIND_SECONDS:-45}
COLS=80 ROWS=24     # the drill console: the smallest supported terminal
FCOLS=200 FROWS=50  # the follower: the two-column layout
HZ=$(getconf CLK_TCK)
FILL=$TOP/${BUILD:-build}/tests/journal_fill
NFILL=$(($(sed -n 's/^#define TIMELINE_MAX \([0-9]*\).*/\1/p' "$TOP/core/model/timeline.h") + 100))
HELPERS= WRITER=
cleanup() {
	touch "$WORK/stop"
	for p in $WRITER $HELPERS; do kill "$p" 2>/dev/null; done
	wait
	tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cd "$TOP" || exit 1

# Notifications on, to the drill sink (DIR/notifications.jsonl), so the
# notifier runs too; nothing is sent anywhere.
# The shell and the follower are not drills: they keep the empty config, or
# they would try to reach Slack.
echo '{ "notify": { "slack": { "webhook_env": "CMDR_SOAK_SLACK" } } }' >"$WORK/drill.json"
export CMDR_SOAK_SLACK=https://hooks.slack.invalid/soak
jq -n --argjson days "$DAYS" -f "$TESTS_DIR/soak/scenario.jq" >"$WORK/soak.json" ||
	{ echo "soak: FAIL: cannot generate the scenario"; exit 1; }
"$CMDR" drill "$WORK/soak.json" --headless --until +1s -i "$WORK/check" >/dev/null ||
	{ echo "soak: FAIL: the scenario does not load"; exit 1; }
SIM_SECONDS=$((DAYS * 86400))
REAL_SECONDS=$(awk -v s=$SIM_SECONDS -v x="$SPEED" 'BEGIN { printf "%d", s / x + 0.999 }')
FAILS=""
failed() {
	echo "soak: FAIL: $*"
	FAILS="$FAILS${FAILS:+; }$*"
}

# start_console NAME COLS ROWS COMMAND...: a terminal of its own on the
# shared tmux server; the command is exec'd so $WORK/NAME.pid is its pid.
start_console() {
	_n=$1 _c=$2 _r=$3; shift 3
	rm -f "$WORK/$_n.pid"
	tmux -L "$TMUX_SOCKET" -f /dev/null new-session -d -s "$_n" -x "$_c" -y "$_r" \
		"echo \$\$ >'$WORK/$_n.pid'; exec env TERM=xterm-256color LANG=C.UTF-8 $*"
	i=0
	while [ ! -s "$WORK/$_n.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	cat "$WORK/$_n.pid"
}

# Another person at a shell on the same incident: a note every CLI_EVERY
# seconds, every fifth a stakeholder update. Each cmdr call replays the
# whole journal before it appends, so its own cost grows with the journal;
# the steady writer (journal_fill, below) carries the rate instead, at a
# cost that does not, so that the consoles' CPU is not measured against a
# neighbour that gets heavier as the run goes on.
appender() {
	i=0
	while [ ! -e "$WORK/stop" ]; do
		i=$((i + 1))
		if [ $((i % 5)) = 0 ]; then
			"$CMDR" update "soak update $i: canaries still failing, rollbacks verified" -i "$1" --as dana
		else
			"$CMDR" note "soak note $i from a shell beside the console" -i "$1" --as dana
		fi >/dev/null 2>>"$WORK/appender.err" || echo "$i" >>"$WORK/appender.failed"
		sleep "$CLI_EVERY"
	done
}

# writer DIR: a note every WRITE_MS milliseconds through the core's
# incident_note, in one process, until the stop (SIGTERM).
writer() {
	"$FILL" "$1" 100000000 "$WRITE_MS" >/dev/null 2>"$WORK/writer.err" &
	WRITER=$!
}

# Ends the writer, the shell and the key presses, and waits for them.
helpers_stop() {
	touch "$WORK/stop"
	[ -z "$WRITER" ] || kill "$WRITER" 2>/dev/null
	for p in $WRITER $HELPERS; do wait "$p" 2>/dev/null; done
	WRITER= HELPERS=
	[ ! -s "$WORK/writer.err" ] || failed "journal_fill: $(head -1 "$WORK/writer.err")"
}

# The commander at the console: one group of keys a second, so that every
# pane, the timeline and its filter, and each dialog is drawn again and
# again; notes, updates, severity and runbook ticks go through the
# console's own actions. Never q, p, + or -.
keys() {
	k=0
	while [ ! -e "$WORK/stop" ]; do
		case $((k % 12)) in
		0) term_keys t ;;
		1) term_keys / "rollback|canary|fires" Enter ;;
		2) term_keys k k k j ;;
		3) term_keys / C-u Enter ;;
		4) term_keys t ;;
		5) term_keys '?'; sleep 0.3; term_keys Escape ;;
		6) term_keys S; sleep 0.3; term_keys Escape ;;
		7) term_keys n "console note $k: checked the canary pane" Enter ;;
		8) term_keys u "console update $k: rollbacks verified, watching burn" Enter ;;
		9) case $((k / 12 % 4)) in
			0) term_keys : "sev SEV1" Enter ;;
			1) term_keys : "sev SEV2 burn is clearing between bursts" Enter ;;
			2) term_keys : "timecheck on 10m" Enter ;;
			3) term_keys : "every 20m" Enter ;;
			esac ;;
		10)	# Each pane in turn, then a runbook step further down each
			# time (ticked; once all are, the untick dialog is closed).
			term_keys Tab j Tab j Tab j Tab Enter
			j=0
			while [ $j -le $((k / 12 % 12)) ]; do term_keys j; j=$((j + 1)); done
			term_keys Space; sleep 0.2; term_keys Escape; sleep 0.1; term_keys Escape ;;
		11) term_keys r; sleep 0.3; term_keys Escape; sleep 0.1; term_keys C-l ;;
		esac
		# A dialog left open (a refusal, an untick asking why) is closed.
		sleep 0.5
		term_screen | grep -q "Esc cancel\|Esc close" && term_keys Escape
		sleep 0.5
		k=$((k + 1))
	done
}

# The console's status line ("HH:MM[:SS] ... DRILL ... #ENTRIES HEAD", the
# seconds and two hash digits gone on a crowded 80-column line): the
# help screen covers it at 80x24 for a moment, so it is looked for again.
status_of() {
	i=0
	while [ $i -lt 20 ]; do
		tmux -L "$TMUX_SOCKET" capture-pane -p -t "$1" |
			grep -E '^ [0-9]{2}:[0-9]{2}(:[0-9]{2})? .*(DRILL|LIVE).* #[0-9]+ [0-9a-f]{4,6}' | tail -n 1 |
			grep . && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
entries_of() {
	status_of "$1" | sed -n 's/.* #\([0-9]*\) [0-9a-f]*[[:space:]]*$/\1/p'
}

# proc_sample PID: "RSS_kB HWM_kB FDS TICKS CPU_us", or nothing when it is
# gone. TICKS: utime + stime (/proc/PID/stat fields 14 and 15, counted
# after the ")" that ends the command name); CPU_us: the same time from
# /proc/PID/schedstat in microseconds (ticks are 10 ms, too coarse to tell
# one interval from the next for a console that idles at 1%), from the
# ticks when the kernel has no schedstat.
proc_sample() {
	[ -r "/proc/$1/status" ] || return 1
	_rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	_hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	_fds=$(ls "/proc/$1/fd" 2>/dev/null | wc -l)
	_ticks=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }')
	_us=$(awk '{ printf "%d", $1 / 1000 }' "/proc/$1/schedstat" 2>/dev/null)
	[ -n "$_us" ] || _us=$((_ticks * 1000000 / HZ))
	[ -n "$_rss" ] && [ -n "$_ticks" ] && echo "$_rss $_hwm $_fds $_ticks $_us"
}

wait_gone() {
	i=0
	while [ -d "/proc/$1" ] && [ $i -lt "$2" ]; do sleep 0.1; i=$((i + 1)); done
	[ ! -d "/proc/$1" ]
}

# ---------------------------------------------------------------------------
echo "soak: $DAYS simulated days at x$SPEED: about $REAL_SECONDS s; drill console ${COLS}x$ROWS," \
	"follower ${FCOLS}x$FROWS; a sample every $INTERVAL s; appends: a note every $WRITE_MS ms (journal_fill)," \
	"a cmdr note or update every $CLI_EVERY s, and the drill's own; keys every second;" \
	"the journal filled with $NFILL notes first"
START=$(date +%s)
dir="$WORK/incident"
mkdir "$dir"
pid=$(start_console drill $COLS $ROWS "CMDR_CONFIG='$WORK/drill.json' '$CMDR' drill '$WORK/soak.json' --speed $SPEED -i '$dir' --as ic")
TERM_ON=drill
term_wait "DRILL ic commander" 10 || { echo "soak: FAIL: the drill console did not start"; exit 1; }
term_keys : "declare SEV2 soak: canaries failing for $DAYS days" Enter
journal_wait "$dir" 'any(.action == "declare" and .outcome == "declared")' 10 ||
	{ echo "soak: FAIL: the console's declaration never reached the journal"; exit 1; }
# Past the timeline's bound before anything is measured: every console
# keeps only the latest TIMELINE_MAX entries, so from here on each new
# line drops an old one, and the kept history no longer grows.
"$FILL" "$dir" "$NFILL" >/dev/null || { echo "soak: FAIL: journal_fill could not append"; exit 1; }
i=0
until [ "$(entries_of drill)" = "$(wc -l <"$dir/journal.jsonl")" ]; do
	[ $i -lt 100 ] || { echo "soak: FAIL: the drill console never read the warm-up notes"; exit 1; }
	sleep 0.1
	i=$((i + 1))
done
fpid=$(start_console follower $FCOLS $FROWS "'$CMDR' -i '$dir' --as fran --role observer")
TERM_ON=follower term_wait "LIVE fran observer" 10 || { echo "soak: FAIL: the follower did not start"; exit 1; }
writer "$dir"
appender "$dir" &
HELPERS="$HELPERS $!"
keys &
HELPERS="$HELPERS $!"

printf '%5s %8s | %7s %7s %3s %5s %6s %7s | %7s %3s %5s %7s | %5s %6s %3s\n' \
	t sim rss_kB hwm_kB fds ticks cpu_ms us/line f.rss_kB fds ticks us/line lines total lag
t0=$(date +%s)
set -- $(proc_sample "$pid") $(proc_sample "$fpid")
pticks=$4 pus=$5 fpticks=${9:-0} fpus=${10:-0}
plines=$(wc -l <"$dir/journal.jsonl")
psim= pfstatus=
: >"$WORK/samples"
while :; do
	sleep "$INTERVAL"
	now=$(($(date +%s) - t0))
	set -- $(proc_sample "$pid")
	[ $# = 5 ] || { failed "the drill console died after $now s"; break; }
	rss=$1 hwm=$2 fds=$3 ticks=$4 us=$5
	set -- $(proc_sample "$fpid")
	[ $# = 5 ] || { failed "the follower console died after $now s"; break; }
	frss=$1 ffds=$3 fticks=$4 fus=$5
	lines=$(wc -l <"$dir/journal.jsonl")
	fstatus=$(status_of follower) || { failed "the follower stopped drawing at $now s (no status line)"; break; }
	[ "$fstatus" != "$pfstatus" ] || { failed "the follower stopped drawing at $now s (status line unchanged)"; break; }
	pfstatus=$fstatus
	status=$(status_of drill) || { failed "the drill console stopped drawing at $now s (no status line)"; break; }
	sim=$(echo "$status" | awk '{ print $1 }')
	[ "$sim" != "$psim" ] || { failed "the drill console stopped drawing at $now s (clock still at $sim)"; break; }
	entries=$(echo "$status" | sed -n 's/.* #\([0-9]*\) [0-9a-f]*[[:space:]]*$/\1/p')
	# One record per interval: t sim lines rss hwm fds ticks us f.rss f.fds f.ticks f.us lag
	echo "$now $sim $((lines - plines)) $rss $hwm $fds $((ticks - pticks)) $((us - pus))" \
		"$frss $ffds $((fticks - fpticks)) $((fus - fpus)) $((lines - ${entries:-0})) $lines" |
		tee -a "$WORK/samples" |
		awk '{ printf "%5d %8s | %7d %7d %3d %5d %6.1f %7.0f | %7d %3d %5d %7.0f | %5d %6d %3d\n",
			$1, $2, $4, $5, $6, $7, $8 / 1000, $3 ? $8 / $3 : 0, $9, $10, $11, $3 ? $12 / $3 : 0, $3, $14, $13 }'
	pticks=$ticks pus=$us fpticks=$fticks fpus=$fus plines=$lines psim=$sim
	[ "$now" -ge "$REAL_SECONDS" ] && break
	[ $((now + INTERVAL)) -gt "$((REAL_SECONDS + INTERVAL / 2))" ] && break
done
helpers_stop

# Both consoles have read every line (the status line's entry count).
sleep 2
lines=$(wc -l <"$dir/journal.jsonl")
for c in drill follower; do
	[ -d "/proc/$pid" ] && [ -d "/proc/$fpid" ] || break
	got=$(entries_of $c)
	[ "$got" = "$lines" ] || failed "the $c console shows $got journal entries, the journal has $lines"
done
TERM_ON=drill term_keys Escape
TERM_ON=follower term_keys Escape
sleep 0.3
TERM_ON=drill term_keys q
TERM_ON=follower term_keys q
wait_gone "$pid" 100 || failed "the drill console did not quit on q"
wait_gone "$fpid" 100 || failed "the follower did not quit on q"
[ -s "$WORK/appender.failed" ] &&
	failed "$(wc -l <"$WORK/appender.failed") cmdr note/update calls failed: $(head -1 "$WORK/appender.err")"
verify=$("$CMDR" audit verify -i "$dir" 2>&1) || failed "cmdr audit verify: $verify"
# What kept the panes busy, from the journal.
jq -r -s '"journal: " + ([
	(map(select(.action == "rollback" and .outcome == "verified")) | length | tostring) + " rollbacks verified",
	(map(select(.action == "rollback" and .outcome == "failed")) | length | tostring) + " failed",
	(map(select(.action == "page")) | length | tostring) + " canary pages",
	(map(select(.action == "signal")) | length | tostring) + " signals (burn tiers firing, failed windows)",
	(map(select(.actor.as == "ic" and .action == "note")) | length | tostring) + " notes",
	(map(select(.actor.as == "ic" and .action == "update")) | length | tostring) + " updates",
	(map(select(.actor.as == "ic" and (.action == "severity" or .action == "timecheck" or .action == "update_every"))) | length | tostring) + " : commands",
	(map(select(.action == "tick" or .action == "untick")) | length | tostring) + " runbook ticks from the console",
	(map(select(.actor.as == "dana")) | length | tostring) + " cmdr note/update from the shell",
	(map(select(.action == "notify")) | length | tostring) + " notifications"
	] | join(", "))' "$dir/journal.jsonl"

# Quarters of the samples, the first one left out (start-up: the runbooks,
# the curses windows, the first notes). Medians for RSS and CPU (one noisy
# sample moves neither), minima for descriptors (a lock held for a
# rollback in flight when the sample is taken is not a leak; a leak
# raises the minimum).
awk '
function median(a, lo, hi,   n, i, j, t, b) {
	n = 0
	for (i = lo; i <= hi; i++) b[++n] = a[i]
	for (i = 2; i <= n; i++) { t = b[i]; for (j = i - 1; j >= 1 && b[j] > t; j--) b[j + 1] = b[j]; b[j + 1] = t }
	return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
}
function minimum(a, lo, hi,   i, m) { m = a[lo]; for (i = lo; i <= hi; i++) if (a[i] < m) m = a[i]; return m }
{ n++; rss[n] = $4; hwm[n] = $5; fd[n] = $6; tk[n] = $7; frss[n] = $9; ffd[n] = $10; ftk[n] = $11
  cost[n] = $3 ? $8 / $3 : 0; fcost[n] = $3 ? $12 / $3 : 0; lines += $3; tot[n] = $14 }
END {
	if (n < 5) { print "FAIL only " n " samples: too few to judge"; exit }
	q = int((n - 1) / 4); if (q < 1) q = 1
	a1 = 2; b1 = 1 + q; a4 = n - q + 1; b4 = n
	r1 = median(rss, a1, b1); r4 = median(rss, a4, b4)
	f1 = median(frss, a1, b1); f4 = median(frss, a4, b4)
	d1 = minimum(fd, a1, b1); d4 = minimum(fd, a4, b4)
	e1 = minimum(ffd, a1, b1); e4 = minimum(ffd, a4, b4)
	c1 = median(cost, a1, b1); c4 = median(cost, a4, b4)
	g1 = median(fcost, a1, b1); g4 = median(fcost, a4, b4)
	t1 = median(tk, a1, b1); t4 = median(tk, a4, b4)
	u1 = median(ftk, a1, b1); u4 = median(ftk, a4, b4)
	printf "summary: %d samples, quarters of %d (samples %d-%d and %d-%d); %d journal lines appended while sampled, the journal %d -> %d lines\n", n, q, a1, b1, a4, b4, lines, tot[1], tot[n]
	printf "summary: drill console RSS median %d kB -> %d kB (%+d kB), peak %d kB\n", r1, r4, r4 - r1, hwm[n]
	printf "summary: follower RSS median %d kB -> %d kB (%+d kB)\n", f1, f4, f4 - f1
	printf "summary: open fds (minimum) drill console %d -> %d, follower %d -> %d\n", d1, d4, e1, e4
	printf "summary: CPU ticks per interval (median) drill console %d -> %d, follower %d -> %d\n", t1, t4, u1, u4
	printf "summary: follow cost, CPU us per appended line (median): drill console %.0f -> %.0f, follower %.0f -> %.0f\n", c1, c4, g1, g4
	tol = r1 / 10 > 1024 ? r1 / 10 : 1024
	if (r4 - r1 > tol) printf "FAIL the drill console RSS grew %d kB (tolerance %d kB)\n", r4 - r1, tol
	tol = f1 / 10 > 1024 ? f1 / 10 : 1024
	if (f4 - f1 > tol) printf "FAIL the follower RSS grew %d kB (tolerance %d kB)\n", f4 - f1, tol
	if (d4 > d1) printf "FAIL the drill console holds %d more file descriptors\n", d4 - d1
	if (e4 > e1) printf "FAIL the follower holds %d more file descriptors\n", e4 - e1
	if (c4 > 2 * c1) printf "FAIL the drill console CPU per journal line grew from %.0f to %.0f us\n", c1, c4
	if (g4 > 2 * g1) printf "FAIL the follower CPU per journal line grew from %.0f to %.0f us\n", g1, g4
}' "$WORK/samples" >"$WORK/summary"
grep -v '^FAIL ' "$WORK/summary"
grep '^FAIL ' "$WORK/summary" >"$WORK/fails"
while IFS= read -r line; do
	failed "${line#FAIL }"
done <"$WORK/fails"
echo "soak: the soak took $(($(date +%s) - START)) s; journal: $verify"

# --- valgrind ---------------------------------------------------------------
# vg_judge NAME LOG RC: no error (the suppressions in valgrind.supp are
# PCRE2's JIT only), no definitely lost byte, and the exit status.
vg_judge() {
	errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$2" | tail -n 1)
	lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$2" | tail -n 1)
	inuse=$(sed -n 's/.*in use at exit: \([0-9,]*\) bytes.*/\1/p' "$2" | tail -n 1)
	echo "valgrind: $1: ${errors:-?} errors, ${lost:-0} bytes definitely lost, ${inuse:-?} bytes in use at exit (exit status $3)"
	if [ "${errors:-1}" != 0 ] || [ "${lost:-0}" != 0 ] || [ "$3" != 0 ]; then
		grep -A14 -E 'Invalid|uninitialised|definitely lost in' "$2" | head -40 | sed 's/^/#   /'
		failed "valgrind found ${errors:-?} errors and ${lost:-0} bytes definitely lost in $1 (exit status $3)"
	fi
}

if [ "$VG_SECONDS" -gt 0 ] && ! command -v valgrind >/dev/null; then
	failed "valgrind is not installed (make deps-test installs it)"
elif [ "$VG_SECONDS" -gt 0 ]; then
	VG="valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 --suppressions=$TESTS_DIR/soak/valgrind.supp"
	START=$(date +%s)
	vdir="$WORK/vg-incident"
	mkdir "$vdir"
	rm -f "$WORK/stop" "$WORK/vg.rc"
	echo "valgrind: the drill console for $VG_SECONDS s at x$SPEED, ${COLS}x$ROWS, the same keys and appends, then q"
	tmux -L "$TMUX_SOCKET" -f /dev/null new-session -d -s vg -x $COLS -y $ROWS \
		"env TERM=xterm-256color LANG=C.UTF-8 CMDR_CONFIG='$WORK/drill.json' $VG --log-file='$WORK/vg-console.log' '$CMDR' drill '$WORK/soak.json' --speed $SPEED -i '$vdir' --as ic; echo \$? >'$WORK/vg.rc'; sleep 30"
	TERM_ON=vg
	if term_wait "DRILL ic commander" 60; then
		term_keys : "declare SEV2 soak under valgrind" Enter
		writer "$vdir"
		appender "$vdir" &
		HELPERS="$HELPERS $!"
		keys &
		HELPERS="$HELPERS $!"
		sleep "$VG_SECONDS"
		helpers_stop
		echo "valgrind: the console had reached $(status_of vg | awk '{ print $1 }') (simulated) and $(entries_of vg) journal entries"
		term_keys Escape
		sleep 0.5
		term_keys Escape
		sleep 0.5
		term_keys q
		i=0
		while [ ! -s "$WORK/vg.rc" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
		if [ -s "$WORK/vg.rc" ]; then
			vg_judge "the drill console" "$WORK/vg-console.log" "$(cat "$WORK/vg.rc")"
		else
			failed "the drill console under valgrind did not quit within 120 s of q"
		fi
		verify=$("$CMDR" audit verify -i "$vdir" 2>&1) || failed "cmdr audit verify (valgrind run): $verify"
	else
		failed "the drill console did not start under valgrind within 60 s"
	fi
	tmux -L "$TMUX_SOCKET" kill-session -t vg 2>/dev/null

	echo "valgrind: cmdr drill drills/friday-1714.json --headless --script drills/friday-1714.script"
	$VG --log-file="$WORK/vg-headless.log" "$CMDR" drill drills/friday-1714.json --headless \
		--script drills/friday-1714.script -i "$WORK/vg-headless" >/dev/null 2>"$WORK/vg-headless.err"
	vg_judge "the headless drill" "$WORK/vg-headless.log" $?
	echo "valgrind: took $(($(date +%s) - START)) s"
fi

if [ -n "$FAILS" ]; then
	echo "soak: failed: $FAILS"
	exit 1
fi
echo "soak: passed"
