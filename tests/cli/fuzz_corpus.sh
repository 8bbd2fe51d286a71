#!/bin/sh
# Every fuzz target's seed corpus, past crashes included, replayed through
# its parser in this build ($BUILD/tests/replay_NAME; under ASan and UBSan
# with SAN=1). The long, coverage-guided runs are `make fuzz`.
. "$(dirname "$0")/../lib.sh"

replay() {
	name=$1
	bin=$TOP/$BUILD/tests/replay_$name
	case $BUILD in /*) bin=$BUILD/tests/replay_$name ;; esac
	[ -x "$bin" ] || { echo "#   $bin is missing"; return 1; }
	set -- "$TOP/tests/fuzz/corpus/$name"/*
	[ -f "$1" ] || { echo "#   tests/fuzz/corpus/$name is empty"; return 1; }
	ASAN_OPTIONS= UBSAN_OPTIONS=print_stacktrace=1 "$bin" "$@" 2>"$WORK/$name.err" ||
		{ echo "#   crashed on $(sed -n "s|^replay: $TOP/||p" "$WORK/$name.err" | tail -n 1)"
		  grep -E 'ERROR|SUMMARY|runtime error' "$WORK/$name.err" | head -3 | sed 's/^/#   /'; return 1; }
}

for src in "$TOP"/tests/fuzz/fuzz_*.c; do
	name=${src##*/fuzz_}
	name=${name%.c}
	n=$(ls "$TOP/tests/fuzz/corpus/$name" 2>/dev/null | wc -l)
	ok "the $name fuzz corpus ($n inputs) replays cleanly" replay "$name"
done
