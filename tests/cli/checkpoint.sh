#!/bin/sh
# The checkpoint (README "The checkpoint"): a command that may write the
# incident keeps one of what it read, and the next command starts from
# it. One the journal no longer holds, one that is not whole, someone
# else's, one others may write or a link is not used: the whole journal
# is read instead. Writing one never follows a link. A changed journal is
# still found by cmdr audit verify. (The file mechanics in detail:
# tests/unit/test_journal_mark.c; the state against the whole replay:
# tests/unit/test_checkpoint.c.)
. "$(dirname "$0")/../lib.sh"
CK="journal.checkpoint-$(id -u)"

# reseal DIR TITLE [HEAD]: the checkpoint with its incident title set (and
# its head, given one), and its checksum made to fit: what only its owner
# could write.
reseal() {
	python3 - "$1/$CK" "$2" "${3:-}" <<'EOF'
import hashlib, json, sys
path, title, head = sys.argv[1:]
body = open(path, "rb").read().split(b"\n")[0]
c = json.loads(body)
c["state"]["workflow"]["title"] = title
if head:
    c["head"] = head
body = json.dumps(c, separators=(",", ":")).encode()
open(path, "wb").write(body + b"\n" + hashlib.sha256(body).hexdigest().encode() + b"\n")
EOF
}

title() { # DIR: the title cmdr status gives
	"$CMDR" status --json -i "$1" 2>/dev/null | jq -r .incident.title
}

# An incident declared "the journal's title", with notes after it.
incident() {
	dir=$(newdir)
	"$CMDR" declare "the journal's title" --severity SEV2 -i "$dir" >/dev/null &&
	for n in 1 2 3; do "$CMDR" note "note $n" -i "$dir" >/dev/null || return 1; done
}

kept_and_used() {
	incident || return 1
	[ -f "$dir/$CK" ] || { fail "no $CK after a note"; return 1; }
	expect_eq mode "$(stat -c %a "$dir/$CK")" 600 &&
	expect_eq "status, from the checkpoint or not" "$(title "$dir")" "the journal's title" &&
	reseal "$dir" "the checkpoint's title" &&
	expect_eq "status starts from it" "$(title "$dir")" "the checkpoint's title" &&
	"$CMDR" note four -i "$dir" >/dev/null &&
	expect_eq "and so does a note, which keeps it" "$(title "$dir")" "the checkpoint's title" &&
	rm "$dir/$CK" &&
	expect_eq "deleted: the journal again" "$(title "$dir")" "the journal's title"
}
ok "a note keeps a checkpoint (0600) and the next command starts from it" kept_and_used

not_used() {
	incident || return 1
	reseal "$dir" "forged" 0000000000000000000000000000000000000000000000000000000000000000 &&
	expect_eq "a head the journal does not hold" "$(title "$dir")" "the journal's title" || return 1
	"$CMDR" note again -i "$dir" >/dev/null && reseal "$dir" "forged" &&
	sed -i '1s/forged/FORGED/' "$dir/$CK" &&
	expect_eq "a checksum that does not hold" "$(title "$dir")" "the journal's title" || return 1
	"$CMDR" note again -i "$dir" >/dev/null && reseal "$dir" "forged" && chmod 0620 "$dir/$CK" &&
	expect_eq "writable by its group" "$(title "$dir")" "the journal's title" || return 1
	if [ "$(id -u)" = 0 ]; then
		chmod 0600 "$dir/$CK" && chown 65534 "$dir/$CK" &&
		expect_eq "someone else's" "$(title "$dir")" "the journal's title" || return 1
	fi
	rm -f "$dir/$CK" && "$CMDR" note again -i "$dir" >/dev/null && reseal "$dir" "forged" &&
	mv "$dir/$CK" "$WORK/elsewhere" && ln -s "$WORK/elsewhere" "$dir/$CK" &&
	expect_eq "a link to one" "$(title "$dir")" "the journal's title" &&
	"$CMDR" note "after the link" -i "$dir" >/dev/null &&
	[ -f "$dir/$CK" ] && [ ! -L "$dir/$CK" ] || { fail "the link was not replaced by a file"; return 1; }
	grep -q forged "$WORK/elsewhere" || fail "the link's target was written"
}
ok "a checkpoint not held by the journal, not whole, others may write, someone else's or a link is not used" not_used

cut_below() {
	incident || return 1
	"$CMDR" note four -i "$dir" >/dev/null && reseal "$dir" "forged" &&
	head -n 3 "$dir/journal.jsonl" >"$WORK/cut" && cat "$WORK/cut" >"$dir/journal.jsonl" &&
	expect_eq "cut below it: the journal" "$(title "$dir")" "the journal's title" &&
	"$CMDR" note "after the cut" -i "$dir" >/dev/null &&
	"$CMDR" status --json -i "$dir" >"$WORK/status.json" &&
	jq_is entries .journal.entries 4 && jq_is notes .incident.notes 3 &&
	"$CMDR" audit verify -i "$dir" >/dev/null
}
ok "a journal cut below the checkpoint is read whole, and the next note chains on" cut_below

changed_before() {
	incident || return 1
	"$CMDR" note four -i "$dir" >/dev/null &&
	sed -i '2s/note 1/note X/' "$dir/journal.jsonl" &&
	"$CMDR" note "after the change" -i "$dir" >/dev/null &&
	"$CMDR" audit verify -i "$dir" >"$WORK/out"
	expect_eq "audit verify" $? 1 &&
	grep -q "entry 2 was changed" "$WORK/out" || fail "$(cat "$WORK/out")"
}
ok "an entry changed before the checkpoint is still found by cmdr audit verify" changed_before

changed_after() {
	incident || return 1
	reseal "$dir" "forged" &&
	# The last line (after the checkpoint's) rewritten: it no longer chains.
	sed -i '$s/"prev":"\(.\)/"prev":"f\1/' "$dir/journal.jsonl" &&
	expect_eq "the journal, read whole" "$(title "$dir")" "the journal's title" &&
	"$CMDR" audit verify -i "$dir" >/dev/null
	expect_eq "audit verify" $? 1
}
ok "a line after the checkpoint that does not chain: the journal is read whole" changed_after

look_creates_nothing() {
	dir=$(newdir)
	"$CMDR" declare "t" --severity SEV2 -i "$dir" >/dev/null && rm -f "$dir/$CK" &&
	"$CMDR" status -i "$dir" >/dev/null && "$CMDR" audit verify -i "$dir" >/dev/null &&
	"$CMDR" export postmortem -i "$dir" >/dev/null &&
	expect_eq files "$(ls "$dir")" journal.jsonl
}
ok "status, audit and export keep no checkpoint" look_creates_nothing

ok "its journals, opened from a checkpoint at any line, give what the whole replay gives" checkpoint_alike

ok "no sanitizer reports" sanitizer_clean
