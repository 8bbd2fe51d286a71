#!/bin/sh
# Resource limits in the console (issue 8): a 100 MB journal, a 20 MB line,
# a 20 MB torn tail, a drill endpoint with 300 deployments, 1005 runbooks.
# The console opens (time to first frame reported, not asserted), its peak
# RSS (VmHWM) stays bounded, it says what it refused, and it answers keys.
. "$(dirname "$0")/../lib.sh"
# A sanitizer build's shadow memory multiplies the resident set, and its
# quarantine (256 MB of freed blocks by default) would hide what is live:
# a small quarantine, and bounds a multiple of the plain build's.
case ${BUILD:-build} in
*san*) RSS_SCALE=6 ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=4:thread_local_quarantine_size_kb=64" ;;
*) RSS_SCALE=1 ;;
esac

# The cmdr under the tmux pane (sh -c runs env, which execs cmdr).
console_pid() {
	pane=$(tmux -L "$TMUX_SOCKET" display-message -p -t "${TERM_ON:-main}" '#{pane_pid}')
	for p in $(pgrep -P "$pane"); do
		[ "$(cat /proc/"$p"/comm 2>/dev/null)" = cmdr ] && { echo "$p"; return; }
	done
}

# hwm LIMIT-KB NAME: the console's peak RSS, within the limit.
hwm() {
	pid=$(console_pid)
	[ -n "$pid" ] || { fail "$2: no cmdr process"; return 1; }
	kb=$(awk '/^VmHWM/ {print $2}' /proc/"$pid"/status)
	_lim=$(($1 * RSS_SCALE))
	echo "#   $2: VmHWM $kb KB (limit $_lim KB)"
	[ "$kb" -le "$_lim" ] || fail "$2: VmHWM $kb KB over $_lim KB"
}

# help_answers: ? opens the help, Esc closes it.
help_answers() {
	term_keys '?' && term_wait "any key closes" 3 && term_keys Escape && sleep 0.2 &&
	! term_screen | grep -qF "any key closes" || fail "the help did not close"
}

ms() { date +%s%N | cut -c1-13; }

big=$(newdir)
set -- $(python3 "$TESTS_DIR/gen_journal.py" "$big/journal.jsonl" 100)
N=$2
SUM=$(cksum <"$big/journal.jsonl")
open_big() {
	t0=$(ms)
	term_start 100 30 "$CMDR" -i "$big"
	term_wait "#$N " 30 || return 1
	echo "#   100 MB journal ($N entries): first frame after $(( $(ms) - t0 )) ms"
	hwm 40000 "console, 100 MB journal" && help_answers &&
	term_keys t && term_wait "note $((N - 1)) from" 3 &&
	term_keys q && term_wait "[exited]" 5 &&
	expect_eq cksum "$(cksum <"$big/journal.jsonl")" "$SUM"
}
ok "console on a 100 MB journal: opens, bounded memory, answers keys, journal untouched" open_big
rm -f "$big/journal.jsonl"

long=$(newdir)
set -- $(python3 "$TESTS_DIR/gen_journal.py" "$long/journal.jsonl" 0.1 --long 20000000)
LN=$2
open_long() {
	term_start 140 30 "$CMDR" -i "$long"
	term_wait "journal.jsonl:$((LN - 1)): entry of 2000" 10 &&
	term_wait "over the 1 MiB line limit; not read" 2 &&
	hwm 40000 "console, a 20 MB line" && help_answers &&
	term_keys t && term_wait "after the long line" 3 && term_keys q && term_wait "[exited]" 5
}
ok "console on a journal with a 20 MB line: says which line it skipped, answers keys" open_long

torn=$(newdir)
python3 "$TESTS_DIR/gen_journal.py" "$torn/journal.jsonl" 0.1 --torn 20000000 >/dev/null
open_torn() {
	term_start 140 30 "$CMDR" -i "$torn"
	term_wait "torn last line (20000000 bytes) was set aside" 10 &&
	hwm 40000 "console, a 20 MB torn tail" && help_answers && term_keys q && term_wait "[exited]" 5 &&
	expect_eq "side file" "$(cat "$torn"/journal.torn-* | wc -c)" 20000000 &&
	"$CMDR" audit verify "$torn/journal.jsonl" >/dev/null || fail "the journal does not verify after the repair"
}
ok "console on a 20 MB torn tail: set aside whole, journaled, bounded memory" open_torn

python3 - "$WORK/d300.json" <<'PY'
import json, sys
deps = [{"name": "d-%04d" % i, "traffic": 100 if i == 299 else 0, "created": "-%dh" % (300 - i)} for i in range(300)]
eps = [{"name": "big-endpoint", "deployments": deps}]
eps += [{"name": "ep-%03d" % k, "deployments": [{"name": "a", "traffic": 100}]} for k in range(40)]
json.dump({"title": "three hundred deployments", "start": "2024-09-13T17:00:00Z", "end": "17:30:00",
           "endpoints": eps}, open(sys.argv[1], "w"))
PY
drill_300() {
	term_start 80 24 "$CMDR" drill "$WORK/d300.json" -i "$(newdir)"
	term_wait "big-endpoint" 10 && term_wait "... 298 more deployments" 2 || return 1
	# the one carrying the traffic is shown, though it is listed last
	term_wait "d-0299" 2 && term_screen | grep -q "d-0299.*100%" || return 1
	# ENDPOINTS has the focus from the start.
	term_keys p
	i=0
	while [ $i -lt 40 ]; do term_keys j; i=$((i + 1)); done
	term_wait ">ep-039" 5 && hwm 40000 "console, 300 deployments" && help_answers &&
	term_keys k && term_wait ">ep-038" 3 && term_keys q && term_wait "[exited]" 5
}
ok "drill with a 300-deployment endpoint at 80x24: the one with traffic shown first, the pane scrolls to the last, keys answered" drill_300

rb=$WORK/runbooks
runbooks_make "$rb" 1005
echo "{\"runbook_dirs\": [\"$rb\"]}" >"$WORK/rb.json"
runbooks_1005() {
	t0=$(ms)
	term_start 100 30 "$CMDR" -c "$WORK/rb.json" -i "$(newdir)"
	term_wait "RUNBOOKS  first 1000; 5 more left out" 10 || return 1
	echo "#   1005 runbooks: first frame after $(( $(ms) - t0 )) ms"
	hwm 60000 "console, 1005 runbooks" && help_answers &&
	term_keys Tab && i=0 && while [ $i -lt 30 ]; do term_keys j; i=$((i + 1)); done &&
	term_wait "r0031" 5 && term_keys Enter && term_wait "RUNBOOK r0031" 5 &&
	term_keys q && term_wait "[exited]" 5
}
ok "1005 runbooks: the first 1000 listed, the title says 5 left out, the list scrolls and opens" runbooks_1005

ok "limits console: no sanitizer reports" sanitizer_clean
