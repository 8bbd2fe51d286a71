#!/bin/sh
# The load of 500 discovered SLOs on a real local Prometheus
# (tests/prom.sh): Sloth's recording rules for 500 services, one group
# each as Sloth writes them, evaluated by Prometheus over a day of
# one-minute counters; a config that names only the URL. Per full read
# (`cmdr status --json`: discovery, then every window once) the queries
# cmdr asks (prometheus_http_requests_total on /api/v1/query and
# query_range), the Prometheus CPU it costs and cmdr's own; then the
# console's steady state at a 5 s refresh. Prints figures; nothing here
# asserts timing. Env: BUILD, CMDR. About 2 minutes.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/bench/lib.sh"
prom_bench_setup discover
N=500
RUNS=${BENCH_DISCOVER_RUNS:-3}

T0=$(( $(date +%s) / 60 * 60 - 86400 ))
awk -v t0=$T0 -v n=$N 'BEGIN {
	print "# TYPE http_requests counter"
	tot = 0; bad = 0
	for (k = 0; k <= 1440; k++) {
		for (s = 0; s < n; s++) {
			printf "http_requests_total{job=\"svc%d\",code=\"200\"} %d %d\n", s, tot - bad, t0 + 60 * k
			printf "http_requests_total{job=\"svc%d\",code=\"500\"} %d %d\n", s, bad, t0 + 60 * k
		}
		tot += 600; bad += 1 + (k % 7 == 0)
	}
	print "# EOF"
}' >"$WORK/data.om"
# Sloth's groups for each service's SLO: the SLI windows and the meta rules.
awk -v n=$N 'BEGIN {
	print "groups:"
	split("5m 30m 1h 2h 6h 1d 3d", w, " ")
	for (s = 0; s < n; s++) {
		id = "svc" s "-availability"
		lab = "sloth_id: " id ", sloth_service: svc" s ", sloth_slo: availability"
		printf "- name: sloth-slo-sli-recordings-%s\n  rules:\n", id
		for (i = 1; i <= 7; i++)
			printf "  - record: slo:sli_error:ratio_rate%s\n    expr: (sum(rate(http_requests_total{job=\"svc%d\",code=~\"5..\"}[%s]))) / (sum(rate(http_requests_total{job=\"svc%d\"}[%s])))\n    labels: { %s, sloth_window: %s }\n", w[i], s, w[i], s, w[i], lab, w[i]
		printf "  - record: slo:sli_error:ratio_rate30d\n    expr: sum_over_time(slo:sli_error:ratio_rate5m{sloth_id=\"%s\"}[30d]) / ignoring (sloth_window) count_over_time(slo:sli_error:ratio_rate5m{sloth_id=\"%s\"}[30d])\n    labels: { %s, sloth_window: 30d }\n", id, id, lab
		printf "- name: sloth-slo-meta-recordings-%s\n  rules:\n", id
		printf "  - record: slo:objective:ratio\n    expr: vector(0.999)\n    labels: { %s }\n", lab
		printf "  - record: slo:time_period:days\n    expr: vector(30)\n    labels: { %s }\n", lab
		printf "  - record: sloth_slo_info\n    expr: vector(1)\n    labels: { %s, sloth_objective: \"99.9\", sloth_spec: prometheus/v1 }\n", lab
	}
}' >"$WORK/sloth.yml"
prom_start "$WORK/prom" "$WORK/data.om" >/dev/null || { echo "bench: Prometheus did not start" >&2; exit 1; }
rm -f "$WORK/data.om"
printf 'global:\n  scrape_interval: 1h\n  evaluation_interval: 15s\nrule_files: ["%s"]\n' "$WORK/sloth.yml" \
	>"$WORK/prom/prometheus.yml"
prom_restart >/dev/null || { echo "bench: Prometheus did not start with the rules" >&2; exit 1; }
count() {
	curl -s "$PROM_URL/api/v1/query" --data-urlencode "query=count($1)" | jq -r '.data.result[0].value[1] // 0'
}
i=0
while { [ "$(count 'slo:sli_error:ratio_rate30d')" != $N ] || [ "$(count sloth_slo_info)" != $N ]; } && [ $i -lt 120 ]; do
	sleep 1
	i=$((i + 1))
