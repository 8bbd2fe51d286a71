#!/bin/sh
# The incident directory's files are opened safely: links inside it are
# not followed (a journal or lock pointed at another file leaves that file
# untouched), and a directory anyone may write is refused.
. "$(dirname "$0")/../lib.sh"

symlinked_journal() {
	dir=$(newdir)
	printf 'line one\nhalf a line' >"$WORK/victim"
	ln -s "$WORK/victim" "$dir/journal.jsonl"
	"$CMDR" note hello -i "$dir" --as alice >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ $rc -eq 1 ] || { fail "exit $rc: $(cat "$WORK/out" "$WORK/err")"; return 1; }
	expect_eq stderr "$(cat "$WORK/err")" \
		"cmdr note: $dir/journal.jsonl: is a symbolic link; cmdr follows no link inside an incident directory (remove it)" &&
	expect_eq victim "$(cat "$WORK/victim")" "$(printf 'line one\nhalf a line')" &&
	expect_eq "side files" "$(ls "$dir")" "journal.jsonl"
}
ok "a journal that is a symbolic link is refused, the file it points at untouched" symlinked_journal

cat >"$WORK/cmd.json" <<CFG
{
  "roles": {"*": "commander"},
  "endpoints": [
    {"name": "chat", "target": {"type": "command", "timeout": "5s",
      "apply": ["true"], "read": ["echo", "d-1427=10 d-1428=90"]}}
  ]
}
CFG

symlinked_lock() {
	dir=$(newdir)
	"$CMDR" note hello -i "$dir" --as alice >/dev/null 2>&1 || { fail "note failed"; return 1; }
	mkdir "$dir/locks"
	printf 'precious\n' >"$WORK/victim2"
	ln -s "$WORK/victim2" "$dir/locks/chat.lock"
	"$CMDR" rollback chat --to d-1427 --reason "canary fails" --yes --as alice -c "$WORK/cmd.json" -i "$dir" >"$WORK/out" 2>"$WORK/err"
	grep -q "locks/chat.lock: is a symbolic link" "$WORK/err" || { fail "stderr: $(cat "$WORK/err")"; return 1; }
	expect_eq victim "$(cat "$WORK/victim2")" "precious"
}
ok "a lock file that is a symbolic link is refused, the file it points at untouched" symlinked_lock

world_writable() {
	dir=$(newdir)
	chmod 0777 "$dir"
	"$CMDR" note hello -i "$dir" --as alice >/dev/null 2>"$WORK/err"
	[ $? -eq 1 ] || { fail "a world-writable directory was used"; return 1; }
	expect_eq stderr "$(cat "$WORK/err")" \
		"cmdr note: $dir: incident directory is writable by others (mode 0777) without the sticky bit: anyone could replace the journal; chmod o-w $dir" || return 1
	chmod 1777 "$dir"
	"$CMDR" note hello -i "$dir" --as alice >/dev/null 2>"$WORK/err" || fail "sticky: $(cat "$WORK/err")"
}
ok "an incident directory anyone may write is refused unless sticky" world_writable

ok "no sanitizer reports" sanitizer_clean
