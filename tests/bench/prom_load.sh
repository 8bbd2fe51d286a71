#!/bin/sh
# The load cmdr puts on a real local Prometheus (tests/prom.sh) with 500
# configured SLOs over 3 days of 1-minute counters (1000 series): per full
# refresh (`cmdr status --json`, which reads every window once), the
# Prometheus CPU it costs (process_cpu_seconds_total before and after),
# the queries it asks (prometheus_http_requests_total, /api/v1/query and
# query_range), the connections it opens
# (net_conntrack_listener_conn_accepted_total) and cmdr's own CPU (less a
# run with an empty config), for the binary of BENCH_BEFORE_REV (the tree
# before the load work, built once into $BUILD/bench-before/REV; or
# BENCH_BEFORE_CMDR) and for this one, in the same run. Then the console's
# steady state on the same SLOs at a 5 s refresh: long windows are read on
# their own cadence, so a refresh after the first asks much less. Prints
# figures; nothing here asserts timing. Env: BUILD, CMDR. About 3 minutes.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/lib.sh"
prom_bench_setup prom
N=500
BEFORE_RUNS=${BENCH_PROM_BEFORE_RUNS:-2}
AFTER_RUNS=${BENCH_PROM_RUNS:-5}
BEFORE_REV=${BENCH_BEFORE_REV:-ad868ce9a1ef8fd6c66ef89447ee415d7a3b0047}

# The binary before the load work: built once from git, in its own tree.
before_cmdr() {
	if [ -n "${BENCH_BEFORE_CMDR:-}" ]; then
		echo "$BENCH_BEFORE_CMDR"
		return
	fi
	dir=$BUILD/bench-before/$BEFORE_REV
	if [ ! -x "$dir/build/cmdr" ]; then
		rm -rf "$dir" && mkdir -p "$dir" &&
			git -C "$top" archive "$BEFORE_REV" | tar -x -C "$dir" &&
			make -C "$dir" -j2 BUILD=build SAN= all >"$WORK/before-build.log" 2>&1
	fi
	[ -x "$dir/build/cmdr" ] || return 1
	echo "$dir/build/cmdr"
}
BEFORE=$(before_cmdr) || { note "prom load: the binary of $BEFORE_REV did not build; no before figures"; BEFORE=; }

# Three days of one-minute counters ending at the current minute.
T0=$(( $(date +%s) / 60 * 60 - 3 * 86400 ))
awk -v t0=$T0 -v n=$N 'BEGIN {
	print "# TYPE http_requests counter"
	tot = 0; bad = 0
	for (k = 0; k <= 1440 * 3; k++) {
		for (s = 0; s < n; s++) {
			printf "http_requests_total{job=\"svc%d\",code=\"200\"} %d %d\n", s, tot - bad, t0 + 60 * k
			printf "http_requests_total{job=\"svc%d\",code=\"500\"} %d %d\n", s, bad, t0 + 60 * k
		}
		tot += 600; bad += 1
	}
	print "# EOF"
}' >"$WORK/data.om"
prom_start "$WORK/prom" "$WORK/data.om" >/dev/null || { echo "bench: Prometheus did not start" >&2; exit 1; }
rm -f "$WORK/data.om"

config() { # REFRESH
	printf '{ "sources": { "prom": { "type": "prometheus", "url": "%s", "refresh": "%s" } },\n  "slos": [\n' \
		"$PROM_URL" "$1"
	for s in $(seq 0 $((N - 1))); do
		[ "$s" = 0 ] || printf ',\n'
		printf '    { "name": "svc%d", "source": "prom", "objective": 0.999,' "$s"
		printf ' "error_query": "sum(increase(http_requests_total{job=\\"svc%d\\",code=\\"500\\"}[{{window}}]))",' "$s"
		printf ' "total_query": "sum(increase(http_requests_total{job=\\"svc%d\\"}[{{window}}]))" }' "$s"
	done
	printf '\n  ]\n}\n'
}
config 30s >"$WORK/config.json"
config 5s >"$WORK/console.json"
echo '{}' >"$WORK/empty.json"
export XDG_CONFIG_HOME="$WORK/xdg"
at=$(date -u -d "@$((T0 + 3 * 86400 - 60))" +%Y-%m-%dT%H:%M:%SZ)

# Prometheus's CPU seconds, queries answered and connections accepted.
snapshot() { prom_snapshot 'query(_range)?'; }

# cmdr_ms BIN CONFIG: user+system milliseconds of one status run.
cmdr_ms() {
	sh -c '"$0" status --json -c "$1" -i "$2" --at "$3" >/dev/null 2>&1; times' "$1" "$2" "$WORK/none" "$at" | times_ms
}