done
[ $i -lt 120 ] || note "discover load: Prometheus had not evaluated every rule after 120 s"

printf '{ "sources": { "prom": { "type": "prometheus", "url": "%s", "refresh": "5s" } } }\n' "$PROM_URL" \
	>"$WORK/only-url.json"
export XDG_CONFIG_HOME="$WORK/xdg"

# Prometheus's CPU seconds and the queries answered, discovery's included.
snapshot() { prom_snapshot 'query(_range)?|rules'; }
# Rule evaluation costs Prometheus CPU of its own: measured over the same
# time with no cmdr, and taken off.
"$CMDR" status --json -c "$WORK/only-url.json" -i "$WORK/none" >"$WORK/status.json" 2>"$WORK/status.err" ||
	note "discover load: status failed: $(head -n 1 "$WORK/status.err")"
found=$(jq '[.slos[] | select(.discovered == "sloth")] | length' "$WORK/status.json" 2>/dev/null)
[ "$found" = $N ] || note "discover load: status showed ${found:-no} discovered SLOs, not $N"
s0=$(snapshot) t0=$(date +%s%N) i=0
cmdr_ms=$(sh -c 'i=0; while [ $i -lt "$0" ]; do "$1" status --json -c "$2" -i "$3" >/dev/null 2>&1; i=$((i + 1)); done; times' \
	"$RUNS" "$CMDR" "$WORK/only-url.json" "$WORK/none" | times_ms)
s1=$(snapshot) t1=$(date +%s%N)
sleep $(( (t1 - t0) / 1000000000 + 1 ))
s2=$(snapshot)
read -r cpu queries <<EOF
$(awk -v s0="$s0" -v s1="$s1" -v s2="$s2" -v n="$RUNS" -v ms=$(( (t1 - t0) / 1000000 )) 'BEGIN {
	split(s0, a, " "); split(s1, b, " "); split(s2, c, " ")
	idle = (c[1] - b[1]) * 1000 * ms / ((ms / 1000 + 1) * 1000)
	printf "%.0f %.1f\n", ((b[1] - a[1]) * 1000 - idle) / n, (b[2] - a[2]) / n }')
EOF
row "queries per refresh" "$N discovered SLOs, a full read (status, discovery included)" "$queries" "<= 20" \
	"$(verdict "$queries" '<=' 20)"
row "Prometheus CPU per refresh" "$N discovered SLOs, a full read, less rule evaluation" "$(fmt "$cpu" ms)" "-" "-"
row "cmdr CPU per refresh" "$N discovered SLOs, a full read" "$(fmt "$(awk -v m="$cmdr_ms" -v n="$RUNS" 'BEGIN { printf "%.0f", m / n }')" ms)" "-" "-"

# The console at a 5 s refresh, after its first refresh, for 30 s.
PTYRUN=$BUILD/tests/ptyrun
STEADY_S=30
mkdir "$WORK/journal"
"$PTYRUN" --size 80x24 --wait-for "availability" --timeout $((STEADY_S + 60)) --idle $((STEADY_S + 20)) --quit q -- \
	"$CMDR" -c "$WORK/only-url.json" -i "$WORK/journal" >"$WORK/console.out" 2>"$WORK/console.err" &
CONSOLE_PID=$!
sleep 10
s1=$(snapshot)
sleep $STEADY_S
s2=$(snapshot)
wait "$CONSOLE_PID" || note "discover load: the console's ptyrun failed: $(head -n 1 "$WORK/console.err")"
CONSOLE_PID=
steady=$(awk -v s1="$s1" -v s2="$s2" -v n=$((STEADY_S / 5)) 'BEGIN {
	split(s1, a, " "); split(s2, b, " "); printf "%.1f\n", (b[2] - a[2]) / n }')
row "queries per refresh" "console, $N discovered SLOs, 5 s refresh, steady" "$steady" "<= 20" \
	"$(verdict "$steady" '<=' 20)"
