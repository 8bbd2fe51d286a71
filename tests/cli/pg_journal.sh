#!/bin/sh
# The journal in a real PostgreSQL (tests/pg.sh starts one): every command
# on postgres:NAME as on a directory, the same chain byte for byte (export
# and push verify with the same head), 8 writer processes x 500 notes in
# one linear chain, a writer that skipped the lock met by a retry, a rogue
# UPDATE caught by audit verify, and one clear line for each thing that
# can be wrong with the database.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/pg.sh"
pg_start
export CMDR_CONFIG="$WORK/pg.json" CMDR_TEST_DSN="$PGDSN"
WRITERS="$(dirname "$CMDR")/tests/journal_writers"

commands_on_pg() {
	"$CMDR" declare "checkout 5xx" --severity SEV2 -i postgres:sev-1 >/dev/null &&
		"$CMDR" role commander -i postgres:sev-1 >/dev/null &&
		"$CMDR" note "canary d-1428 looks bad" -i postgres:sev-1 >/dev/null &&
		"$CMDR" status --json -i postgres:sev-1 >"$WORK/status.json" &&
		jq -e '.incident.title == "checkout 5xx" and .journal.entries == 3 and .journal.path == "postgres:sev-1"' \
			"$WORK/status.json" >/dev/null &&
		"$CMDR" audit verify -i postgres:sev-1 >"$WORK/verify.out" &&
		grep -q "^postgres:sev-1: intact, 3 entries, head [0-9a-f]\{64\}$" "$WORK/verify.out" &&
		"$CMDR" export postmortem -i postgres:sev-1 | grep -q "canary d-1428 looks bad" &&
		"$CMDR" audit show -i postgres:sev-1 | grep -q " note .* noted"
}
ok "declare, role, note, status, audit verify and show, postmortem on postgres:NAME" commands_on_pg

export_verifies() {
	"$CMDR" journal export postgres:sev-1 >"$WORK/export.jsonl" 2>"$WORK/export.err" &&
		head=$(sed -n 's/.*head \([0-9a-f]*\)$/\1/p' "$WORK/verify.out") &&
		grep -q "^postgres:sev-1: 3 entries, head $head$" "$WORK/export.err" &&
		"$CMDR" audit verify "$WORK/export.jsonl" --head "$head" | grep -q "intact, 3 entries, head $head (matches"
}
ok "journal export gives JSON Lines that verify with the same head" export_verifies

# The same commands on a directory and on PostgreSQL write the same
# bytes, line for line, but for the moments and who ran them.
same_bytes() {
	"$CMDR" journal export postgres:sev-1 2>/dev/null | cut -c1-80 >"$WORK/pg.head" &&
		[ "$(wc -l <"$WORK/pg.head")" -eq 3 ] &&
		pg_sql "SELECT line FROM cmdr_journal WHERE incident = 'sev-1' ORDER BY seq" >"$WORK/rows" &&
		"$CMDR" journal export postgres:sev-1 2>/dev/null | cmp -s - "$WORK/rows"
}
ok "each row is the line a file journal would hold, byte for byte" same_bytes

push_and_back() {
	dir="$WORK/filed"
	CMDR_CONFIG="$WORK/pg.json" "$CMDR" declare "from a directory" --severity SEV1 -i "$dir" >/dev/null &&
		for i in 1 2 3 4 5; do "$CMDR" note "note $i" -i "$dir" >/dev/null || return 1; done &&
		"$CMDR" journal push "$dir" postgres:moved >"$WORK/push.out" 2>&1 &&
		grep -q "6 entries pushed to postgres:moved, head [0-9a-f]\{64\} (verified on both sides)" "$WORK/push.out" &&
		"$CMDR" journal export postgres:moved 2>/dev/null | cmp -s - "$dir/journal.jsonl" &&
		"$CMDR" note "after the move" -i postgres:moved >/dev/null &&
		"$CMDR" audit verify -i postgres:moved | grep -q "intact, 7 entries"
}
ok "journal push copies a directory's journal; the chain goes on in PostgreSQL" push_and_back

