#!/bin/sh
# The documentation against the binary: what `cmdr --help` offers is in the
# manual page and the README, the key table's wording is in both, the
# version is one version, the manual page renders cleanly, and the errors
# the docs describe look the way they say.
. "$(dirname "$0")/../lib.sh"

MAN_PAGE="$TOP/cmdr.1"
README="$TOP/README.md"

# The text of a roff or markdown file with roff's escaped hyphens and
# zero-width marks undone, so that `\-\-speed` reads `--speed`.
plain() {
	sed -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\(em/--/g' "$1"
}

# Fails, naming each of the lines of $2 (fixed strings) missing from file $1.
all_in() {
	file=$1 wanted=$2 missing=""
	plain "$file" >"$WORK/plain"
	while IFS= read -r want; do
		[ -n "$want" ] || continue
		grep -qF -- "$want" "$WORK/plain" || missing="$missing '$want'"
	done <<EOF
$wanted
EOF
	[ -z "$missing" ] || fail "$(basename "$file") lacks:$missing"
}

# Every option in the usage text, short and long, one per line.
help_options() {
	"$CMDR" --help | grep -oE -- '(^|[^A-Za-z0-9-])--?[A-Za-z][A-Za-z-]*' |
		sed 's/^[^-]*//' | sort -u
}

# The commands in the usage text's synopsis: "cmdr drill", "cmdr status".
help_commands() {
	"$CMDR" --help | grep -oE 'cmdr [a-z][a-z-]*' | sort -u
}

options_documented() {
	"$CMDR" --help >"$WORK/help" || return 1
	opts=$(help_options)
	[ "$(printf '%s\n' "$opts" | grep -c .)" -ge 10 ] || { fail "found too few options in --help: $opts"; return 1; }
	all_in "$MAN_PAGE" "$opts" && all_in "$README" "$opts"
}
ok "every option in cmdr --help is in cmdr.1 and README.md" options_documented

commands_documented() {
	cmds=$(help_commands)
	printf '%s\n' "$cmds" | grep -qx "cmdr drill" || { fail "no 'cmdr drill' in --help: $cmds"; return 1; }
	printf '%s\n' "$cmds" | grep -qx "cmdr status" || { fail "no 'cmdr status' in --help: $cmds"; return 1; }
	all_in "$MAN_PAGE" "$cmds" && all_in "$README" "$cmds"
}
ok "every command form in cmdr --help (drill, status) is in cmdr.1 and README.md" commands_documented

# The verb table (cli/main.c) against the manual's SYNOPSIS, both ways: a
# verb added to one and not the other fails here.
synopsis_matches_help() {
	man_verbs=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' "$MAN_PAGE" | awk '$1 == ".B" && $2 == "cmdr" && $3 { print $3 }' |
		sort -u | tr '\n' ' ')
	help_verbs=$("$CMDR" --help | grep -oE '^ *(usage: )?cmdr [a-z]+' | awk '{ print $NF }' | sort -u | tr '\n' ' ')
	[ -n "$help_verbs" ] || { fail "no verbs in cmdr --help"; return 1; }
	expect_eq "the verbs of cmdr.1's SYNOPSIS and of cmdr --help" "$man_verbs" "$help_verbs"
}
ok "cmdr.1's SYNOPSIS and cmdr --help name the same verbs" synopsis_matches_help

# README's "Command line" block is cmdr --help's synopsis, word for word.
readme_synopsis_is_help() {
	"$CMDR" --help | sed -n '1,/cmdr --help | --version/p' | cut -c8- >"$WORK/want"
	awk '/^## Command line/ { f = 1; next } f && /^```$/ { n++; next } f && n == 1' "$README" >"$WORK/got"
	cmp -s "$WORK/want" "$WORK/got" || { fail "README differs: $(diff "$WORK/want" "$WORK/got" | head -4)"; return 1; }
}
ok "README's command-line block is cmdr --help's synopsis" readme_synopsis_is_help

# The help texts of the key table (tui/keys.c): the `?` screen shows them,
# and both documents repeat them word for word.
key_table_documented() {
	keys_c="$TOP/tui/keys.c"
	[ -f "$keys_c" ] || { fail "$keys_c is missing"; return 1; }
	helps=$(sed -n 's/^[[:space:]]*{ {[^}]*}, "[^"]*", "\([^"]*\)".*/\1/p' "$keys_c")
	[ "$(printf '%s\n' "$helps" | grep -c .)" -ge 10 ] || { fail "found too few keys in $keys_c"; return 1; }
	all_in "$MAN_PAGE" "$helps" && all_in "$README" "$helps"
}
ok "every key's help text in tui/keys.c is in cmdr.1 and README.md, same wording" key_table_documented

