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
	# the checkpoint of the journal as the note read it (README)
	expect_eq "files after the repair" "$(ls "$dir")" \
		"$(printf 'journal.checkpoint-%s\njournal.jsonl\njournal.torn-%s' "$(id -u)" "$(head -1 "$dir/journal.jsonl" | wc -c)")" &&
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

# --- an incident shared across Unix users ---------------------------------
# Real users (root makes them, the trap removes them): alice and bob in a
# team group. Skipped when not root or without useradd.
TEAM_USERS=
TEAM_GROUP=
users_remove() {
	for u in $TEAM_USERS; do userdel "$u" 2>/dev/null; done
	[ -z "$TEAM_GROUP" ] || groupdel "$TEAM_GROUP" 2>/dev/null
	TEAM_USERS=
	TEAM_GROUP=
}
trap 'users_remove; stub_stop; term_end; rm -rf "$WORK"' EXIT INT TERM

as_user() { # USER CMD...
	_u=$1
	shift
	runuser -u "cmdrt_${_u}_$$" -- env USER="$_u" LOGNAME="$_u" HOME="$WORK" "$@"
}

team_setup() {
	[ "$(id -u)" -eq 0 ] && command -v useradd >/dev/null && command -v runuser >/dev/null || return 1
	TEAM_GROUP=cmdrt_team_$$
	groupadd "$TEAM_GROUP" || { TEAM_GROUP=; return 1; }
	for n in alice bob; do
		useradd -M -N -G "$TEAM_GROUP" "cmdrt_${n}_$$" || return 1
		TEAM_USERS="$TEAM_USERS cmdrt_${n}_$$"
	done
	chmod 0711 "$WORK"
	chmod 0644 "$WORK/config.json"
}

# A setgid 2770 team directory: what alice creates, bob appends to, and
# the other way round; modes stay open to the group whatever the umask.
team_dir() {
	t="$WORK/team"
	mkdir "$t" && chgrp "$TEAM_GROUP" "$t" && chmod 2770 "$t" || return 1
	as_user alice sh -c "umask 077; \"\$0\" note alice here -i '$t/inc' --as alice" "$CMDR" >/dev/null 2>"$WORK/err" ||
		{ fail "alice: $(cat "$WORK/err")"; return 1; }
	expect_eq "incident directory" "$(stat -c '%a %G' "$t/inc")" "2770 $TEAM_GROUP" &&
	expect_eq journal "$(stat -c '%a %G' "$t/inc/journal.jsonl")" "660 $TEAM_GROUP" || return 1
	as_user bob "$CMDR" note bob here -i "$t/inc" --as bob >/dev/null 2>"$WORK/err" ||
		{ fail "bob: $(cat "$WORK/err")"; return 1; }
	as_user bob "$CMDR" status -i "$t/inc" >/dev/null 2>"$WORK/err" ||
		{ fail "bob status: $(cat "$WORK/err")"; return 1; }
	out=$(as_user alice "$CMDR" audit verify -i "$t/inc") || { fail "verify: $out"; return 1; }
	case $out in *"intact, 2 entries"*) ;; *) fail "verify: $out"; return 1 ;; esac
}

# A group that may only read (2750): bob's status and read-only look work,
# his note is refused saying why, and nothing is created.
group_reader() {
	r="$WORK/readers"
	mkdir "$r" && chown "cmdrt_alice_$$:$TEAM_GROUP" "$r" && chmod 2750 "$r" || return 1
	as_user alice "$CMDR" note alice here -i "$r/inc" --as alice >/dev/null 2>"$WORK/err" ||
		{ fail "alice: $(cat "$WORK/err")"; return 1; }
	as_user bob "$CMDR" status -i "$r/inc" >"$WORK/out" 2>"$WORK/err" ||
		{ fail "bob status: $(cat "$WORK/err")"; return 1; }
	as_user bob "$CMDR" note bob here -i "$r/inc" --as bob >/dev/null 2>"$WORK/err"
	[ $? -eq 1 ] || { fail "bob's note was not refused"; return 1; }
	grep -q "journal.jsonl: this process can read the journal but not write it (Permission denied); nothing appended" "$WORK/err" ||
		{ fail "bob note: $(cat "$WORK/err")"; return 1; }
	expect_eq files "$(ls -A "$r/inc")" "journal.jsonl"
}

if team_setup; then
	ok "a setgid team directory: files open to the group, each member appends and reads" team_dir
	ok "a group that may only read: status works, a note is refused saying why" group_reader
else
	echo "ok - a setgid team directory # SKIP needs root and useradd"
	echo "ok - a group that may only read # SKIP needs root and useradd"
fi
users_remove

# A read-only mount: status reads the journal, nothing is written.
readonly_mount() {
	m="$WORK/romnt"
	mkdir "$m"
	mount -t tmpfs -o size=256k tmpfs "$m" 2>/dev/null || return 2
	"$CMDR" note hello -i "$m/inc" --as alice >/dev/null 2>&1 && mount -o remount,ro "$m" &&
		"$CMDR" status -i "$m/inc" >/dev/null 2>"$WORK/err"
	rc=$?
	umount "$m"
	[ $rc -eq 0 ] || fail "status: $(cat "$WORK/err")"
}
name="cmdr status on a read-only mount"
if [ "$(id -u)" -ne 0 ]; then
	echo "ok - $name # SKIP not root"
else
	readonly_mount
	case $? in
	0) echo "ok - $name" ;;
	2) echo "ok - $name # SKIP cannot mount a tmpfs" ;;
	*) echo "not ok - $name" ;;
	esac
fi

# The config's incident_mode: files created world-readable for observers
# on the jump box, whatever the umask; the directory still decides nothing.
configured_mode() {
	echo '{"incident_mode": "0644"}' >"$WORK/mode.json"
	dir="$WORK/moded"
	(umask 077 && "$CMDR" note hello -c "$WORK/mode.json" -i "$dir" --as alice >/dev/null) || return 1
	expect_eq mode "$(stat -c %a "$dir/journal.jsonl")" 644
}
ok "the config's incident_mode sets the mode of the files cmdr creates" configured_mode

ok "no sanitizer reports" sanitizer_clean