push_refused() {
	"$CMDR" journal push "$WORK/filed" postgres:moved >/dev/null 2>"$WORK/again.err"
	[ $? -eq 1 ] && grep -q "postgres:moved already holds lines; a push goes only into an empty incident" "$WORK/again.err" || return 1
	cp "$WORK/filed/journal.jsonl" "$WORK/broken.jsonl"
	mkdir -p "$WORK/broken" && sed 's/note 3/note three/' "$WORK/broken.jsonl" >"$WORK/broken/journal.jsonl"
	"$CMDR" journal push "$WORK/broken" postgres:never >/dev/null 2>"$WORK/broken.err"
	[ $? -eq 1 ] && grep -q "BROKEN at seq 4: hash mismatch: entry 4 was changed" "$WORK/broken.err" || { cat "$WORK/broken.err"; return 1; }
		[ "$(pg_sql "SELECT count(*) FROM cmdr_journal WHERE incident = 'never'")" = 0 ]
}
ok "push refuses a non-empty incident and a broken journal, and leaves nothing" push_refused

eight_writers() {
	"$WRITERS" postgres:busy 8 500 >"$WORK/writers.out" 2>&1 || { cat "$WORK/writers.out"; return 1; }
	"$CMDR" audit verify -i postgres:busy | grep -q "intact, 4000 entries" &&
		[ "$(pg_sql "SELECT count(*), min(seq), max(seq), count(DISTINCT line) FROM cmdr_journal WHERE incident = 'busy'")" = "4000|1|4000|4000" ] &&
		for w in 0 1 2 3 4 5 6 7; do
			[ "$(pg_sql "SELECT count(*) FROM cmdr_journal WHERE incident = 'busy' AND line LIKE '%of writer $w\"%'")" = 500 ] || return 1
		done
}
ok "8 writer processes x 500 notes: 4000 entries, one linear chain, none lost" eight_writers

conflict_retried() {
	"$CMDR" note "before the rogue" -i postgres:race >/dev/null &&
		"$WRITERS" postgres:race 1 1 --conflict >"$WORK/conflict.out" 2>&1 &&
		grep -q "^appended=3 retried=1$" "$WORK/conflict.out" &&
		"$CMDR" audit verify -i postgres:race | grep -q "intact, 3 entries" &&
		pg_sql "SELECT seq FROM cmdr_journal WHERE incident = 'race' AND line LIKE '%rogue%'" | grep -qx 2
}
ok "a writer that skipped the lock took the place: unique_violation, re-read, re-chained, retried" conflict_retried

rogue_update() {
	pg_sql "UPDATE cmdr_journal SET line = replace(line, 'note 3', 'note 8') WHERE incident = 'moved' AND seq = 4"
	"$CMDR" audit verify -i postgres:moved >"$WORK/rogue.out" 2>&1
	[ $? -eq 1 ] && grep -q "^postgres:moved: BROKEN at seq 4: hash mismatch: entry 4 was changed" "$WORK/rogue.out" || { cat "$WORK/rogue.out"; return 1; }
	# Lines added after it do not launder it.
	"$CMDR" note "on a rewritten journal" -i postgres:moved >/dev/null 2>&1
	"$CMDR" audit verify -i postgres:moved 2>&1 | grep -q "BROKEN at seq 4: hash mismatch"
}
ok "a rogue UPDATE of one row: audit verify names where the chain breaks" rogue_update

rogue_delete() {
	pg_sql "DELETE FROM cmdr_journal WHERE incident = 'busy' AND seq BETWEEN 1000 AND 1399"
	"$CMDR" audit verify -i postgres:busy >"$WORK/gap.out" 2>&1
	[ $? -eq 1 ] && grep -q "^postgres:busy: BROKEN at seq 1000: gap: entry 1000 is missing (the line in its place says seq 1400)" "$WORK/gap.out" || { cat "$WORK/gap.out"; return 1; }
}
ok "400 rows deleted behind cmdr's back: audit verify reads past the gap and names it" rogue_delete

# cmdr's role may only read and add: the grants README gives.
grants_hold() {
	out=$(PGPASSWORD="$PGPASS" "$PGBIN/psql" -X -h "$PGSOCK" -p "$PGPORT" -U cmdr -d cmdr -c \
		"UPDATE cmdr_journal SET line = 'x' WHERE incident = 'sev-1'" 2>&1)
	echo "$out" | grep -q "permission denied for table cmdr_journal" || return 1
	out=$(PGPASSWORD="$PGPASS" "$PGBIN/psql" -X -h "$PGSOCK" -p "$PGPORT" -U cmdr -d cmdr -c \
		"DELETE FROM cmdr_journal WHERE incident = 'sev-1'" 2>&1)
	echo "$out" | grep -q "permission denied for table cmdr_journal"
}
ok "with INSERT and SELECT only, cmdr's credential cannot UPDATE or DELETE a row" grants_hold

