#!/bin/sh
# Every text the command line prints is clean for its medium, whatever an
# incident's title, a note or an argument holds: no C0 control but newline
# and tab, no C1 (raw or as UTF-8), no bidi control, only valid UTF-8, in
# the postmortem (Markdown and JSON), status --json, audit show, the
# journal itself, and the one-line errors that repeat an argument.
. "$(dirname "$0")/../lib.sh"

# OSC 0 (title), OSC 52 (clipboard), CSI 2J, C1 CSI as UTF-8 and raw,
# RIGHT-TO-LEFT OVERRIDE, an invalid byte, Markdown that would make a link.
EVIL=$(printf 'T\033]0;PWNED\007\033]52;c;UFdORUQ=\007\033[2J\302\233\233\342\200\256x\377 [a](http://e.invalid) <img src=x>')

# clean FILE WHAT: fails naming the first byte that would reach a reader's
# terminal raw.
clean() {
	python3 - "$1" <<'PY' || { fail "$2: $(cat "$WORK/why")"; return 1; }
import sys, re
data = open(sys.argv[1], "rb").read()
why = None
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    why = "invalid UTF-8 at byte %d" % e.start
else:
    m = re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]", text)
    if m:
        why = "U+%04X at character %d: %r" % (ord(m.group()), m.start(), text[max(0, m.start() - 20):m.start() + 20])
open(sys.argv[1].rsplit("/", 1)[0] + "/why", "w").write(why or "")
sys.exit(1 if why else 0)
PY
}

declared() {
	dir=$(newdir)
	"$CMDR" declare "$EVIL" --severity SEV2 -i "$dir" >/dev/null 2>"$WORK/err" || { fail "declare: $(cat "$WORK/err")"; return 1; }
	"$CMDR" note "TODO: $EVIL" -i "$dir" >/dev/null 2>&1
	echo "$dir"
}

postmortem_md() {
	dir=$(declared) || return 1
	"$CMDR" export postmortem -i "$dir" >"$WORK/pm.md" 2>"$WORK/err" || { fail "export: $(cat "$WORK/err")"; return 1; }
	clean "$WORK/pm.md" "postmortem" &&
	{ grep -qF 'PWNED' "$WORK/pm.md" || fail "the title's text is gone: $(head -1 "$WORK/pm.md")"; } &&
	{ ! grep -qF '[a](http' "$WORK/pm.md" || fail "a link got through: $(grep -F 'http' "$WORK/pm.md" | head -1)"; } &&
	{ ! grep -qE '(^|[^\\])<img' "$WORK/pm.md" || fail "HTML got through: $(grep -F 'img' "$WORK/pm.md" | head -1)"; }
}
ok "export postmortem: the title's OSC 0/52, CSI, C1, U+202E, invalid UTF-8, links and HTML never get through" postmortem_md

postmortem_json() {
	dir=$(declared) || return 1
	"$CMDR" export postmortem --format json -i "$dir" >"$WORK/pm.json" 2>"$WORK/err" || { fail "export: $(cat "$WORK/err")"; return 1; }
	clean "$WORK/pm.json" "postmortem JSON" && jq -e . "$WORK/pm.json" >/dev/null &&
	jq -r '.summary.title' "$WORK/pm.json" >"$WORK/title" && clean "$WORK/title" "the title, decoded"
}
ok "export postmortem --format json: valid JSON, clean as bytes and once decoded" postmortem_json

journal_and_status() {
	dir=$(declared) || return 1
	clean "$dir/journal.jsonl" "journal" &&
	jq -r '.params.title // empty' "$dir/journal.jsonl" >"$WORK/decoded" && clean "$WORK/decoded" "journal, decoded" &&
	"$CMDR" audit verify -i "$dir" >/dev/null 2>&1 &&
	"$CMDR" status --json -i "$dir" >"$WORK/status.json" 2>/dev/null
	clean "$WORK/status.json" "status --json" &&
	jq -r '.incident.title' "$WORK/status.json" >"$WORK/decoded" && clean "$WORK/decoded" "status title, decoded" &&
	"$CMDR" audit show -i "$dir" >"$WORK/show" 2>&1 && clean "$WORK/show" "audit show" &&
	"$CMDR" audit show --json -i "$dir" >"$WORK/show.json" 2>&1 && clean "$WORK/show.json" "audit show --json"
}
ok "the journal, status --json and audit show hold valid UTF-8 with no C0 (escaped or raw), C1 or bidi control" journal_and_status

# The one-line errors that repeat what they were given.
errors_clean() {
	"$CMDR" "$EVIL" >"$WORK/out" 2>"$WORK/err"
	expect_eq "unknown command: exit" $? 2 && clean "$WORK/err" "unknown command" || return 1
	"$CMDR" "--$EVIL" >"$WORK/out" 2>"$WORK/err"
	expect_eq "unknown option: exit" $? 2 && clean "$WORK/err" "unknown option" || return 1
	"$CMDR" status -i "$WORK/$EVIL" >"$WORK/out" 2>"$WORK/err"
	expect_eq "status of a missing dir: exit" $? 1 && clean "$WORK/err" "a path" || return 1
	dir=$(declared) || return 1
	"$CMDR" rollback "$EVIL" --reason x --yes -i "$dir" >"$WORK/out" 2>"$WORK/err"
	clean "$WORK/err" "an endpoint name" &&
	{ grep -q . "$WORK/err" || fail "rollback of an unknown endpoint said nothing"; } &&
	"$CMDR" export postmortem --format "$EVIL" >"$WORK/out" 2>"$WORK/err"
	clean "$WORK/err" "a --format value"
}
ok "errors that repeat an argument (command, option, path, endpoint, --format) are clean" errors_clean

ok "no sanitizer reports" sanitizer_clean
