#!/bin/sh
# The postmortem from the journal alone: a golden document for a scripted
# run of the friday-1714 drill, the same facts as JSON, and a journal
# whose chain is broken says so instead of vouching for it.
. "$(dirname "$0")/../lib.sh"

scripted_friday() {
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless --script "$DRILLS/friday-1714.script" -i "$dir" >/dev/null 2>"$WORK/err" ||
		{ fail "the scripted drill failed: $(cat "$WORK/err")"; return 1; }
	echo "$dir"
}

golden_markdown() {
	dir=$(scripted_friday) || return 1
	"$CMDR" export postmortem -i "$dir" >"$WORK/pm.md" || { fail "export failed"; return 1; }
	# The head hashes lines that hold the wall clock, and the drill's own
	# person is whoever runs the test.
	sed "s|$dir|DIR|g; s|[0-9a-f]\{64\}|HEAD|g; s|$TOP/||g; s/^| 17:02:00 | $(id -un) |/| 17:02:00 | USER |/" \
		"$WORK/pm.md" >"$WORK/pm.masked"
	diff -u "$TESTS_DIR/golden/friday-1714-postmortem.md" "$WORK/pm.masked" | sed 's/^/#   /' | head -40
	cmp -s "$TESTS_DIR/golden/friday-1714-postmortem.md" "$WORK/pm.masked" || { fail "differs from the golden file"; return 1; }
	head=$(tail -n 1 "$dir/journal.jsonl" | tr -d '\n' | sha256sum | cut -c1-64)
	grep -qF "Check it: \`cmdr audit verify $dir/journal.jsonl --head $head\`" "$WORK/pm.md" || fail "the verify command is not the journal's head"
}
ok "the friday-1714 scripted drill's postmortem matches the golden file, with the command that checks its head" golden_markdown

json_form() {
	dir=$(scripted_friday) || return 1
	"$CMDR" export postmortem --format json -i "$dir" >"$WORK/status.json" || { fail "export failed"; return 1; }
	jq_is summary '.summary | [.title, .severity, .duration_s, .roles.commander, .roles.scribe, .status_updates, .drill] | @json' \
		'["support-assistant canary: multi_hop groundedness falling","SEV2",320,"priya","sam",1,"friday-1714"]' &&
	jq_is change '.changes[0] | [.action, .who, .outcome, .from, .traffic, .after_s, (.evidence.canary[0].windows | map(.value))] | @json' \
		'["rollback","policy","verified","d-1427=90 d-1428=10","d-1427=100 d-1428=0",3,[2.78,2.71,2.66]]' &&
	jq_is todo '.follow_ups | map(.text) | @json' '["add multi_hop eval questions that mirror the failed production examples"]' &&
	jq_is record '.journal | [.entries, .intact] | @json' '[14,true]' &&
	jq_is scorecard '.scorecard.measures | map([.name, .took_s, .verdict]) | @json' \
		'[["detect",60,"ok"],["acknowledge",68,"ok"],["decide",151,"ok"],["rollback",151,"ok"],["verify",154,"ok"]]'
}
ok "the postmortem as JSON: summary, the change with its evidence, follow-ups, the record" json_form

broken_chain() {
	dir=$(scripted_friday) || return 1
	# The note at seq 11 rewritten: seq 12 records another hash for it.
	sed -i 's/the policy rolled back d-1428/nothing happened/' "$dir/journal.jsonl"
	"$CMDR" export postmortem -i "$dir" >"$WORK/pm.md" || { fail "export failed"; return 1; }
	grep -q "THE HASH CHAIN IS BROKEN" "$WORK/pm.md" && grep -q "^First bad entry: 11: " "$WORK/pm.md" ||
		{ fail "a broken chain was not reported: $(tail -4 "$WORK/pm.md")"; return 1; }
}
ok "a journal edited after the fact: the postmortem says the chain is broken and where" broken_chain

missing() {
	"$CMDR" export postmortem -i "$WORK/nothing-here" 2>"$WORK/err"
	[ $? -eq 1 ] && grep -q "nothing-here/journal.jsonl: cannot open: No such file or directory" "$WORK/err" || fail "$(cat "$WORK/err")"
	"$CMDR" export postmortem --format pdf -i "$WORK" 2>/dev/null
	[ $? -eq 2 ] || fail "--format pdf accepted"
}
ok "no journal, or an unknown format: a clear error" missing

