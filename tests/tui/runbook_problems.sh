#!/bin/sh
# What loading the runbooks found is on screen (issue 17): the RUNBOOKS
# title counts the files refused and the warnings, and ! lists every one
# as FILE:LINE, severity and message, long paths shortened with the mark,
# long messages wrapped, scrolling when the list is longer than the
# screen; nothing drawn over other text at 80x24 or 200x50.
. "$(dirname "$0")/../lib.sh"

# The fixtures: a file that is not UTF-8 deep in folders with long
# names (refused), one with 30 front matter lines that are not `key:
# value` (30 warnings, more rows than 80x24 shows), one whose two steps
# have the same long text (a warning too long for one row), and one
# without problems.
# (its path over 300 bytes: the tail shown is the path's own)
long=a-team-runbook-repository-with-a-rather-long-folder-name-that-goes-on-and-on-for-ninety-chars
deep="$WORK/rb/$long/$long/$long/payments"
mkdir -p "$deep"
printf 'bad \377\376 bytes\n' >"$deep/broken.md"
{
	printf -- '---\ntitle: Warned\n'
	i=1
	while [ $i -le 30 ]; do
		printf 'not a key value line number %d\n' $i
		i=$((i + 1))
	done
	printf -- '---\n# Warned\n\n- [ ] one\n'
} >"$WORK/rb/warned.md"
step='Check that the rollback held on every deployment of the endpoint and that traffic is back'
printf '# Twice\n\n## Steps\n\n- [ ] %s\n- [ ] %s\n' "$step" "$step" >"$WORK/rb/twice.md"
printf '# Fine\n\n- [ ] a step\n' >"$WORK/rb/fine.md"
echo "{\"runbook_dirs\": [\"$WORK/rb\"]}" >"$WORK/rb.json"

start() {
	term_start "$1" "$2" "$CMDR" -c "$WORK/rb.json" -i "$(newdir)"
	term_wait "LIVE" 5
}

# The dialog's rows between its corners all keep both sides of the frame.
framed() {
	term_screen >"$WORK/screen"
	awk '/┌─ Runbook problems/ { f = 1; next } /└/ { f = 0 } f && !/│.*│/ { bad = 1; print "#   | " $0 } END { exit bad }' \
		"$WORK/screen" || fail "a row of the dialog lost its frame"
}

counted() {
	start "$1" "$2" || return 1
	term_wait "RUNBOOKS  1 refused · 31 warnings" 5 || return 1
	term_screen | grep -q "RUNBOOKS  1 refused · 31 warnings  .*! problems  Enter open" ||
		{ fail "no ! key beside the count"; term_screen | sed 's/^/#   | /'; return 1; }
	# The runbooks that loaded are listed as ever.
	term_keys Tab
	term_wait "fine" 5 && term_wait "twice" 1 && term_wait "warned" 1
}
ok "at 80x24 the RUNBOOKS title counts 1 refused and 31 warnings and names the ! key" counted 80 24
ok "at 200x50 the RUNBOOKS title counts 1 refused and 31 warnings and names the ! key" counted 200 50

listed() {
	start "$1" "$2" || return 1
	term_keys '!'
	term_wait "Runbook problems: 1 refused · 31 warnings" 5 || return 1
	framed || return 1
	# The refusal: its path shortened in the middle (the file and the
	# line stay), with its severity on the same row.
	grep -q "…[^ ]*/broken.md:1" "$WORK/screen" || { fail "the long path is not shortened with …"; return 1; }
	grep "broken.md:1" "$WORK/screen" | grep -q "error" || { fail "no error beside broken.md:1"; return 1; }
	grep -q "invalid UTF-8 (byte 0xff at offset 4)" "$WORK/screen" || { fail "the refusal's message is not shown"; return 1; }
	# The long warning wraps, each wrapped row marked.
	grep -q "twice.md:6" "$WORK/screen" || { fail "no twice.md:6"; return 1; }
	grep -q "warning" "$WORK/screen" || { fail "no warning severity"; return 1; }
	grep -q "duplicate step id.*↩" "$WORK/screen" || { fail "the long warning does not wrap with ↩"; return 1; }
	grep -q "this one is" "$WORK/screen" && grep -q "traffic-is-back-2" "$WORK/screen" ||
		{ fail "the long warning is not whole"; return 1; }
	grep "warned.md:3" "$WORK/screen" | grep -q "warning" || { fail "no warning beside warned.md:3"; return 1; }
	grep -q "front matter: expected \`key: value\`" "$WORK/screen" || { fail "no front matter warning"; return 1; }
}
ok "at 80x24 ! lists the refusal and the warnings: file:line, severity, message, inside the frame" listed 80 24
ok "at 200x50 ! lists the refusal and the warnings: file:line, severity, message, inside the frame" listed 200 50

# 80x24 holds 19 rows: the list scrolls to its last warning; 200x50
# holds all of it, and any key closes it.
scrolled() {
	start "$1" "$2" || return 1
	term_keys '!'
	term_wait "Runbook problems" 5 || return 1
	if [ "$2" -lt 40 ]; then
		term_screen | grep -q "1-19/" || { fail "no scroll position in the title"; return 1; }
		! term_screen | grep -q "warned.md:32" || { fail "the last warning shows before scrolling"; return 1; }
		term_keys PgDn PgDn PgDn PgDn
		term_wait "warned.md:32" 5 && framed || return 1
		term_keys Escape
	else
		term_screen | grep -q "warned.md:32" || { fail "the last warning is not shown at 200x50"; return 1; }
		term_screen | grep -q "(any key closes)" || { fail "no 'any key closes' in the title"; return 1; }
		term_keys j
	fi
	sleep 0.3
	! term_screen | grep -q "Runbook problems" || fail "the dialog did not close"
}
ok "at 80x24 the problem list scrolls to its end, and Esc closes it" scrolled 80 24
ok "at 200x50 the problem list shows whole, and any key closes it" scrolled 200 50

# The help, generated from the key table, has the key, and still fits
# one column at 80x24.
help_lists_key() {
	start 80 24 || return 1
	term_keys '?'
	term_wait "Keys (any key closes)" 5 &&
	term_wait "!     runbook problems: the files refused and the warnings" 1 &&
	term_wait "Enter open what is selected whole: a runbook, step, code (c copies), SLO" 1
}
ok "? lists ! with its help whole at 80x24" help_lists_key

# --ascii: the count's separator is a comma.
ascii_count() {
	term_start 80 24 "$CMDR" --ascii -c "$WORK/rb.json" -i "$(newdir)"
	term_wait "RUNBOOKS  1 refused, 31 warnings" 5
}
ok "with --ascii the count reads 1 refused, 31 warnings" ascii_count

# No runbook loaded at all: the empty list says where to look.
none_loaded() {
	mkdir -p "$WORK/bad"
	printf 'bad \377\n' >"$WORK/bad/only.md"
	echo "{\"runbook_dirs\": [\"$WORK/bad\"]}" >"$WORK/bad.json"
	term_start 80 24 "$CMDR" -c "$WORK/bad.json" -i "$(newdir)"
	term_wait "RUNBOOKS  1 refused" 5 &&
	term_wait "no runbook could be loaded: ! says why" 1
}
ok "when every runbook is refused the list says so and points at !" none_loaded

ok "no sanitizer reports" sanitizer_clean
