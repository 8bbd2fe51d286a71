#!/bin/sh
# cmdr runbook lint on the shipped runbooks and on broken ones; the config's
# runbook_dirs.
. "$(dirname "$0")/../lib.sh"

shipped_lint_clean() {
	out=$("$CMDR" runbook lint "$TOP"/runbooks/*.md) || { fail "$out"; return 1; }
	[ -z "$out" ] || fail "$out"
}
ok "every shipped runbook passes cmdr runbook lint" shipped_lint_clean

problems_as_file_line() {
	printf -- '---\ntitle: x\ntriggers:\n  - "(unclosed"\n---\n# A\n- [ ] same\n- [ ] same\n' >"$WORK/bad.md"
	out=$("$CMDR" runbook lint "$WORK/bad.md")
	[ $? -eq 0 ] || { fail "exit status not 0 for warnings alone"; return 1; }
	expect_eq problems "$out" "$WORK/bad.md:4: warning: invalid trigger pattern at offset 9: missing closing parenthesis
$WORK/bad.md:8: warning: duplicate step id a/same (the step at line 7): this one is a/same-2" || return 1
	printf -- '# A\n- [ ] caf\351\n' >"$WORK/latin1.md"
	out=$("$CMDR" runbook lint "$WORK/bad.md" "$WORK/latin1.md")
	[ $? -eq 1 ] || { fail "exit status not 1 with a refused file"; return 1; }
	expect_eq last "$(echo "$out" | tail -1)" "$WORK/latin1.md:2: invalid UTF-8 (byte 0xe9 at offset 13)"
}
ok "lint prints every problem as file:line, warnings marked, and exits 1 only on a refusal" problems_as_file_line

alert_runbook_loads() {
	printf -- '# Alert\n## Meaning\nIt fires.\n## Mitigation\n```sh\nkubectl get pods\n```\n' >"$WORK/alert.md"
	out=$("$CMDR" runbook lint "$WORK/alert.md")
	[ $? -eq 0 ] || { fail "exit status not 0: $out"; return 1; }
	expect_eq problems "$out" "$WORK/alert.md:1: warning: no steps (no task items, and no list items under a heading without task items): loaded as reference"
}
ok "a runbook without steps loads as reference, with a warning" alert_runbook_loads

json_tree() {
	"$CMDR" runbook lint "$TOP/runbooks/canary-regression.md" --json >"$WORK/tree.json" || return 1
	expect_eq first "$(jq -r '.runbooks[0].steps[0] | "\(.line) \(.depth) \(.task) \(.id)"' "$WORK/tree.json" | cut -d' ' -f2,3)" "0 true" &&
	expect_eq problems "$(jq -c '.problems' "$WORK/tree.json")" "[]" &&
	jq -e '.runbooks[0].triggers | length > 0' "$WORK/tree.json" >/dev/null || fail "no triggers"
}
ok "lint --json prints the parsed tree" json_tree

json_with_problems() {
	printf -- '---\nweight: 3\n---\n# A\n- [ ] one\n' >"$WORK/warn.md"
	printf -- '# A\n- [ ] caf\351\n' >"$WORK/latin1.md"
	"$CMDR" runbook lint --json "$WORK/warn.md" "$WORK/latin1.md" >"$WORK/p.json" 2>"$WORK/p.err"
	expect_eq exit $? 1 || return 1
	[ ! -s "$WORK/p.err" ] || { fail "stderr: $(cat "$WORK/p.err")"; return 1; }
	expect_eq runbooks "$(jq -r '[.runbooks[] | "\(.name):\(.steps | length)"] | join(",")' "$WORK/p.json")" "warn:1" &&
	expect_eq problems "$(jq -r '.problems[] | "\(.file)|\(.line)|\(.severity)|\(.message)"' "$WORK/p.json")" \
"$WORK/warn.md|2|warning|front matter: unknown key 'weight' ignored (cmdr reads title, severity, owner, triggers)
$WORK/latin1.md|2|error|invalid UTF-8 (byte 0xe9 at offset 13)" || return 1
	"$CMDR" runbook lint --json "$WORK/warn.md" >"$WORK/w.json"
	expect_eq "exit with warnings alone" $? 0 &&
	jq -e '.problems | length == 1' "$WORK/w.json" >/dev/null || fail "$(cat "$WORK/w.json")"
}
ok "lint --json prints JSON even when a file is refused, problems with their severity" json_with_problems

config_dirs() {
	mkdir -p "$WORK/rb"
	printf -- '# Only\n- [ ] the one step\n' >"$WORK/rb/only.md"
	printf '{"runbook_dirs": ["%s"]}\n' "$WORK/rb" >"$WORK/cfg.json"
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless --until 17:03:00 -c "$WORK/cfg.json" -i "$dir" >"$WORK/s.json" || return 1
	expect_eq runbooks "$(jq -r '[.runbooks[].name] | join(",")' "$WORK/s.json")" "only"
}
ok "the config's runbook_dirs decide which runbooks are listed" config_dirs

# A runbook repository: folders, a README.md per service, one name in
# two folders, a FIFO and a tree deeper than the cap. Every runbook is
# listed under a name of its own, and what is left out is said.
repository_dirs() {
	rb=$WORK/repo
	mkdir -p "$rb/svc-a" "$rb/svc-b" "$rb/.git" "$WORK/repo2"
	printf -- '# Top\n- [ ] top step\n' >"$rb/top.md"
	printf -- '# About these runbooks\n- [ ] not a runbook\n' >"$rb/README.md"
	printf -- '# Service A\n- [ ] check a\n' >"$rb/svc-a/README.md"
	printf -- '# Service B\n## Meaning\nNo list at all: reference.\n' >"$rb/svc-b/README.md"
	printf -- '# Deploy A\n- [ ] deploy a\n' >"$rb/svc-a/deploy.md"
	printf -- '# Deploy B\n- [ ] deploy b\n' >"$rb/svc-b/deploy.md"
	printf -- '# Hidden\n- [ ] no\n' >"$rb/.git/hidden.md"
	printf -- '# Top, again\n- [ ] second copy\n' >"$WORK/repo2/top.md"
	mkfifo "$rb/fifo.md" || return 1
	ln -s .. "$rb/svc-a/up" || return 1
	deep=$rb
	for i in 1 2 3 4 5 6 7 8 9 10; do deep=$deep/d$i; done
	mkdir -p "$deep" && printf -- '# Deep\n- [ ] deep\n' >"$deep/deep.md"
	printf '{"runbook_dirs": ["%s", "%s"]}\n' "$rb" "$WORK/repo2" >"$WORK/repo.json"
	dir=$(newdir)
	timeout 20 "$CMDR" drill "$DRILLS/friday-1714.json" --headless --until 17:03:00 -c "$WORK/repo.json" \
		-i "$dir" >"$WORK/repo.out" 2>"$WORK/repo.err" || { fail "status $?: $(cat "$WORK/repo.err")"; return 1; }
	expect_eq runbooks "$(jq -r '[.runbooks[].name] | join(",")' "$WORK/repo.out")" \
		"deploy,svc-a,svc-b,svc-b/deploy,top" &&
	expect_eq "top's title (the first directory's copy)" \
		"$(jq -r '.runbooks[] | select(.name == "top") | .title' "$WORK/repo.out")" "Top" &&
	grep -q "fifo.md:1: not a regular file (a FIFO)" "$WORK/repo.err" &&
	grep -q "runbooks are looked for 8 folders deep" "$WORK/repo.err" ||
		{ fail "stderr: $(cat "$WORK/repo.err")"; return 1; }
	# status keeps them all, the warnings of runbooks that loaded too
	jq -r '.runbook_problems[]' "$WORK/repo.out" >"$WORK/problems"
	grep -q "fifo.md:1: not a regular file (a FIFO)" "$WORK/problems" &&
	grep -q "runbooks are looked for 8 folders deep" "$WORK/problems" &&
	grep -q "svc-b/README.md:1: warning: no steps" "$WORK/problems" ||
		fail "runbook_problems: $(cat "$WORK/problems")"
}
ok "runbook_dirs: folders, README.md per folder, dir/name on a clash, no FIFO read, depth capped" repository_dirs

ok "no sanitizer reports" sanitizer_clean
