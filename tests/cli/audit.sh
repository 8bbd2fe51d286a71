#!/bin/sh
# cmdr audit verify / show, torn tails set aside, and secrets kept out of the
# journal and off the screen.
. "$(dirname "$0")/../lib.sh"

drill_journal() {
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless -i "$dir" >"$WORK/s.json" || return 1
	echo "$dir"
}

verify_intact_and_head() {
	dir=$(drill_journal) || return 1
	head=$(jq -r .journal.head "$WORK/s.json")
	out=$("$CMDR" audit verify -i "$dir") || { fail "exit $?: $out"; return 1; }
	expect_eq output "$out" "$dir/journal.jsonl: intact, 6 entries, head $head" &&
	"$CMDR" audit verify "$dir/journal.jsonl" --head "$head" >/dev/null || { fail "--head rejected"; return 1; }
	other=$(printf '%064d' 7)
	out=$("$CMDR" audit verify "$dir/journal.jsonl" --head "$other")
	[ $? -eq 1 ] || { fail "a wrong head was accepted"; return 1; }
	expect_eq output "$out" "$dir/journal.jsonl: BROKEN at seq 6: the published head is not in the chain: an entry up to 6 was changed, or entries removed"
}
ok "audit verify: intact chain, its head, and a published head that does not match" verify_intact_and_head

# A head published mid-incident (a notification carries one) checks the
# journal after it grew, and the output says whose head it is; two lines
# swapped are out of order, not a gap.
verify_mid_head_and_swap() {
	dir=$(drill_journal) || return 1
	head3=$(sed -n 4p "$dir/journal.jsonl" | jq -r .prev)
	out=$("$CMDR" audit verify -i "$dir" --head "$head3") || { fail "exit $?: $out"; return 1; }
	expect_eq output "$out" "$dir/journal.jsonl: intact, 6 entries, head $(jq -r .journal.head "$WORK/s.json") (the published head is entry 3's)" || return 1
	j="$dir/journal.jsonl"
	{ sed -n 1,2p "$j"; sed -n 4p "$j"; sed -n 3p "$j"; sed -n 5,6p "$j"; } >"$WORK/swapped.jsonl"
	out=$("$CMDR" audit verify "$WORK/swapped.jsonl")
	[ $? -eq 1 ] || { fail "the swap passed"; return 1; }
	expect_eq output "$out" "$WORK/swapped.jsonl: BROKEN at seq 3: out of order: entries 3 and 4 are swapped"
}
ok "audit verify: a head published mid-incident is found in the grown chain; a swap is out of order" verify_mid_head_and_swap

verify_finds_edit() {
	dir=$(drill_journal) || return 1
	# The rollback's intent (after three failed-window signals).
	sed -i '5s/"d-1427=90 d-1428=10"/"d-1427=80 d-1428=20"/' "$dir/journal.jsonl"
	out=$("$CMDR" audit verify -i "$dir")
	[ $? -eq 1 ] || { fail "the edit passed"; return 1; }
	expect_eq output "$out" "$dir/journal.jsonl: BROKEN at seq 5: hash mismatch: entry 5 was changed (the next entry records another hash for it)"
}
ok "audit verify names the edited entry and exits 1" verify_finds_edit

verify_usage() {
	"$CMDR" audit verify --head xyz -i "$WORK" >/dev/null 2>"$WORK/err"
	[ $? -eq 2 ] && grep -q "64 lowercase hex" "$WORK/err" || { fail "$(cat "$WORK/err")"; return 1; }
	"$CMDR" audit verify "$WORK/none.jsonl" >/dev/null 2>"$WORK/err"
	[ $? -eq 1 ] && grep -q "none.jsonl: cannot open" "$WORK/err" || fail "$(cat "$WORK/err")"
}
ok "audit verify: a malformed --head is a usage error, a missing journal a failure" verify_usage

show_table_and_raw() {
	dir=$(drill_journal) || return 1
	"$CMDR" audit show -i "$dir" >"$WORK/table" || return 1
	expect_eq header "$(head -n 1 "$WORK/table" | tr -s ' ')" " seq time actor role action target outcome reason" &&
	grep -q "^    5  2024-09-13T17:14:03.000Z  policy .* rollback .* support-assistant-prod  intent .* canary gate on d-1428" "$WORK/table" ||
		{ sed 's/^/#   | /' "$WORK/table"; return 1; }
	"$CMDR" audit show --json -i "$dir" >"$WORK/raw" && cmp -s "$WORK/raw" "$dir/journal.jsonl" || fail "--json is not the raw lines"
}
ok "audit show: a table of who did what and why, or the raw entries" show_table_and_raw

torn_tail_set_aside() {
	dir=$(newdir)
	printf '{"seq":1,"prev":"0000' >"$dir/journal.jsonl"
	out=$("$CMDR" audit verify -i "$dir")
	[ $? -eq 1 ] && expect_eq verify "$out" "$dir/journal.jsonl: BROKEN at seq 1: torn tail: entry 1 is a partial line (a crash during an append?)" || return 1
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless -i "$dir" >/dev/null 2>"$WORK/err"
	grep -q "a torn last line (21 bytes) was set aside in $dir/journal.torn-0" "$WORK/err" || { fail "stderr: $(cat "$WORK/err")"; return 1; }
	expect_eq kept "$(cat "$dir/journal.torn-0")" '{"seq":1,"prev":"0000' &&
	expect_eq record "$(jq -c '[.action, .outcome, .params.bytes, .params.file]' "$dir/journal.jsonl")" \
		'["journal_repair","set aside",21,"journal.torn-0"]' &&
	"$CMDR" audit verify -i "$dir" >/dev/null || fail "the repaired journal does not verify"
}
ok "a torn tail is reported, kept in a side file, and the repair journaled" torn_tail_set_aside

secrets_never_shown() {
	# A target whose error message carries credentials.
	jq '(.events[] | select(.type == "target_fail") | .text) |= "503 from https://ops:hunter2@mgmt.example.net with Authorization: Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl"' \
		"$DRILLS/refusal-spike.json" >"$WORK/leaky.json" || return 1
	dir=$(newdir)
	"$CMDR" drill "$WORK/leaky.json" --headless --until 10:07:00 -i "$dir" >"$WORK/s.json" || return 1
	! grep -q "hunter2\|eyJzdWIi" "$dir/journal.jsonl" "$WORK/s.json" || { fail "a secret reached the journal or status"; return 1; }
	grep -q "https://ops:\[REDACTED\]@mgmt.example.net with Authorization: Bearer \[REDACTED\]" "$dir/journal.jsonl" ||
		fail "the redacted message is not in the journal"
}
ok "a password and a bearer token in a target's error never reach the journal or status" secrets_never_shown

ok "no sanitizer reports" sanitizer_clean