# Every traffic change is in "Traffic changes" with what became of it,
# the summary counts each outcome, and a ramp is worded by its split.
every_change_counted() {
	echo "d-1427=100 d-1428=0" >"$WORK/split"
	printf '#!/bin/sh\n[ -e "%s/broken" ] && { echo "read is down" >&2; exit 1; }\ncat "%s/split"\n' "$WORK" "$WORK" >"$WORK/read.sh"
	printf '#!/bin/sh\nshift\necho "$*" >"%s/split"\n' "$WORK" >"$WORK/apply.sh"
	chmod +x "$WORK/read.sh" "$WORK/apply.sh"
	cat >"$WORK/cmd.json" <<EOF
{ "endpoints": [ { "name": "chat", "target": { "type": "command",
    "apply": ["$WORK/apply.sh", "{endpoint}", "{traffic}"], "read": ["$WORK/read.sh"] } } ] }
EOF
	dir=$(newdir)
	run() { "$CMDR" "$@" -c "$WORK/cmd.json" -i "$dir" --yes >/dev/null 2>&1; }
	run weight chat d-1427=90 d-1428=10 --reason "ramp the canary" || { fail "the ramp failed"; return 1; }
	run rollback chat --to d-1427 --reason "canary fails"
	run rollback chat --to d-1427 --reason "once more"
	touch "$WORK/broken"
	run rollback chat --reason "and again"
	"$CMDR" export postmortem -i "$dir" >"$WORK/pm.md" || { fail "export failed"; return 1; }
	grep -q "4 traffic changes (2 verified, 1 refused, 1 failed)" "$WORK/pm.md" ||
		{ fail "summary: $(grep 'traffic change' "$WORK/pm.md")"; return 1; }
	expect_eq "listed" "$(grep -c '^### ' "$WORK/pm.md")" 4 &&
	grep -q "^### rollback chat at .*: refused" "$WORK/pm.md" &&
	grep -q "set_weight chat to d-1427=90 d-1428=10 (from d-1427=100 d-1428=0)" "$WORK/pm.md" &&
	grep -q "^### rollback chat at .*: failed" "$WORK/pm.md" &&
	grep -q "cannot read the current split of chat" "$WORK/pm.md" || { sed 's/^/#   | /' "$WORK/pm.md"; return 1; }
}
ok "the postmortem lists and counts every traffic change, refused and failed too" every_change_counted

# The services pinned when the journal ends: in the summary, and the
# pins and refusals on the timeline.
pinned_services() {
	dir=$(newdir)
	cat >"$WORK/pins.json" <<EOF
{ "title": "pins", "start": "2024-09-13T10:00:00Z", "end": "+10m",
  "slos": [ { "name": "a", "objective": 0.999, "service": "chat" },
            { "name": "b", "objective": 0.999, "service": "search" } ] }
EOF
	printf '+1m pin chat\n+2m pin search\n+3m unpin chat\n+4m pin nope\n' >"$WORK/pins.script"
	"$CMDR" drill "$WORK/pins.json" --headless --script "$WORK/pins.script" -i "$dir" >"$WORK/status.json" 2>"$WORK/err"
	expect_eq "the refused step" "$(cat "$WORK/err")" \
		"cmdr drill: $WORK/pins.script:4: pin refused: no SLO has the service \"nope\" (services: chat, search)" &&
	jq_is "status" '.pinned | join(",")' search || return 1
	"$CMDR" export postmortem -i "$dir" >"$WORK/pm.md" || return 1
	grep -qx "| Pinned services | search |" "$WORK/pm.md" &&
	grep -q "| 10:03:00 | .* | unpinned service chat |" "$WORK/pm.md" &&
	grep -q "pin service:nope refused: no SLO has the service" "$WORK/pm.md" || { sed 's/^/#   | /' "$WORK/pm.md"; return 1; }
	"$CMDR" export postmortem --format json -i "$dir" >"$WORK/status.json" &&
	jq_is "json" '.summary.pinned | join(",")' search
}
ok "the postmortem names the services pinned at the end, and the timeline every pin" pinned_services

ok "no sanitizer reports" sanitizer_clean