# one_line EXPECTED-STATUS PATTERN CONFIG: cmdr note fails with that status
# and one line on stderr matching the pattern, the password never in it.
one_line() {
	CMDR_CONFIG="$3" "$CMDR" note "x" -i postgres:sev-1 >/dev/null 2>"$WORK/err"
	rc=$?
	[ $rc -eq "$1" ] && [ "$(wc -l <"$WORK/err")" -eq 1 ] && grep -q "$2" "$WORK/err" &&
		! grep -q "$PGPASS" "$WORK/err" || { echo "# status $rc: $(cat "$WORK/err")"; return 1; }
}

dsn_config() {
	printf '%s\n' "$1" >"$WORK/dsn.$2"
	chmod 600 "$WORK/dsn.$2"
	printf '{"journal": {"dsn_file": "%s", "timeout": "2s"}}\n' "$WORK/dsn.$2" >"$WORK/pg.$2.json"
	echo "$WORK/pg.$2.json"
}

bad_databases() {
	one_line 3 "cmdr note: postgres:sev-1: cannot connect to PostgreSQL: .*password authentication failed for user \"cmdr\"" \
		"$(dsn_config "host=$PGSOCK port=$PGPORT dbname=cmdr user=cmdr password=wrong-$PGPASS" wrongpass)" &&
		one_line 3 "cannot connect to PostgreSQL: unterminated quoted string in connection info string" \
			"$(dsn_config "host='$PGSOCK port=$PGPORT" syntax)" &&
		one_line 3 "cannot connect to PostgreSQL: .*Connection refused" \
			"$(dsn_config "host=127.0.0.1 port=1 dbname=cmdr user=cmdr password=$PGPASS" refused)" &&
		pg_sql "CREATE DATABASE empty" postgres &&
		pg_sql "GRANT CONNECT ON DATABASE empty TO cmdr" postgres &&
		one_line 3 'relation "cmdr_journal" does not exist (create it: cmdr journal schema | psql' \
			"$(dsn_config "host=$PGSOCK port=$PGPORT dbname=empty user=cmdr password=$PGPASS" notable)" &&
		pg_sql "CREATE ROLE reader LOGIN PASSWORD '$PGPASS'; GRANT SELECT ON cmdr_journal TO reader" &&
		one_line 3 "permission denied for table cmdr_journal (cmdr's role needs SELECT and INSERT on cmdr_journal)" \
			"$(dsn_config "host=$PGSOCK port=$PGPORT dbname=cmdr user=reader password=$PGPASS" reader)" &&
		pg_sql "ALTER ROLE cmdr SET default_transaction_read_only = on" &&
		one_line 3 "cannot append to journal: cannot execute INSERT in a read-only transaction (the database takes no writes" "$WORK/pg.json" &&
		pg_sql "ALTER ROLE cmdr RESET default_transaction_read_only" &&
		printf '{"journal": {}}\n' >"$WORK/nodsn.json" &&
		one_line 1 "postgres:sev-1: the config names no PostgreSQL DSN (journal.dsn_file or journal.dsn_env)" "$WORK/nodsn.json" &&
		[ "$(pg_sql "SELECT count(*) FROM cmdr_journal WHERE incident = 'sev-1'")" = 3 ]
}
ok "wrong password, bad DSN, no server, no table, no INSERT grant, read-only, no DSN: one line each, nothing written" bad_databases

secret_echo() {
	# A server (here: the DSN's own password in a database name that does
	# not exist) that says the password back: it never reaches stderr.
	one_line 3 "cannot connect to PostgreSQL: .*database \"db-\[REDACTED\]\" does not exist" \
		"$(dsn_config "host=$PGSOCK port=$PGPORT dbname=db-$PGPASS user=cmdr password=$PGPASS" echo)"
}
ok "a server that echoes the password back: redacted" secret_echo

