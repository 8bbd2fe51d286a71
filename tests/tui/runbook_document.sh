#!/bin/sh
# The open runbook whole, as teams write them: paragraphs, tables, code
# outside steps and runbooks with no steps at all are on screen, scroll to
# their end, any code block is copied exactly with c, steps still tick,
# and the step dialog takes the screen's size and scrolls.
. "$(dirname "$0")/../lib.sh"

# The fixtures: a runbook with a long name, a paragraph, a table, a long
# code block outside the steps and steps (one with code of its own), and
# one with no steps (reference).
mkdir -p "$WORK/rb"
{
	printf '# Assistant down\n\n'
	printf 'The support assistant answers 5xx for more than five percent of requests over ten minutes, which pages the on-call.\n\n'
	printf '| Signal | Threshold | Where |\n|---|---|---|\n| error rate | 5%% | Prometheus |\n| p99 latency | 2500ms | AppInsights |\n\n'
	printf '```sh\n'
	i=1
	while [ $i -le 30 ]; do
		printf 'echo "line %02d of the setup"\n' $i
		i=$((i + 1))
	done
	printf '```\n\n## Steps\n\n'
	printf -- '- [ ] Check that the rollback held on every deployment of the endpoint and that traffic is back on the last known-good one before anything else\n'
	printf '  ```kql\n'
	i=1
	while [ $i -le 40 ]; do
		printf '  requests | where timestamp > ago(%dm) | summarize count() by resultCode\n' $i
		i=$((i + 1))
	done
	printf '  ```\n- [ ] Tell the incident channel\n- [ ] Close the incident\n\n'
	printf '## Afterwards\n\nWrite the postmortem within two days; the end of the runbook.\n'
} >"$WORK/rb/assistant-down-with-a-long-runbook-name.md"
printf '# Meaning\n\nThe error budget burns faster than the page allows.\n\n## Mitigation\n\n    kubectl rollout undo deploy/assistant\n' \
	>"$WORK/rb/reference.md"
echo "{\"runbook_dirs\": [\"$WORK/rb\"]}" >"$WORK/rb.json"
# What c must copy: the setup block exactly, newline included.
i=1
while [ $i -le 30 ]; do
	printf 'echo "line %02d of the setup"\n' $i
	i=$((i + 1))
done >"$WORK/want-code"

# start COLS ROWS: a console on the fixtures with the runbook pane
# focused, tmux taking OSC 52 copies into its paste buffer.
start() {
	dir=$(newdir)
	term_start "$1" "$2" "$CMDR" -c "$WORK/rb.json" -i "$dir"
	tmux -L "$TMUX_SOCKET" set -g set-clipboard on
	term_wait "LIVE" 5 || return 1
	term_keys Tab
	term_wait "reference" 5
}

# open NAME-PREFIX: opens the runbook listed with that prefix.
open_runbook() {
	term_keys Escape
	n=0
	while [ $n -lt 3 ]; do
		term_keys Enter
		term_wait "RUNBOOK " 2 >/dev/null && term_screen | grep -q "RUNBOOK $1" && return 0
		term_keys Escape j
		n=$((n + 1))
	done
	fail "runbook $1 never opened"
}

# page_until TEXT: PgDn until TEXT is on screen (at most 30 pages),
# keeping every screen seen on the way in $WORK/seen.
page_until() {
	n=0
	while ! term_screen | tee -a "$WORK/seen" | grep -qF -- "$1"; do
		[ $n -lt 30 ] || { fail "never scrolled to '$1'"; term_screen | sed 's/^/#   | /'; return 1; }
		term_keys PgDn
		sleep 0.1
		n=$((n + 1))
	done
}

