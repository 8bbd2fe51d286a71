#!/bin/sh
# One change per endpoint at a time: two `cmdr rollback`s of one endpoint
# at once, through a command target whose apply takes 2 s. One performs;
# the other is refused at once, naming the holder, and the refusal is
# journaled. A holder killed with SIGKILL mid-change blocks nobody, not
# even while the command it started still runs.
. "$(dirname "$0")/../lib.sh"

STATE="$WORK/state"
# apply: notes each run (its pid, also its process group's), takes 2 s,
# then serves the split it was given.
cat >"$WORK/apply.sh" <<EOF
#!/bin/sh
echo \$\$ >>"$WORK/runs"
sleep 2
echo "\$*" >"$STATE"
EOF
cat >"$WORK/read.sh" <<EOF
#!/bin/sh
cat "$STATE"
EOF
chmod +x "$WORK/apply.sh" "$WORK/read.sh"
cat >"$WORK/cmd.json" <<EOF
{
  "roles": {"*": "commander"},
  "endpoints": [
    {"name": "chat", "target": {"type": "command", "timeout": "20s",
      "apply": ["$WORK/apply.sh", "{traffic}"], "read": ["$WORK/read.sh"]}}
  ]
}
EOF

# wait_runs N: until the apply command has started N times.
wait_runs() {
	i=0
	while [ "$(cat "$WORK/runs" 2>/dev/null | wc -l)" -lt "$1" ]; do
		[ $i -lt 100 ] || { fail "the apply command never started"; return 1; }
		sleep 0.05
		i=$((i + 1))
	done
}

rollback() { # AS DIR: a rollback of chat to d-1427 as AS
	"$CMDR" rollback chat --to d-1427 --reason "canary fails" --yes --as "$1" -c "$WORK/cmd.json" -i "$2"
}

# The same in the background, with $! cmdr's own pid.
rollback_bg() { # AS DIR OUT ERR
	(exec "$CMDR" rollback chat --to d-1427 --reason "canary fails" --yes --as "$1" -c "$WORK/cmd.json" \
		-i "$2" >"$3" 2>"$4") &
}

one_performs() {
	echo "d-1427=10 d-1428=90" >"$STATE"
	rm -f "$WORK/runs"
	dir=$(newdir)
	rollback_bg alice "$dir" "$WORK/out1" "$WORK/err1"
	first=$!
	wait_runs 1 || return 1
	start=$(date +%s)
	rollback bob "$dir" >"$WORK/out2" 2>"$WORK/err2"
	rc2=$?
	took=$(( $(date +%s) - start ))
	# Refused while the first still applies: it did not wait for the lock.
	kill -0 $first 2>/dev/null || { fail "the second was not refused before the first finished"; return 1; }
	wait $first
	rc1=$?
	[ $rc1 -eq 0 ] || { fail "first: exit $rc1: $(cat "$WORK/out1" "$WORK/err1")"; return 1; }
	[ $rc2 -eq 1 ] || { fail "second: exit $rc2, want 1: $(cat "$WORK/out2" "$WORK/err2")"; return 1; }
	[ $took -le 1 ] || { fail "the refusal took $took s"; return 1; }
	expect_eq stderr "$(sed 's/(pid [0-9]*)/(pid N)/' "$WORK/err2")" \
		"cmdr rollback: rollback refused: chat is being changed: rollback of chat to d-1427 by alice (pid N)" &&
	expect_eq pid "$(grep -o 'pid [0-9]*' "$WORK/err2")" "pid $first" &&
	expect_eq runs "$(wc -l <"$WORK/runs")" 1 &&
	expect_eq journal "$(jq -c '[.actor.as, .outcome, .detail]' "$dir/journal.jsonl" | sed 's/(pid [0-9]*)/(pid N)/')" \
'["alice","intent",null]
["bob","refused","chat is being changed: rollback of chat to d-1427 by alice (pid N)"]
["alice","verified",null]' &&
	expect_eq traffic "$(cat "$STATE")" "d-1427=100 d-1428=0"
}
ok "two rollbacks of one endpoint at once: one performs, the other is refused naming the holder, journaled" \
	one_performs

# alive PID: running, not a zombie (an orphan's new parent may be slow to
# reap, or not reap at all in a container).
alive() {
	_st=$(ps -p "$1" -o stat= 2>/dev/null)
	[ -n "$_st" ] && [ "${_st#Z}" = "$_st" ]
}

holder_killed() {
	echo "d-1427=10 d-1428=90" >"$STATE"
	rm -f "$WORK/runs"
	dir=$(newdir)
	rollback_bg alice "$dir" "$WORK/out1" "$WORK/err1"
	first=$!
	wait_runs 1 || return 1
	kill -KILL $first
	wait $first 2>/dev/null
	# Its apply command outlives it (a process group of its own) and does
	# not hold the lock: it was never passed on to the command.
	orphan=$(head -1 "$WORK/runs")
	alive "$orphan" || { fail "the first apply command is not running"; return 1; }
	rollback bob "$dir" >"$WORK/out2" 2>"$WORK/err2"
	rc=$?
	alive "$orphan" && { fail "the first apply command still runs"; return 1; }
	[ $rc -eq 0 ] || { fail "after the holder died: exit $rc: $(cat "$WORK/out2" "$WORK/err2")"; return 1; }
	expect_eq runs "$(wc -l <"$WORK/runs")" 2 &&
	expect_eq journal "$(jq -c '[.actor.as, .outcome]' "$dir/journal.jsonl")" \
'["alice","intent"]
["bob","intent"]
["bob","verified"]' &&
	expect_eq traffic "$(cat "$STATE")" "d-1427=100 d-1428=0"
}
ok "a holder killed with SIGKILL mid-change: the kernel drops its lock, and the next rollback goes through" \
	holder_killed

ok "no sanitizer reports" sanitizer_clean
