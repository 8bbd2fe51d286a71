#!/bin/sh
# A short, bounded run of the runbook parser's libFuzzer target (the long
# one is `make fuzz`): new inputs go to a temporary corpus, never into the
# seed corpus in the tree.
. "$(dirname "$0")/../lib.sh"

short_fuzz() {
	make -s -C "$TOP" build-fuzz/fuzz_runbook >"$WORK/make.log" 2>&1 ||
		{ tail -5 "$WORK/make.log" | sed 's/^/#   /'; return 1; }
	mkdir -p "$WORK/corpus"
	"$TOP/build-fuzz/fuzz_runbook" -max_total_time=10 -artifact_prefix="$WORK/" \
		"$WORK/corpus" "$TOP/tests/fuzz/corpus/runbook" >"$WORK/fuzz.log" 2>&1 ||
		{ grep -E 'ERROR|SUMMARY|Test unit' "$WORK/fuzz.log" | sed 's/^/#   /'; return 1; }
}
ok "the runbook parser survives 10 s of libFuzzer" short_fuzz