document_shown() {
	start "$1" "$2" || return 1
	open_runbook assistant || return 1
	# The title keeps the progress whatever the name's length; at 80
	# columns the name gives way, cut in its middle.
	term_wait "  0/3" 5 || return 1
	if [ "$1" -lt 150 ]; then
		term_screen | grep -q "RUNBOOK assistant-.*….*  0/3" || { fail "the name is not shortened with …"; return 1; }
	fi
	# It opens at the first step; the top is a few PgUp away.
	term_wait "Check that the rollback held" 5 || return 1
	term_keys PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp
	term_wait "The support assistant answers 5xx" 5 || return 1
	: >"$WORK/seen"
	page_until "the end of the runbook." || return 1
	for want in "error rate" "5%" "Prometheus" "p99 latency" "2500ms" 'echo "line 01 of the setup"' \
		'echo "line 30 of the setup"' "Close the incident"; do
		grep -qF -- "$want" "$WORK/seen" || { fail "'$want' was never on screen"; return 1; }
	done
	# The paragraph wraps at a space, the wrapped row marked.
	grep -q "more than five percent of .*↩" "$WORK/seen" || { fail "no wrap mark"; return 1; }
}
ok "at 80x24 the paragraph, the table's cells and the code are shown, and PgDn reaches the end" document_shown 80 24
ok "at 200x50 the paragraph, the table's cells and the code are shown, and PgDn reaches the end" document_shown 200 50

code_copied() {
	start "$1" "$2" || return 1
	open_runbook assistant || return 1
	term_wait "Check that the rollback held" 5 || return 1
	# Up from the first step: the code block before it.
	term_keys k
	term_wait 'echo "line 01 of the setup"' 5 || return 1
	term_keys c
	term_wait "copied with OSC 52" 5 || return 1
	sleep 0.2
	tmux -L "$TMUX_SOCKET" save-buffer "$WORK/got-code" || { fail "no paste buffer: the copy never came"; return 1; }
	cmp -s "$WORK/got-code" "$WORK/want-code" || { fail "copied: $(head -c 200 "$WORK/got-code")"; return 1; }
	# The next selection is the first step; Space ticks it, journaled.
	term_keys j ' '
	term_wait "  1/3" 5 &&
	journal_wait "$dir" 'map(select(.action == "tick")) | length == 1 and .[0].params.step == "steps/check-that-the-rollback-held-on-every-deployment-of-the-endpoint-and-that-traffic-is-back-on-the-last-known-good-one-before-anything-else"' &&
	# Back up over the step's code to the step: ticked, with who.
	term_keys k k
	term_wait "[x] Check that the rollback held" 5 || return 1
	who=$(id -un)
	term_screen | grep -q "$who [0-9][0-9]:[0-9][0-9]:[0-9][0-9]" || { fail "no '$who HH:MM:SS' after the tick"; return 1; }
	# Unticked, the row loses its mark and who at once (the kept
	# layout is laid out again for the ticks).
	term_keys ' '
	term_wait "Untick a runbook step" 5 || return 1
	term_keys "wrong step" Enter
	term_wait "[ ] Check that the rollback held" 5 && term_wait "  0/3" 1 || return 1
	! term_screen | grep -q "$who [0-9][0-9]:[0-9][0-9]:[0-9][0-9]" || fail "who ticked it is still shown"
}
ok "at 80x24 c copies a code block outside the steps exactly, and Space still ticks a step and unticks it" code_copied 80 24
ok "at 200x50 c copies a code block outside the steps exactly, and Space still ticks a step and unticks it" code_copied 200 50

