#!/bin/sh
# Journal, runbook and burn-engine benchmarks: append latency with fsync,
# `cmdr audit verify` throughput beside sha256sum of the same file, what
# `cmdr note` costs on a journal of 100 entries and of 100,000, a console's
# first frame on a 100 MB journal, runbook parse times, and one
# burn-engine tick over 1,000 SLOs.
# Env: BUILD, CMDR.

set -u
: "${BUILD:=build}"
: "${CMDR:?CMDR must be the absolute path of the cmdr binary}"
work=$(mktemp -d "${TMPDIR:-/tmp}/cmdr-bench-journal.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
MB=${BENCH_JOURNAL_MB:-128}
"$BUILD/tests/journal_bench" "$work" "$MB" >"$work/out" || exit 1
get() { sed -n "s/^$1=//p" "$work/out"; }
fs=$(df -T "$work" | awk 'NR == 2 { print $2 }')
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/lib.sh"
row "append p50" "journal_append + fsync, $(get append_n) entries, $fs in ${TMPDIR:-/tmp}" "$(get append_p50_ms) ms" "-" "-"
row "append p99" "journal_append + fsync, $(get append_n) entries, $fs in ${TMPDIR:-/tmp}" "$(get append_p99_ms) ms" "-" "-"


# cmdr audit verify as a user runs it, beside sha256sum, on journal_bench's
# file, from the page cache (each read once first), the best of 5 each.
big=$work/big.jsonl
head=$(get verify_head)
sha256sum "$big" >/dev/null
"$CMDR" audit verify "$big" >/dev/null 2>&1
vms=$(best_ms 5 "$CMDR" audit verify "$big" --head "$head")
sms=$(best_ms 5 sha256sum "$big")
mb=$(( $(get verify_bytes) / 1048576 ))
"$CMDR" audit verify "$big" --head "$head" >/dev/null 2>&1 || note "cmdr audit verify: $big did not verify"
mbs() { awk -v b="$(get verify_bytes)" -v ms="$1" 'BEGIN { if (ms > 0) printf "%.1f", b / 1048576 / (ms / 1e3) }'; }
ratio=$(awk -v v="$vms" -v s="$sms" 'BEGIN { if (v > 0) printf "%.2f", s / v }')
row "audit verify" "cmdr audit verify --head, $(get verify_lines) lines, $mb MB, page cache" "$(fmt "$(mbs "$vms")" MB/s)" "-" "-"
row "sha256sum" "the same file (reference)" "$(fmt "$(mbs "$sms")" MB/s)" "-" "-"
row "verify / sha256sum" "the ratio of the two, best of 5 each" "$ratio" ">= 0.8" "$(verdict "$ratio" '>=' 0.8)"

# cmdr note on journals of 100 and of 100,000 entries (tests/gen_journal.py,
# about 400 bytes a line), each in a directory of its own under the
# defaults. The first note on a journal cmdr did not write reads it whole
# and keeps a checkpoint; the notes after it start there.
echo '{}' >"$work/config.json"
export CMDR_CONFIG="$work/config.json" XDG_CONFIG_HOME="$work/xdg"
# journal_of N: a journal of about N entries in $work/jN; sets $entries.
journal_of() {
	mkdir -p "$work/j$1"
	entries=$(python3 "$top/tests/gen_journal.py" "$work/j$1/journal.jsonl" \
		"$(awk -v n="$1" 'BEGIN { print n * 402.5 / 1048576 }')" | awk '{ print $2 }')
}
# notes_ms DIR...: for each DIR, the median of 11 notes, in ms; the
# directories take turns, so that a busy moment weighs on all alike.
notes_ms() {
	_i=0
	while [ $_i -lt 11 ]; do
		for _d in "$@"; do echo "$_d $(ms_of "$CMDR" note "bench note $_i" -i "$_d")"; done
		_i=$((_i + 1))
	done >"$work/notes"
	for _d in "$@"; do
		awk -v d="$_d" '$1 == d { print $2 }' "$work/notes" | sort -n | sed -n 6p | awk '{ printf "%.1f\n", $1 / 1000 }'
	done
}
if command -v python3 >/dev/null 2>&1; then
	journal_of 100
	small_entries=$entries
	"$CMDR" note "warm-up" -i "$work/j100" >/dev/null 2>&1
	journal_of 100000
	first=$(awk -v us="$(ms_of "$CMDR" note "the first" -i "$work/j100000")" 'BEGIN { printf "%.1f", us / 1000 }')
	set -- $(notes_ms "$work/j100" "$work/j100000")
	small=${1:-} large=${2:-}
	growth=$(awk -v l="$large" -v s="$small" 'BEGIN { if (s > 0) printf "%.2f", l / s }')
	row "cmdr note" "$small_entries entries, median of 11, in turn with the next" "$(fmt "$small" ms)" "-" "-"
	row "cmdr note" "$entries entries, median of 11" "$(fmt "$large" ms)" "-" "-"
	row "  its first" "the same journal, not written by cmdr: read whole" "$(fmt "$first" ms)" "-" "-"
	row "note 100,000 / 100" "the ratio of the two medians" "${growth:-n/a}" "<= 2" "$(verdict "$growth" '<=' 2)"
	rm -rf "$work/j100" "$work/j100000"
else
	row "cmdr note" "100 and 100,000 entries" "n/a" "-" "python3 not installed"
fi

# The console's first frame on a 100 MB journal (the status line's
# "#ENTRIES "), in a pseudo-terminal: opened the first time, when it reads
# the journal whole and keeps a checkpoint, then again.
PTYRUN=$BUILD/tests/ptyrun
case $PTYRUN in /*) ;; *) PTYRUN=$top/$PTYRUN ;; esac
first_frame() { # DIR ENTRIES: ms, or nothing
	"$PTYRUN" --size 100x30 --wait-for "#$2 " --timeout 60 --quit q -- "$CMDR" -i "$1" >"$work/frame" 2>&1
	sed -n 's/^start_to_first_frame_ms=//p' "$work/frame"
}
if command -v python3 >/dev/null 2>&1 && [ -x "$PTYRUN" ]; then
	mkdir "$work/j100mb"
	entries=$(python3 "$top/tests/gen_journal.py" "$work/j100mb/journal.jsonl" 100 | awk '{ print $2 }')
	cold=$(first_frame "$work/j100mb" "$entries")
	[ -n "$cold" ] || note "console on 100 MB: no first frame: $(tail -n 3 "$work/frame" | tr '\n' ' ')"
	warm=$(first_frame "$work/j100mb" "$entries")
	row "console first frame" "100 MB journal ($entries entries), opened again" "$(fmt "$warm" ms)" "< 300 ms" \
		"$(verdict "$warm" '<' 300)"
	row "  its first opening" "the same journal, not written by cmdr: read whole" "$(fmt "$cold" ms)" "-" "-"
	rm -rf "$work/j100mb"
else
	row "console first frame" "100 MB journal" "n/a" "< 300 ms" "python3 or ptyrun missing"
fi

"$BUILD/tests/runbook_bench" "$top/runbooks" >"$work/rb" || exit 1
rb() { sed -n "s/^$1=//p" "$work/rb"; }
row "runbook parse" "generated, $(( $(rb big_bytes) / 1024 )) KiB, $(rb big_steps) steps, best of 20" "$(rb big_parse_ms) ms" "-" "-"
row "runbook parse" "runbooks/: $(rb dir_files) files, $(rb dir_steps) steps, from disk" "$(rb dir_parse_ms) ms" "-" "-"

"$BUILD/tests/burn_bench" >"$work/burn" || exit 1
bn() { sed -n "s/^$1=//p" "$work/burn"; }
row "burn engine p50" "$(bn slos) SLOs x $(bn windows) windows + period, live counts" "$(bn live_p50_ms) ms" "-" "-"
row "burn engine p99" "$(bn slos) SLOs x $(bn windows) windows + period, live counts" "$(bn live_p99_ms) ms" "< 1 ms" "$(verdict "$(bn live_p99_ms)" '<' 1)"
row "burn engine p50" "$(bn slos) SLOs from event histories (drills)" "$(bn drill_p50_ms) ms" "-" "-"
row "burn engine p99" "$(bn slos) SLOs from event histories (drills)" "$(bn drill_p99_ms) ms" "-" "-"
