#!/bin/sh
# CPU time per refresh with 50 SLOs and 10 canary gates against a real local
# Prometheus (tests/prom.sh): `cmdr status --json` reads every SLO window
# and each gate's last windows once; it runs RUNS times and its user+system
# time, less that of a run with an empty config (start-up and exit), is
# divided by RUNS. Then the console itself on the same config in a
# pseudo-terminal (the data ends now, so it reads what status read): its
# first frame and peak RSS. Env: BUILD, CMDR.
set -u
: "${BUILD:=build}"
: "${CMDR:?CMDR must be the absolute path of the cmdr binary}"
top=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${BENCH_LIVE_RUNS:-10}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cmdr-bench-live.XXXXXX") || exit 1
trap 'prom_stop 2>/dev/null; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"' EXIT INT TERM
TESTS_DIR=$top/tests
. "$top/tests/prom.sh"
. "$top/tests/bench/lib.sh"

# three days of data ending at the current minute
T0=$(( $(date +%s) / 60 * 60 - 3 * 86400 ))
awk -v t0=$T0 'BEGIN {
	print "# TYPE http_requests counter"
	tot = 0; bad = 0
	for (k = 0; k <= 1440 * 3; k++) {
		t = t0 + 60 * k
		for (s = 0; s < 50; s++) {
			printf "http_requests_total{job=\"svc%d\",code=\"200\"} %d %d\n", s, tot - bad, t
			printf "http_requests_total{job=\"svc%d\",code=\"500\"} %d %d\n", s, bad, t
		}
		tot += 600; bad += 1
	}
	print "# TYPE rubric_groundedness gauge"
	for (k = 0; k < 60; k++)
		for (c = 0; c < 10; c++) {
			printf "rubric_groundedness{deployment=\"d-%d\",class=\"multi_hop\"} 2.9 %d\n", c, t0 + 3 * 86400 - 3600 + 60 * k + 30
			printf "rubric_samples{deployment=\"d-%d\",class=\"multi_hop\"} 9 %d\n", c, t0 + 3 * 86400 - 3600 + 60 * k + 30
		}
	print "# EOF"
}' >"$WORK/data.om"
prom_start "$WORK/prom" "$WORK/data.om" >/dev/null || { echo "bench: Prometheus did not start" >&2; exit 1; }

{
	printf '{ "sources": { "prom": { "type": "prometheus", "url": "%s" } },\n  "slos": [\n' "$PROM_URL"
	for s in $(seq 0 49); do
		[ "$s" = 0 ] || printf ',\n'
		printf '    { "name": "svc%d", "source": "prom", "objective": 0.999,' "$s"
		printf ' "error_query": "sum(increase(http_requests_total{job=\\"svc%d\\",code=\\"500\\"}[{{window}}]))",' "$s"
		printf ' "total_query": "sum(increase(http_requests_total{job=\\"svc%d\\"}[{{window}}]))" }' "$s"
	done
	printf '\n  ],\n  "canaries": [\n'
	for c in $(seq 0 9); do
		[ "$c" = 0 ] || printf ',\n'
		printf '    { "endpoint": "ep%d", "deployment": "d-%d", "source": "prom", "failure_limit": 3,' "$c" "$c"
		printf ' "queries": { "groundedness": "avg by (class) (avg_over_time(rubric_groundedness{deployment=\\"{{deployment}}\\"}[{{window}}]))",'
		printf ' "n": "max by (class) (max_over_time(rubric_samples{deployment=\\"{{deployment}}\\"}[{{window}}]))" },'
		printf ' "thresholds": [ { "class": "multi_hop", "metric": "groundedness", "min": 2.85 } ] }'
	done
	printf '\n  ]\n}\n'
} >"$WORK/config.json"
echo '{}' >"$WORK/empty.json"
export XDG_CONFIG_HOME="$WORK/xdg"
at=$(date -u -d "@$((T0 + 3 * 86400 - 60))" +%Y-%m-%dT%H:%M:%SZ)

"$CMDR" status --json -c "$WORK/config.json" -i "$WORK/none" --at "$at" >"$WORK/check.json" ||
	{ echo "bench: cmdr status failed against the local Prometheus" >&2; exit 1; }

# cpu_ms CONFIG: user+system milliseconds of RUNS runs (children's times).
cpu_ms() {
	sh -c 'i=0; while [ $i -lt '"$RUNS"' ]; do "$0" status --json -c "$1" -i "$2" --at "$3" >/dev/null 2>&1; i=$((i + 1)); done; times' \
		"$CMDR" "$1" "$WORK/none" "$at" | tail -n 1 |
		awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.1f", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000 }'
}
full=$(cpu_ms "$WORK/config.json")
empty=$(cpu_ms "$WORK/empty.json")
queries=$((50 * 16 + 50 + 10 * 3 * 2))
per=$(awk -v f="$full" -v e="$empty" -v n="$RUNS" 'BEGIN { printf "%.1f", (f - e) / n }')
row "CPU per refresh" "status: 50 SLOs + 10 gates ($queries queries), less no config" "$per ms" "-" "-"

# The live console on the full config: 50 SLOs and 10 gates.
PTYRUN=$BUILD/tests/ptyrun
case $PTYRUN in /*) ;; *) PTYRUN=$top/$PTYRUN ;; esac
mkdir "$WORK/journal"
"$PTYRUN" --size 80x24 --wait-for "svc0" --timeout 45 --idle 5 --keys "$(printf '\t')" --key-latency 20 --quit q -- \
	"$CMDR" -c "$WORK/config.json" -i "$WORK/journal" >"$WORK/console.out" 2>"$WORK/console.err" ||
	note "live console: ptyrun failed: $(head -n 1 "$WORK/console.err")"
cget() { sed -n "s/^$1=//p" "$WORK/console.out" | head -n 1; }
[ "$(cget first_frame)" = 1 ] || note "live console: no first frame (\"svc0\" never appeared)"
rss=$(kb_to_mb "$(cget peak_rss_kb)")
row "start to first frame" "live, 50 SLOs + 10 gates, local Prometheus, 80x24" "$(fmt "$(cget start_to_first_frame_ms)" ms)" "-" "-"
row "peak RSS" "live, the same (the full config), 5 s + 20 keys" "$(fmt "$rss" MB)" "< 8 MB" "$(verdict "$rss" '<' 8)"