# The step dialog: as large as the screen, prose wrapped at spaces, code
# never wrapped unmarked, scrolling to the end, nothing past its frame.
step_dialog() {
	start "$1" "$2" || return 1
	open_runbook assistant || return 1
	term_wait "Check that the rollback held" 5 || return 1
	term_keys Enter
	term_wait "Runbook step" 5 || return 1
	term_screen >"$WORK/screen"
	width=$(grep -m1 "┌─ Runbook step" "$WORK/screen" | sed 's/^ *//; s/ *$//' | wc -m)
	[ "$width" -ge $(($1 - 5)) ] || { fail "the dialog is $width wide at $1 columns"; return 1; }
	grep -q "Check that the rollback held" "$WORK/screen" || { fail "no step text"; return 1; }
	# No character outside the frame's corners on any row between them.
	awk '/┌─ Runbook step/ { f = 1; next } /└/ { f = 0 } f && !/│.*│/ { bad = 1; print "#   | " $0 } END { exit bad }' \
		"$WORK/screen" || { fail "a row of the dialog lost its frame"; return 1; }
	grep -q "ago(1m)" "$WORK/screen" || { fail "the code's first line is not shown"; return 1; }
	if [ "$2" -lt 45 ]; then
		grep -q "rows 1-" "$WORK/screen" || { fail "no scroll position in the title"; return 1; }
		n=0
		while ! term_screen | grep -q "ago(40m)"; do
			[ $n -lt 10 ] || { fail "the dialog never scrolled to the code's end"; return 1; }
			term_keys PgDn
			sleep 0.1
			n=$((n + 1))
		done
		# c copies the code block on screen, exactly.
		term_keys c
		term_wait "copied with OSC 52" 5 || return 1
		sleep 0.2
		tmux -L "$TMUX_SOCKET" save-buffer "$WORK/got-kql" &&
		expect_eq "copied lines" "$(wc -l <"$WORK/got-kql")" 40 &&
		expect_eq "first copied line" "$(head -1 "$WORK/got-kql")" "requests | where timestamp > ago(1m) | summarize count() by resultCode"
	else
		# All of it fits: as the title says, any other key closes it.
		grep -q "any other key closes" "$WORK/screen" || { fail "the title does not say any key closes"; return 1; }
		term_keys j
		sleep 0.3
		! term_screen | grep -q "Runbook step" || { fail "j did not close a dialog that scrolls nothing"; return 1; }
	fi
}
ok "at 80x24 the step dialog fills the screen, keeps its frame, scrolls to the code's end and copies it" step_dialog 80 24
ok "at 200x50 the step dialog fills the screen and keeps its frame" step_dialog 200 50

# / finds text in any case, anywhere in the document: the place comes on
# screen, a code block found is selected (c copies it), / Enter again goes
# on round the end, and text that is nowhere says so.
find_text() {
	start "$1" "$2" || return 1
	open_runbook assistant || return 1
	term_wait "Check that the rollback held" 5 || return 1
	term_keys /
	term_wait "Find in the runbook" 5 || return 1
	term_keys POSTMORTEM Enter
	term_wait '"POSTMORTEM" at line' 5 && term_wait "Write the postmortem within two days" 5 || return 1
	term_keys / Enter
	term_wait "(from the top again)" 5 || return 1
	term_keys / C-u "line 25 of the setup" Enter
	term_wait '"line 25 of the setup" at line 10' 5 && term_wait 'echo "line 25 of the setup"' 5 || return 1
	term_keys c
	term_wait "code (line 10) copied" 5 || return 1
	term_keys / C-u "no such words" Enter
	term_wait '"no such words" is nowhere in' 5
}
ok "at 80x24 / finds text in prose and code, again round the end, and says when it is nowhere" find_text 80 24
ok "at 200x50 / finds text in prose and code, again round the end, and says when it is nowhere" find_text 200 50

reference_readable() {
	start "$1" "$2" || return 1
	open_runbook reference || return 1
	term_wait "RUNBOOK reference  0/0" 5 &&
	term_wait "The error budget burns faster than the page allows." 5 &&
	term_wait "kubectl rollout undo deploy/assistant" 5 &&
	term_wait "Mitigation" 5
}
ok "at 80x24 a runbook with no steps is shown as reference" reference_readable 80 24
ok "at 200x50 a runbook with no steps is shown as reference" reference_readable 200 50

ok "no sanitizer reports" sanitizer_clean
