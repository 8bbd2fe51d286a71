#!/bin/sh
# Two consoles on one PostgreSQL incident, each on a jump box of its own
# (a UTS namespace named jump1 or jump2 when this user may make one):
# each shows what the other does; the database stopped under them shows
# "journal: offline Ns" on both, refuses a note rather than pretend, and
# once it is back both catch up with what was written meanwhile, once.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/pg.sh"
pg_start

cat >"$WORK/on-host" <<'EOS'
#!/bin/sh
h=$1; shift
if unshare --uts true 2>/dev/null; then
	exec unshare --uts sh -c 'hostname "$0" && exec "$@"' "$h" "$@"
fi
exec "$@"
EOS
chmod +x "$WORK/on-host"

two_hosts() {
	term_start 100 30 "$WORK/on-host" jump1 "$CMDR" -c "$WORK/pg.json" -i postgres:two --as alice
	term_add bob 100 30 "$WORK/on-host" jump2 "$CMDR" -c "$WORK/pg.json" -i postgres:two --as bob --role deputy
	term_wait "LIVE alice commander" 5 || return 1
	term_keys : "declare SEV1 Chat answers ungrounded on multi_hop" Enter
	term_wait "| SEV1 update in 30m" 5 || return 1
	TERM_ON=bob
	term_wait "| SEV1 update in 30m" 3 || return 1
	term_keys n "groundedness on multi_hop at 2.66" Enter
	TERM_ON=main
	term_keys t
	term_wait "bob      note: groundedness on multi_hop at 2.66" 3 || return 1
	"$CMDR" -c "$WORK/pg.json" note "paged the eval team" -i postgres:two --as dave >/dev/null || return 1
	term_wait "dave     note: paged the eval team" 3 || return 1
	TERM_ON=bob
	term_wait "dave: note: paged the eval team" 3 || return 1
	"$CMDR" -c "$WORK/pg.json" journal export postgres:two 2>/dev/null >"$WORK/two.jsonl"
	expect_eq journal "$(jq -c '[.actor.as, .action]' "$WORK/two.jsonl" | tr '\n' ' ')" \
		'["alice","declare"] ["bob","note"] ["dave","note"] ' || return 1
	if unshare --uts true 2>/dev/null; then
		expect_eq hosts "$(jq -r '.actor.host' "$WORK/two.jsonl" | head -2 | tr '\n' ' ')" "jump1 jump2 " || return 1
	fi
}
ok "two consoles on two hosts, one PostgreSQL incident: each sees the other's lines and a shell's" two_hosts

restart_under_consoles() {
	pg_server_stop immediate
	TERM_ON=main
	term_wait "journal: offline" 5 || return 1
	TERM_ON=bob
	term_wait "journal: offline" 3 || return 1
	# A note while the database is away is refused, not shown as done.
	term_keys n "written while offline" Enter
	term_wait "note not recorded: postgres:two:" 3 || return 1
	"$CMDR" -c "$WORK/pg.json" note "shell while offline" -i postgres:two --as dave >/dev/null 2>&1
	[ $? -eq 3 ] || { fail "a note with the database away did not exit 3"; return 1; }
	pg_server_start || return 1
	"$CMDR" -c "$WORK/pg.json" note "after the restart" -i postgres:two --as dave >/dev/null || return 1
	for who in main bob; do
		TERM_ON=$who
		term_keys Escape
		term_wait "after the restart" 8 || return 1
		if term_screen | grep -q "journal: offline"; then
			fail "$who still says offline"
			return 1
		fi
	done
	TERM_ON=main
	expect_eq "notes on the timeline" "$(term_screen | grep -c "note: after the restart")" 1 &&
		expect_eq entries "$("$CMDR" -c "$WORK/pg.json" audit verify -i postgres:two | sed 's/.*intact, \([0-9]*\) entries.*/\1/')" 4 &&
		! term_screen | grep -q "written while offline"
}
ok "the database restarted under both consoles: offline shown, a note refused, then caught up once" restart_under_consoles

burst_followed() {
	# 600 lines in one transaction (a push: one NOTIFY), more than one
	# fetch holds: the console reads on until it has them all, without
	# waiting for its next poll.
	TERM_ON=bob
	term_keys q
	sleep 0.5
	term_add carol 100 30 "$CMDR" -c "$WORK/pg.json" -i postgres:pushed --as carol --role observer
	TERM_ON=carol
	term_wait "#0 " 5 || return 1
	"$(dirname "$CMDR")/tests/journal_writers" "$WORK/six" 1 600 >/dev/null &&
		"$CMDR" -c "$WORK/pg.json" journal push "$WORK/six" postgres:pushed >/dev/null || return 1
	term_wait "#600 " 3
}
ok "600 lines pushed at once: a console has them all within seconds, not a poll per 256" burst_followed

ok "no sanitizer reports" sanitizer_clean
