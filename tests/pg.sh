# A private PostgreSQL for the tests that need one, sourced after
# tests/lib.sh: its own data directory, socket directory and port, started
# and stopped by the test (initdb and pg_ctl from Debian's postgresql).
# pg_start sets PGSOCK, PGPORT and PGDSN (role cmdr, password $PGPASS,
# with SELECT and INSERT on cmdr_journal only) and writes $WORK/pg.json, a
# config whose journal is that database.
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
PGPASS="cmdr-test-pass-4f9e2a"
PGHOME=

# PostgreSQL refuses to run as root: as root, it runs as postgres.
pg_as() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_sql() {
	pg_as "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGSOCK" -p "$PGPORT" -U postgres -d "${2:-cmdr}" -At -c "$1"
}

pg_server_start() {
	pg_as "$PGBIN/pg_ctl" -D "$PGHOME/data" -l "$PGHOME/log" -w -t 30 \
		-o "-k $PGSOCK -p $PGPORT -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60" start >/dev/null
}

pg_server_stop() {
	pg_as "$PGBIN/pg_ctl" -D "$PGHOME/data" -m "${1:-fast}" -w stop >/dev/null 2>&1
}

pg_start() {
	[ -x "$PGBIN/initdb" ] || { echo "not ok - PostgreSQL is not installed (make deps-test)"; exit 1; }
	PGHOME=$(mktemp -d "${TMPDIR:-/tmp}/cmdr-pg.XXXXXX")
	chmod 755 "$PGHOME"
	[ "$(id -u)" = 0 ] && chown postgres "$PGHOME"
	PGSOCK=$PGHOME
	PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	pg_as "$PGBIN/initdb" -D "$PGHOME/data" -U postgres -E UTF8 --no-sync --auth-local=trust \
		--auth-host=scram-sha-256 >"$PGHOME/initdb.log" 2>&1 ||
		{ echo "not ok - initdb failed: $(tail -3 "$PGHOME/initdb.log")"; exit 1; }
	# The superuser over the socket without a password; everyone else
	# (cmdr's role) with one.
	printf 'local all postgres trust\nlocal all all scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\n' |
		pg_as tee "$PGHOME/data/pg_hba.conf" >/dev/null
	pg_server_start || { echo "not ok - PostgreSQL did not start: $(tail -3 "$PGHOME/log")"; exit 1; }
	pg_sql "CREATE DATABASE cmdr" postgres
	"$CMDR" journal schema | pg_as "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGSOCK" -p "$PGPORT" -U postgres -d cmdr
	pg_sql "CREATE ROLE cmdr LOGIN PASSWORD '$PGPASS'; GRANT SELECT, INSERT ON cmdr_journal TO cmdr"
	PGDSN="host=$PGSOCK port=$PGPORT dbname=cmdr user=cmdr password=$PGPASS"
	printf '%s\n' "$PGDSN" >"$WORK/dsn"
	chmod 600 "$WORK/dsn"
	printf '{"journal": {"dsn_file": "%s", "timeout": "3s"}}\n' "$WORK/dsn" >"$WORK/pg.json"
	PG_STARTED=1
}

pg_stop() {
	[ -n "${PG_STARTED:-}" ] || return 0
	pg_server_stop immediate
	rm -rf "$PGHOME"
	PG_STARTED=
}
trap 'pg_stop; stub_stop; term_end; rm -rf "$WORK"' EXIT INT TERM
