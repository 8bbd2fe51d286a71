#!/bin/sh
# Journal, runbook and burn-engine benchmarks: append latency with fsync,
# audit verify throughput beside sha256sum of the same file, runbook parse
# times, and one burn-engine tick over 1,000 SLOs.
# Env: BUILD.

set -u
: "${BUILD:=build}"
work=$(mktemp -d "${TMPDIR:-/tmp}/cmdr-bench-journal.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
MB=${BENCH_JOURNAL_MB:-128}
"$BUILD/tests/journal_bench" "$work" "$MB" >"$work/out" || exit 1
get() { sed -n "s/^$1=//p" "$work/out"; }
fs=$(df -T "$work" | awk 'NR == 2 { print $2 }')
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/lib.sh"
ratio=$(awk -v v="$(get verify_mb_s)" -v s="$(get sha256sum_mb_s)" 'BEGIN { printf "%.2f", v / s }')
row "append p50" "journal_append + fsync, $(get append_n) entries, $fs in ${TMPDIR:-/tmp}" "$(get append_p50_ms) ms" "-" "-"
row "append p99" "journal_append + fsync, $(get append_n) entries, $fs in ${TMPDIR:-/tmp}" "$(get append_p99_ms) ms" "-" "-"
row "audit verify" "$(get verify_lines) lines, $(( $(get verify_bytes) / 1048576 )) MB, page cache" "$(get verify_mb_s) MB/s" "-" "-"
row "sha256sum" "the same file (reference)" "$(get sha256sum_mb_s) MB/s" "-" "-"
row "verify / sha256sum" "the ratio of the two" "$ratio" ">= 0.5" "$(verdict "$ratio" '>=' 0.5)"

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
