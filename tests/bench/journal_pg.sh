#!/bin/sh
# The journal in PostgreSQL (a private server, tests/pg.sh): what `cmdr
# note` costs on an incident of 100 entries and of 100,000, `cmdr audit
# verify` over the database beside sha256sum of the same lines, pushing
# 100,000 entries, 8 writer processes x 500 notes, and how soon a console
# shows a note another process wrote. Env: BUILD, CMDR.
set -u
: "${BUILD:=build}"
: "${CMDR:?CMDR must be the absolute path of the cmdr binary}"
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/lib.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cmdr-bench-pg.XXXXXX") || exit 1
stub_stop() { :; }
term_end() { tmux -L "cmdr-bench-pg-$$" kill-server 2>/dev/null; }
. "$top/tests/pg.sh"
if [ ! -x "${PGBIN:-}/initdb" ]; then
	row "PostgreSQL journal" "-" "n/a" "-" "PostgreSQL not installed"
	exit 0
fi
pg_start >"$WORK/pg.out" 2>&1 || { note "PostgreSQL did not start: $(tail -n 2 "$WORK/pg.out")"; exit 1; }
export CMDR_CONFIG="$WORK/pg.json" XDG_CONFIG_HOME="$WORK/xdg" XDG_CACHE_HOME="$WORK/cache" CMDR_TEST_DSN="$PGDSN"

# incident_of N NAME: a journal of about N entries (tests/gen_journal.py)
# pushed into postgres:NAME; sets $entries and $push_ms.
incident_of() {
	mkdir -p "$WORK/$2"
	entries=$(python3 "$top/tests/gen_journal.py" "$WORK/$2/journal.jsonl" \
		"$(awk -v n="$1" 'BEGIN { print n * 402.5 / 1048576 }')" | awk '{ print $2 }')
	push_ms=$(ms_of "$CMDR" journal push "$WORK/$2" "postgres:$2")
	"$CMDR" audit verify -i "postgres:$2" >/dev/null 2>&1 || note "postgres:$2 did not verify after its push"
}

incident_of 100 small
small_entries=$entries
incident_of 100000 big
row "journal push" "$entries entries into PostgreSQL, one transaction, both verified" "$(fmt "$(awk -v u="$push_ms" 'BEGIN { printf "%.0f", u / 1000 }')" ms)" "-" "-"
first=$(awk -v us="$(ms_of "$CMDR" note "the first" -i postgres:big)" 'BEGIN { printf "%.1f", us / 1000 }')
"$CMDR" note "warm-up" -i postgres:small >/dev/null 2>&1
i=0
while [ $i -lt 11 ]; do
	for n in small big; do echo "$n $(ms_of "$CMDR" note "bench note $i" -i "postgres:$n")"; done
	i=$((i + 1))
done >"$WORK/notes"
med() { awk -v d="$1" '$1 == d { print $2 }' "$WORK/notes" | sort -n | sed -n 6p | awk '{ printf "%.1f\n", $1 / 1000 }'; }
small=$(med small) large=$(med big)
growth=$(awk -v l="$large" -v s="$small" 'BEGIN { if (s > 0) printf "%.2f", l / s }')
row "cmdr note (PostgreSQL)" "$small_entries entries, median of 11, in turn with the next" "$(fmt "$small" ms)" "-" "-"
row "cmdr note (PostgreSQL)" "$entries entries, median of 11" "$(fmt "$large" ms)" "-" "-"
row "  its first" "the same incident, pushed, not written by this user: read whole" "$(fmt "$first" ms)" "-" "-"
row "note 100,000 / 100 (pg)" "the ratio of the two medians" "${growth:-n/a}" "<= 2" "$(verdict "$growth" '<=' 2)"

