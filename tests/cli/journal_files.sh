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

# A torn tail on a full disk: the repair fails, says so, and leaves
# nothing behind; once there is room the next command repairs and goes on
# (it used to leave an empty side file that blocked every command after).
torn_tail_full_disk() {
	small="$WORK/small"
	mkdir "$small"
	mount -t tmpfs -o size=256k,mode=0700 tmpfs "$small" 2>/dev/null || return 2
	torn_tail_full_disk_on "$small"
	rc=$?
	umount "$small"
	return $rc
}

torn_tail_full_disk_on() {
	dir="$1/inc"
	"$CMDR" note hello -i "$dir" --as alice >/dev/null 2>&1 || { fail "first note failed"; return 1; }
	head -c 100000 /dev/zero | tr '\0' x >>"$dir/journal.jsonl"
	dd if=/dev/zero of="$1/filler" bs=4k 2>/dev/null
	"$CMDR" note two -i "$dir" --as alice >/dev/null 2>"$WORK/err"
	[ $? -eq 1 ] || { fail "the note went through on a full disk"; return 1; }
	grep -q "cannot keep the torn tail: No space left on device" "$WORK/err" || { fail "stderr: $(cat "$WORK/err")"; return 1; }
	expect_eq "files after the failed repair" "$(ls "$dir")" "journal.jsonl" || return 1
	rm "$1/filler"
	"$CMDR" note three -i "$dir" --as alice >/dev/null 2>"$WORK/err" || { fail "after freeing space: $(cat "$WORK/err")"; return 1; }
	expect_eq "files after the repair" "$(ls "$dir")" "$(printf 'journal.jsonl\njournal.torn-%s' "$(head -1 "$dir/journal.jsonl" | wc -c)")" &&
	expect_eq "side file" "$(wc -c <"$dir/journal.torn-$(head -1 "$dir/journal.jsonl" | wc -c)")" 100000 &&
	"$CMDR" audit verify -i "$dir" >/dev/null || fail "the repaired journal does not verify"
}
name="a torn tail on a full disk: the failed repair leaves nothing behind, the next one goes through"
if [ "$(id -u)" -ne 0 ]; then
	echo "ok - $name # SKIP not root: cannot mount a small tmpfs"
else
	torn_tail_full_disk
	case $? in
	0) echo "ok - $name" ;;
	2) echo "ok - $name # SKIP cannot mount a small tmpfs" ;;
	*) echo "not ok - $name" ;;
	esac
fi

ok "no sanitizer reports" sanitizer_clean