# cmdr.1's key lists are what `cmdr config keys [scenario]` prints from
# the readers' tables (`make man` writes them); a key added, renamed or
# given another default fails here until the page says so.
key_lists_in_man_page() {
	for kind in config scenario; do
		sh "$TOP/tests/man_keys.sh" "$CMDR" $kind >"$WORK/want" || { fail "man_keys.sh $kind failed"; return 1; }
		[ "$(grep -c '^\.TP$' "$WORK/want")" -ge 40 ] || { fail "too few $kind keys: $(head -3 "$WORK/want")"; return 1; }
		# A marker line is .\" BEGIN KIND keys: its " is the third character.
		awk -v kind=$kind 'index($0, "\" END " kind " keys") == 3 { f = 0 } f { print }
			index($0, "\" BEGIN " kind " keys") == 3 { f = 1 }' "$MAN_PAGE" >"$WORK/got"
		cmp -s "$WORK/want" "$WORK/got" ||
			{ fail "cmdr.1's $kind keys differ from cmdr config keys (run make man): $(diff "$WORK/got" "$WORK/want" | head -4)"; return 1; }
	done
}
ok "cmdr.1's key lists are what cmdr config keys prints from the key tables" key_lists_in_man_page

version_matches_makefile() {
	want=$(sed -n 's/^VERSION[[:space:]]*=[[:space:]]*\([^[:space:]]*\).*/\1/p' "$TOP/Makefile")
	got=$("$CMDR" --version) || return 1
	printf '%s\n' "$got" | grep -qxE 'cmdr [0-9]+\.[0-9]+\.[0-9]+' || { fail "--version printed '$got'"; return 1; }
	expect_eq "--version" "$got" "cmdr $want"
}
ok "cmdr --version prints cmdr X.Y.Z, the VERSION in the Makefile" version_matches_makefile

man_page_version() {
	want=$(sed -n 's/^VERSION[[:space:]]*=[[:space:]]*\([^[:space:]]*\).*/\1/p' "$TOP/Makefile")
	grep -q "^\.TH CMDR 1 .*\"cmdr $want\"" "$MAN_PAGE" ||
		fail "cmdr.1's .TH line does not name cmdr $want: $(grep '^\.TH' "$MAN_PAGE")"
}
ok "cmdr.1's header names the Makefile's version" man_page_version

man_page_clean() {
	groff -man -ww -z "$MAN_PAGE" 2>"$WORK/groff.err" || { fail "groff failed: $(cat "$WORK/groff.err")"; return 1; }
	[ ! -s "$WORK/groff.err" ] || { fail "groff warnings: $(head -5 "$WORK/groff.err")"; return 1; }
	if command -v man >/dev/null 2>&1; then
		MANWIDTH=80 man -l "$MAN_PAGE" 2>"$WORK/man.err" >"$WORK/man.out" || { fail "man -l failed: $(cat "$WORK/man.err")"; return 1; }
		[ ! -s "$WORK/man.err" ] || { fail "man -l: $(head -5 "$WORK/man.err")"; return 1; }
		for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS KEYS DRILLS FILES ENVIRONMENT "EXIT STATUS" "SEE ALSO"; do
			grep -qx "$section" "$WORK/man.out" || { fail "no $section section"; return 1; }
		done
	fi
}
if command -v groff >/dev/null 2>&1; then
	ok "cmdr.1 renders without groff warnings, with every section" man_page_clean
else
	echo "ok - cmdr.1 renders without groff warnings # skip groff is not installed"
fi

bogus_option() {
	"$CMDR" --bogus >"$WORK/out" 2>"$WORK/err"
	rc=$?
	expect_eq "exit status" $rc 2 &&
	expect_eq "stderr lines" "$(wc -l <"$WORK/err" | tr -d ' ')" 1 &&
	expect_eq "stdout bytes" "$(wc -c <"$WORK/out" | tr -d ' ')" 0 &&
	grep -q -- "--bogus" "$WORK/err" || fail "stderr: $(cat "$WORK/err")"
}
ok "cmdr --bogus exits 2 with one line on stderr naming the option" bogus_option

status_without_journal() {
	"$CMDR" status -i /nonexistent >"$WORK/out" 2>"$WORK/err"
	rc=$?
	expect_eq "exit status" $rc 1 &&
	expect_eq "stderr lines" "$(wc -l <"$WORK/err" | tr -d ' ')" 1 &&
	{ grep -q "/nonexistent/journal.jsonl" "$WORK/err" || fail "stderr: $(cat "$WORK/err")"; } &&
	{ [ ! -e /nonexistent ] || fail "cmdr status created /nonexistent"; }
}
ok "cmdr status -i /nonexistent exits 1 with one line and creates nothing" status_without_journal

# Traffic targets (haproxy, azureml, command) are configurable: no page
# may still say they are not.
no_stale_target_claim() {
	for f in "$MAN_PAGE" "$README" "$TOP/INSTALL"; do
		plain "$f" | tr '\n' ' ' | grep -qi "targets are not configurable" &&
			{ fail "$(basename "$f") says traffic targets are not configurable"; return 1; }
	done
	return 0
}
ok "no page says traffic targets are not configurable" no_stale_target_claim

ok "no sanitizer reports" sanitizer_clean
