#!/bin/sh
# Runs every test program and script; each prints "ok - name" or
# "not ok - name" lines. The last line is "N passed, N failed".
# Env: BUILD (build dir), CMDR (absolute path of the binary to test).
set -u
: "${BUILD:=build}"
top=$(cd "$(dirname "$0")/.." && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM
export CMDR BUILD TESTS_DIR="$top/tests"

out=$(mktemp)
trap 'rm -f "$log" "$out"' EXIT INT TERM
# A program that exits non-zero or prints no result line counts as a failure
# of its own, so a crash can never pass silently.
run() {
	name=$1; shift
	echo "== $name"
	"$@" >"$out" 2>&1
	rc=$?
	grep -v '^ok - ' "$out"
	cat "$out" >>"$log"
	if [ $rc -ne 0 ] && ! grep -q '^not ok - ' "$out"; then
		echo "not ok - $name exited with status $rc" | tee -a "$log"
	elif ! grep -q '^\(not \)\{0,1\}ok - ' "$out"; then
		echo "not ok - $name ran no test" | tee -a "$log"
	fi
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] && run "$(basename "$t")" "$t"
done
for t in "$top"/tests/cli/*.sh "$top"/tests/tui/*.sh; do
	[ -f "$t" ] && run "$(basename "$t")" sh "$t"
done

passed=$(grep -c '^ok - ' "$log")
failed=$(grep -c '^not ok - ' "$log")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
