#!/bin/sh
# The verb tables against themselves: every verb `cmdr --help` lists is
# dispatched, a subcommand that is not there gets the verb's usage lines
# from the same table, and every verb the `:` line's help lists is one it
# runs. (docs.sh holds cmdr.1 and README.md to the same tables.)
. "$(dirname "$0")/../lib.sh"

help_verbs() {
	"$CMDR" --help | grep -oE '^ *(usage: )?cmdr [a-z]+' | awk '{ print $NF }' | sort -u
}

# With no arguments each verb says how it is used (cmdr status: that
# there is no journal), never that it is unknown, and prints nothing on
# stdout.
every_verb_dispatched() {
	verbs=$(help_verbs)
	[ "$(printf '%s\n' "$verbs" | grep -c .)" -ge 15 ] || { fail "too few verbs in --help: $verbs"; return 1; }
	for v in $verbs; do
		"$CMDR" "$v" -i "$(newdir)" </dev/null >"$WORK/out" 2>"$WORK/err"
		rc=$?
		want=2
		[ "$v" = status ] && want=1
		expect_eq "cmdr $v: exit status ($(head -2 "$WORK/err"))" "$rc" "$want" &&
		expect_eq "cmdr $v: stdout" "$(cat "$WORK/out")" "" || return 1
		! grep -q "unknown command" "$WORK/err" || { fail "cmdr $v: $(cat "$WORK/err")"; return 1; }
	done
}
ok "every verb in cmdr --help is dispatched: with no arguments, a usage error (status: no journal)" \
	every_verb_dispatched

# cmdr audit frob: exit 2 and the verb's lines, as --help has them.
unknown_subcommand() {
	for v in audit policy; do
		"$CMDR" "$v" frob >"$WORK/out" 2>"$WORK/err"
		expect_eq "cmdr $v frob: exit status" $? 2 || return 1
		"$CMDR" --help | sed -n "s/^ *\(usage: \)\{0,1\}\(cmdr $v [^ ].*\)/\2/p" | sed 's/  .*//' >"$WORK/want"
		[ "$(wc -l <"$WORK/want")" -eq 2 ] || { fail "cmdr $v: not two lines in --help"; return 1; }
		while IFS= read -r line; do
			grep -qF -- "$line (" "$WORK/err" || { fail "cmdr $v frob does not say '$line': $(cat "$WORK/err")"; return 1; }
		done <"$WORK/want"
		grep -q "^cmdr $v: usage: cmdr $v " "$WORK/err" || { fail "cmdr $v frob: $(cat "$WORK/err")"; return 1; }
	done
}
ok "a subcommand that is not there is a usage error naming the verb's lines from --help" unknown_subcommand

# An unknown word on a `:` line lists the verbs; each verb listed, given
# no words, answers as itself (its usage, or its refusal), never
# "unknown command".
colon_verbs_dispatched() {
	printf '17:05:00 frob\n' >"$WORK/frob.script"
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless --until 17:06:00 --script "$WORK/frob.script" \
		-i "$(newdir)" >/dev/null 2>"$WORK/err"
	expect_eq "an unknown verb: exit status" $? 1 || return 1
	listed=$(sed -n "s/.*unknown command 'frob': //p" "$WORK/err" | awk '{ n = split($0, v, / [|] /); for (i = 1; i <= n; i++) { split(v[i], w, " "); print w[1] } }')
	[ "$(printf '%s\n' "$listed" | grep -c .)" -ge 10 ] || { fail "too few verbs listed: $(cat "$WORK/err")"; return 1; }
	: >"$WORK/bare.script"
	for v in $listed; do
		printf '17:05:00 %s\n' "$v" >>"$WORK/bare.script"
	done
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless --until 17:06:00 --script "$WORK/bare.script" \
		-i "$(newdir)" >/dev/null 2>"$WORK/err"
	! grep -q "unknown command" "$WORK/err" || { fail "$(grep "unknown command" "$WORK/err")"; return 1; }
	for v in $listed; do
		grep -q "bare.script:[0-9]*: $v " "$WORK/err" || { fail "no usage for '$v': $(cat "$WORK/err")"; return 1; }
	done
}
ok "every verb the : line's help lists is one it runs" colon_verbs_dispatched

ok "no sanitizer reports" sanitizer_clean
