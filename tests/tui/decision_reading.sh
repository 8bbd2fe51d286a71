#!/bin/sh
# A traffic change is decided on a reading fresh enough to decide on. A
# reading older than a few seconds, with the next read still out, is no
# ground to refuse a rollback as "already serves": the target is asked, and
# the intent says as of when its "from" was read.
. "$(dirname "$0")/../lib.sh"

STATE="$WORK/state"
cat >"$WORK/read.sh" <<EOF
#!/bin/sh
# Slow while \$WORK/slow exists: a target that answers late.
while [ -e "$WORK/slow" ]; do sleep 0.1; done
cat "$STATE"
EOF
cat >"$WORK/apply.sh" <<EOF
#!/bin/sh
shift
echo "\$*" >"$STATE"
rm -f "$WORK/slow"
EOF
chmod +x "$WORK/read.sh" "$WORK/apply.sh"
cat >"$WORK/live.json" <<EOF
{ "endpoints": [ { "name": "chat", "target": { "type": "command", "timeout": "60s",
    "apply": ["$WORK/apply.sh", "{endpoint}", "{traffic}"], "read": ["$WORK/read.sh"] } } ] }
EOF

old_reading_is_no_ground_to_refuse() {
	echo "d-1427=100 d-1428=0" >"$STATE"
	dir=$(newdir)
	term_start 80 24 "$CMDR" -c "$WORK/live.json" -i "$dir" --as bob
	term_wait "d-1428 " 5 || return 1
	touch "$WORK/slow"
	sleep 6
	term_keys r
	term_wait "Roll back chat" 5 && term_wait "as read" 2 || return 1
	term_keys "rolling back" Enter
	term_wait "rollback chat verified: d-1427=100 d-1428=0" 10 || return 1
	expect_eq outcomes "$(jq -r .outcome "$dir/journal.jsonl" | tr '\n' ' ')" "intent verified " &&
	expect_eq "from, as of a time" "$(jq -r 'select(.outcome == "intent") | .params.from_read_at | test("^....-..-..T")' \
		"$dir/journal.jsonl")" true || return 1
	term_keys q
	term_wait "[exited]" 5
}
ok "an old reading with the next read still out never refuses a rollback as already serving" \
	old_reading_is_no_ground_to_refuse

ok "no sanitizer reports" sanitizer_clean