journal_config_problems() {
	printf '{"journal": {"type": "postgres"}}\n' >"$WORK/j1.json"
	printf '{"journal": {"type": "pg", "dsn_file": "/x", "dsn_env": "Y", "incident": "a b", "timeout": "0s"}}\n' >"$WORK/j2.json"
	"$CMDR" config check "$WORK/j1.json" >"$WORK/j1.out"
	[ $? -eq 1 ] || return 1
	"$CMDR" config check "$WORK/j2.json" >"$WORK/j2.out"
	[ $? -eq 1 ] || return 1
	expect_eq problems "$(sed "s|$WORK/||" "$WORK/j1.out" "$WORK/j2.out")" \
'j1.json: $.journal: required key missing: "dsn_file" or "dsn_env" (where the PostgreSQL DSN is kept)
j1.json: $.journal: required key missing: "incident" (the incident'"'"'s name in PostgreSQL)
j2.json: $.journal.type: expected "file" or "postgres", got "pg"
j2.json: $.journal.timeout: expected a duration above zero, got "0s"
j2.json: $.journal: give "dsn_file" or "dsn_env", not both
j2.json: $.journal.incident: expected a name of 1 to 200 characters without spaces, got "a b"'
}
ok "a journal section with problems: each one named, by its key" journal_config_problems

config_check_online() {
	printf '{"journal": {"type": "postgres", "dsn_file": "%s", "incident": "sev-1"}}\n' "$WORK/dsn" >"$WORK/online.json"
	"$CMDR" config check "$WORK/online.json" --online >"$WORK/online.out" || { cat "$WORK/online.out"; return 1; }
	grep -q "journal postgres:sev-1: reachable, [0-9]* entries; cmdr's role may read and add lines, not rewrite them" "$WORK/online.out" || return 1
	# A role that may rewrite history is a failed check, not a detail.
	pg_sql "CREATE ROLE owner LOGIN PASSWORD '$PGPASS'; GRANT SELECT, INSERT, UPDATE, DELETE ON cmdr_journal TO owner"
	dsn_config "host=$PGSOCK port=$PGPORT dbname=cmdr user=owner password=$PGPASS" owner >/dev/null
	printf '{"journal": {"dsn_file": "%s"}}\n' "$WORK/dsn.owner" >"$WORK/owner.json"
	"$CMDR" config check "$WORK/owner.json" --online >"$WORK/owner.out"
	[ $? -eq 1 ] && grep -q "cmdr's role may UPDATE and DELETE (or TRUNCATE) cmdr_journal, so a stolen credential could rewrite history: grant it SELECT and INSERT only" "$WORK/owner.out" || { cat "$WORK/owner.out"; return 1; }
	"$CMDR" config check "$WORK/pg.wrongpass.json" --online >"$WORK/wp.out"
	[ $? -eq 3 ] && grep -q "journal: postgres:-: cannot connect to PostgreSQL: .*password authentication failed" "$WORK/wp.out" &&
		! grep -q "$PGPASS" "$WORK/wp.out"
}
ok "config check --online: the journal's database reachable, and a role that could rewrite history refused" config_check_online

drills_without_db() {
	printf '{"journal": {"dsn_env": "NO_SUCH_DSN_VAR"}}\n' >"$WORK/unset.json"
	CMDR_CONFIG="$WORK/unset.json" "$CMDR" drill friday-1714 --headless --until 17:20:00 -i "$WORK/drill" >/dev/null
}
ok "drills need no database" drills_without_db

drill_on_pg() {
	(cd "$WORK" && "$CMDR" drill "$DRILLS/friday-1714.json" --headless --until 17:20:00 -i postgres:drill >"$WORK/drill.json") &&
		jq -e '.journal.path == "postgres:drill" and .journal.entries > 0' "$WORK/drill.json" >/dev/null &&
		"$CMDR" audit verify -i postgres:drill | grep -q "intact" &&
		[ ! -e "$WORK/postgres:drill" ]
}
ok "a drill journals into postgres:NAME too, and makes no directory of that name" drill_on_pg

# --- locks across hosts, and a database cut in the middle of a change -----
STATE="$WORK/state"
cat >"$WORK/apply.sh" <<EOF
#!/bin/sh
echo \$\$ >>"$WORK/runs"
sleep 2
echo "\$*" >"$STATE"
EOF
printf '#!/bin/sh\ncat "%s"\n' "$STATE" >"$WORK/read.sh"
chmod +x "$WORK/apply.sh" "$WORK/read.sh"
cat >"$WORK/cmd.json" <<EOF
{
  "roles": {"*": "commander"},
  "journal": {"dsn_file": "$WORK/dsn", "timeout": "2s"},
  "endpoints": [
    {"name": "chat", "target": {"type": "command", "timeout": "20s",
      "apply": ["$WORK/apply.sh", "{traffic}"], "read": ["$WORK/read.sh"]}}
  ]
}
EOF
# on_host NAME COMMAND...: runs it as if on the jump box NAME (a UTS
# namespace of its own when this user may make one).
on_host() {
	_h=$1; shift
	if unshare --uts true 2>/dev/null; then
		unshare --uts sh -c 'hostname "$0" && exec "$@"' "$_h" "$@"
	else
		"$@"
	fi
}

wait_runs() {
	i=0
	while [ "$(cat "$WORK/runs" 2>/dev/null | wc -l)" -lt "$1" ]; do
		[ $i -lt 100 ] || { fail "the apply command never started"; return 1; }
		sleep 0.05
		i=$((i + 1))
	done
}

rollback_on() { # HOST AS INCIDENT
	on_host "$1" "$CMDR" rollback chat --to d-1427 --reason "canary fails" --yes --as "$2" -c "$WORK/cmd.json" -i "$3"
}

# rollback_started INCIDENT OUT ERR: alice's rollback from jump1, in the
# background ($first), once its apply command runs.
rollback_started() {
	echo "d-1427=10 d-1428=90" >"$STATE"
	rm -f "$WORK/runs"
	rollback_on jump1 alice "$1" >"$2" 2>"$3" &
	first=$!
	wait_runs 1
}

lock_across_hosts() {
	rollback_started postgres:lock "$WORK/l1.out" "$WORK/l1.err" || return 1
	rollback_on jump2 bob postgres:lock >"$WORK/l2.out" 2>"$WORK/l2.err"
	rc2=$?
	kill -0 $first 2>/dev/null || { fail "the second was not refused while the first held the lock"; return 1; }
	wait $first || { fail "first: $(cat "$WORK/l1.err")"; return 1; }
	[ $rc2 -eq 1 ] || { fail "second: exit $rc2: $(cat "$WORK/l2.err")"; return 1; }
	host=jump1
	unshare --uts true 2>/dev/null || host=$(hostname)
	expect_eq stderr "$(sed 's/(pid [0-9]*)/(pid N)/' "$WORK/l2.err")" \
		"cmdr rollback: rollback refused: chat is being changed: rollback of chat to d-1427 by alice (pid N) on $host" &&
		expect_eq runs "$(wc -l <"$WORK/runs")" 1 &&
		"$CMDR" journal export postgres:lock 2>/dev/null >"$WORK/lock.jsonl" &&
		expect_eq journal "$(jq -c '[.actor.as, .outcome]' "$WORK/lock.jsonl" | tr '\n' ' ')" \
			'["alice","intent"] ["bob","refused"] ["alice","verified"] ' &&
		{ [ "$host" != jump1 ] || expect_eq hosts "$(jq -r '.actor.host' "$WORK/lock.jsonl" | tr '\n' ' ')" "jump1 jump2 jump1 "; }
}
ok "an endpoint's lock holds across hosts: the second rollback is refused at once, naming the holder and its host" lock_across_hosts

lock_dies_with_holder() {
	rollback_started postgres:killed /dev/null /dev/null || return 1
	pkill -KILL -P $first -x cmdr 2>/dev/null || kill -KILL $first
	wait $first 2>/dev/null
	# Not refused as "being changed", even while the apply it started runs.
	rollback_on jump2 bob postgres:killed >"$WORK/k.out" 2>"$WORK/k.err" ||
		{ fail "after the holder died: $(cat "$WORK/k.err")"; return 1; }
	expect_eq runs "$(wc -l <"$WORK/runs")" 2
}
ok "a holder killed mid-change: its connection, and so its lock, goes with it" lock_dies_with_holder

outcome_lands_late() {
	rollback_started postgres:cut "$WORK/c.out" "$WORK/c.err" || return 1
	pg_server_stop immediate
	sleep 2.5
	pg_server_start || return 1
	wait $first || { fail "exit $?: $(cat "$WORK/c.err")"; return 1; }
	"$CMDR" journal export postgres:cut 2>/dev/null | jq -c '[.outcome, .intent]' >"$WORK/cut.out" &&
		expect_eq journal "$(tr '\n' ' ' <"$WORK/cut.out")" '["intent",null] ["verified",1] ' &&
		expect_eq traffic "$(cat "$STATE")" "d-1427=100 d-1428=0"
}
ok "the database cut between intent and outcome, back within seconds: the outcome lands late" outcome_lands_late

outcome_in_doubt() {
	rollback_started postgres:gone "$WORK/g.out" "$WORK/g.err" || return 1
	pg_server_stop immediate
	wait $first
	rc=$?
	pg_server_start || return 1
	[ $rc -eq 3 ] && grep -q "rollback chat verified, but its outcome could not be journaled: .*; the journal ends at its intent (seq 1)" "$WORK/g.err" ||
		{ fail "exit $rc: $(cat "$WORK/g.err")"; return 1; }
	"$CMDR" status -c "$WORK/cmd.json" -i postgres:gone 2>/dev/null | grep -q "^in doubt: rollback of chat by alice"
}
ok "the database away for longer: the command says the outcome is not journaled, and the incident shows the intent in doubt" outcome_in_doubt

ok "no sanitizer reports" sanitizer_clean
