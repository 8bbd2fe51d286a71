#!/bin/sh
# make bench: runs every benchmark and prints one table, each figure beside
# the condition it was measured under, its goal and whether it was met,
# with the peers (htop, sha256sum) measured in the same run. Missed goals
# are reported, never fatal; the exit status is non-zero only when a
# harness broke. Env: BUILD, CMDR. Takes about eight minutes.
set -u
: "${BUILD:=build}"
: "${CMDR:?CMDR must be the absolute path of the cmdr binary}"
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BENCH_ROWS=$(mktemp "${TMPDIR:-/tmp}/cmdr-bench-rows.XXXXXX") || exit 1
BENCH_NOTES=$(mktemp "${TMPDIR:-/tmp}/cmdr-bench-notes.XXXXXX") || exit 1
trap 'rm -f "$BENCH_ROWS" "$BENCH_NOTES"' EXIT
trap 'exit 130' INT TERM
export BUILD CMDR BENCH_ROWS BENCH_NOTES
. "$here/lib.sh"

broken=0
for part in run journal journal_pg live prom_load prom_discover rollback canary; do
	echo "bench: $part" >&2
	sh "$here/$part.sh" || { note "tests/bench/$part.sh broke (status $?); its figures are missing"; broken=1; }
done

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo
echo "$("$CMDR" --version 2>/dev/null | head -n 1), commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: ${cpu:-?}, $(nproc) cores, $(uname -sr), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "terminal: a pseudo-terminal (tests/bench/ptyrun), TERM=xterm-256color, C.UTF-8; drill: drills/friday-1714.json"
echo
printf "$BENCH_FMT" "figure" "condition" "value" "goal" "verdict"
printf "$BENCH_FMT" "------" "---------" "-----" "----" "-------"
while IFS='	' read -r f c v g r; do
	printf "$BENCH_FMT" "$f" "$c" "$v" "$g" "$r"
done <"$BENCH_ROWS"
if [ -s "$BENCH_NOTES" ]; then
	echo
	echo "notes:"
	sed 's/^/  /' "$BENCH_NOTES"
fi
[ $broken = 0 ]