"$CMDR" journal export postgres:big >"$WORK/big.jsonl" 2>/dev/null
bytes=$(wc -c <"$WORK/big.jsonl")
sha256sum "$WORK/big.jsonl" >/dev/null
vms=$(best_ms 3 "$CMDR" audit verify -i postgres:big)
sms=$(best_ms 3 sha256sum "$WORK/big.jsonl")
mbs() { awk -v b="$bytes" -v ms="$1" 'BEGIN { if (ms > 0) printf "%.1f", b / 1048576 / (ms / 1e3) }'; }
# The database's own dump of the same rows through sha256sum: what the
# store can deliver at best, the reference for cmdr's read of it.
dump() {
	pg_as "$PGBIN/psql" -X -q -h "$PGSOCK" -p "$PGPORT" -U postgres -d cmdr -c \
		"COPY (SELECT line FROM cmdr_journal WHERE incident = 'big' ORDER BY seq) TO STDOUT" | sha256sum
}
dms=$(best_ms 3 dump)
ratio=$(awk -v v="$vms" -v s="$sms" 'BEGIN { if (v > 0) printf "%.2f", s / v }')
dratio=$(awk -v v="$vms" -v s="$dms" 'BEGIN { if (v > 0) printf "%.2f", s / v }')
row "audit verify (pg)" "postgres:big, $(( bytes / 1048576 )) MB over a local socket, best of 3" "$(fmt "$(mbs "$vms")" MB/s)" "-" "-"
row "psql COPY | sha256sum" "the same rows dumped by the database itself (reference)" "$(fmt "$(mbs "$dms")" MB/s)" "-" "-"
row "verify / COPY (pg)" "cmdr's read of the chain beside the database's own dump" "$dratio" ">= 0.8" "$(verdict "$dratio" '>=' 0.8)"
row "verify / sha256sum (pg)" "beside sha256sum of the same lines as a file" "$ratio" "-" "the file's goal; a database reads slower"

out=$("$BUILD/tests/journal_writers" postgres:writers 8 500 2>&1)
wms=$(echo "$out" | sed -n 's/.*ms=//p')
row "8 writers x 500 notes (pg)" "processes appending at once, one chain (journal_writers)" "$(fmt "$wms" ms)" "-" "-"
"$CMDR" audit verify -i postgres:writers 2>/dev/null | grep -q "intact, 4000 entries" || note "8 writers: not 4000 entries in one chain"

# The console's first frame on a 100 MB incident in PostgreSQL (the
# status line's "#ENTRIES "): opened the first time, when it reads the
# journal whole and keeps a checkpoint on this host, then again.
PTYRUN=$BUILD/tests/ptyrun
case $PTYRUN in /*) ;; *) PTYRUN=$top/$PTYRUN ;; esac
if [ -x "$PTYRUN" ]; then
	mkdir "$WORK/mb100"
	entries=$(python3 "$top/tests/gen_journal.py" "$WORK/mb100/journal.jsonl" 100 | awk '{ print $2 }')
	"$CMDR" journal push "$WORK/mb100" postgres:mb100 >/dev/null 2>&1 || note "could not push 100 MB into PostgreSQL"
	rm -rf "$WORK/mb100"
	frame() {
		"$PTYRUN" --size 100x30 --wait-for "#$entries " --timeout 60 --quit q -- "$CMDR" -i postgres:mb100 >"$WORK/frame" 2>&1
		sed -n 's/^start_to_first_frame_ms=//p' "$WORK/frame"
	}
	cold=$(frame)
	[ -n "$cold" ] || note "console on 100 MB in PostgreSQL: no first frame: $(tail -n 3 "$WORK/frame" | tr '\n' ' ')"
	warm=$(frame)
	row "console first frame (pg)" "100 MB incident ($entries entries), opened again" "$(fmt "$warm" ms)" "< 300 ms" \
		"$(verdict "$warm" '<' 300)"
	row "  its first opening" "the same incident, not opened on this host before: read whole" "$(fmt "$cold" ms)" "-" "-"
fi

# A console follows: from a note's command returning to the console
# showing it, polled every 10 ms through tmux; the median of 10.
if command -v tmux >/dev/null 2>&1; then
	"$CMDR" declare "followed" --severity SEV3 -i postgres:follow >/dev/null 2>&1
	tmux -L "cmdr-bench-pg-$$" -f /dev/null new-session -d -s main -x 120 -y 30 \
		"env TERM=xterm-256color LANG=C.UTF-8 CMDR_CONFIG=$WORK/pg.json $CMDR -i postgres:follow"
	sleep 2
	i=0
	while [ $i -lt 10 ]; do
		"$CMDR" note "probe $i" -i postgres:follow >/dev/null 2>&1
		t=$(date +%s%N) n=0
		until tmux -L "cmdr-bench-pg-$$" capture-pane -p -t main | grep -q "probe $i"; do
			sleep 0.01
			n=$((n + 1))
			[ $n -lt 500 ] || break
		done
		echo $(( ($(date +%s%N) - t) / 1000000 ))
		i=$((i + 1))
	done | sort -n | sed -n 5p >"$WORK/follow"
	term_end
	f=$(cat "$WORK/follow")
	row "another host's line (pg)" "a console showing a note from another process, median of 10" "$(fmt "$f" ms)" "< 1000 ms" \
		"$(verdict "$f" '<' 1000)"
fi
pg_stop
rm -rf "$WORK"