# measure BIN RUNS: "PROM_CPU_MS QUERIES CONNS CMDR_MS", each per run, the
# cmdr figure less a run with an empty config. A first run, not counted,
# warms Prometheus.
measure() {
	"$1" status --json -c "$WORK/config.json" -i "$WORK/none" --at "$at" >"$WORK/check.json" 2>"$WORK/check.err" ||
		{ note "prom load: $1 status failed: $(head -n 1 "$WORK/check.err")"; return 1; }
	m0=$(snapshot) full=0 empty=0 i=0
	while [ $i -lt "$2" ]; do
		full=$(awk -v a="$full" -v b="$(cmdr_ms "$1" "$WORK/config.json")" 'BEGIN { print a + b }')
		empty=$(awk -v a="$empty" -v b="$(cmdr_ms "$1" "$WORK/empty.json")" 'BEGIN { print a + b }')
		i=$((i + 1))
	done
	awk -v s0="$m0" -v s1="$(snapshot)" -v n="$2" -v full="$full" -v empty="$empty" 'BEGIN {
		split(s0, a, " "); split(s1, b, " ")
		printf "%.0f %.0f %.1f %.1f\n", (b[1] - a[1]) * 1000 / n, (b[2] - a[2]) / n,
			(b[3] - a[3] - 1) / n, (full - empty) / n }'
}

before="- - - -"
if [ -n "$BEFORE" ]; then
	before=$(measure "$BEFORE" "$BEFORE_RUNS") || before="- - - -"
fi
after=$(measure "$CMDR" "$AFTER_RUNS") || after="- - - -"
field() { echo "$1" | awk -v k="$2" '{ v = $k; print v == "-" ? "" : v }'; }
rev=$(echo "$BEFORE_REV" | cut -c1-7)
b_cpu=$(field "$before" 1) a_cpu=$(field "$after" 1)
goal_cpu=$(awk -v b="$b_cpu" 'BEGIN { if (b != "") printf "%.0f", b / 5 }')
row "Prometheus CPU per refresh" "$N SLOs, a full read (status), before ($rev)" "$(fmt "$b_cpu" ms)" "-" "-"
row "Prometheus CPU per refresh" "$N SLOs, a full read (status), now" "$(fmt "$a_cpu" ms)" \
	"<= ${goal_cpu:-?} ms" "$(verdict "$a_cpu" '<=' "${goal_cpu:-0}")"
row "queries per refresh" "$N SLOs, a full read, before ($rev)" "$(field "$before" 2)" "-" "-"
row "queries per refresh" "$N SLOs, a full read, now" "$(field "$after" 2)" "-" "-"
row "connections per refresh" "$N SLOs, a full read, before ($rev)" "$(field "$before" 3)" "-" "-"
row "connections per refresh" "$N SLOs, a full read, now" "$(field "$after" 3)" "<= 6" \
	"$(verdict "$(field "$after" 3)" '<=' 6)"
b_cmdr=$(field "$before" 4) a_cmdr=$(field "$after" 4)
row "cmdr CPU per refresh" "$N SLOs, a full read, less no config, before ($rev)" "$(fmt "$b_cmdr" ms)" "-" "-"
row "cmdr CPU per refresh" "$N SLOs, a full read, less no config, now" "$(fmt "$a_cmdr" ms)" \
	"<= ${b_cmdr:-?} ms" "$(verdict "$a_cmdr" '<=' "${b_cmdr:-0}")"

# The console at a 5 s refresh: after its first refresh (17 queries),
# six more, measured together.
PTYRUN=$BUILD/tests/ptyrun
STEADY_S=30
mkdir "$WORK/journal"
s0=$(snapshot)
"$PTYRUN" --size 80x24 --wait-for "svc0" --timeout $((STEADY_S + 60)) --idle $((STEADY_S + 15)) --quit q -- \
	"$CMDR" -c "$WORK/console.json" -i "$WORK/journal" >"$WORK/console.out" 2>"$WORK/console.err" &
CONSOLE_PID=$!
i=0
while [ "$(snapshot | awk -v s="$s0" '{ split(s, a, " "); print $2 - a[2] }')" -lt 17 ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
s1=$(snapshot)
sleep $STEADY_S
s2=$(snapshot)
wait "$CONSOLE_PID" || note "prom load: the console's ptyrun failed: $(head -n 1 "$WORK/console.err")"
CONSOLE_PID=
steady=$(awk -v s1="$s1" -v s2="$s2" -v n=$((STEADY_S / 5)) 'BEGIN {
	split(s1, a, " "); split(s2, b, " ")
	printf "%.0f %.1f %d\n", (b[1] - a[1]) * 1000 / n, (b[2] - a[2]) / n, b[3] - a[3] - 1 }')
row "Prometheus CPU per refresh" "console, $N SLOs, 5 s refresh, $((STEADY_S / 5)) after the first" \
	"$(fmt "$(field "$steady" 1)" ms)" "-" "-"
row "queries per refresh" "console, the same" "$(field "$steady" 2)" "-" "-"
row "connections opened" "console, over those $((STEADY_S / 5)) refreshes" "$(field "$steady" 3)" "0" \
	"$(verdict "$(field "$steady" 3)" '<=' 0)"
