#!/bin/sh
# A fair load on a real Prometheus (Debian's prometheus). SLOs whose
# queries differ only in one label's value are read with one query per
# window (`sum by (job)`), and give exactly what their own queries give:
# `cmdr status --json` is the same with "batch" on and off, for values
# with regex characters, a job with no series, an endpoint placeholder,
# good_query SLOs, another period, and an SLO of another shape (and
# over 2 KB, sent as a form POST). Counted
# with Prometheus's own metrics: the queries per refresh, and the
# connections: a handful for hundreds of queries, and none more over a
# console's refreshes.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/prom.sh"

# One day of one-minute counters from T0 for 16 jobs: svcN serves
# 100 (N+1) requests a minute, N/2 of them failing.
T0=1767225600
JOBS="svc0 svc1 svc2 svc3 svc4 svc5 svc6 svc7 svc8 svc9 svc10 svc11 svc.1 svcX1 a|b c+"
awk -v t0=$T0 -v jobs="$JOBS" 'BEGIN {
	n = split(jobs, job, " ")
	print "# TYPE http_requests counter"
	for (k = 0; k <= 1440; k++)
		for (s = 1; s <= n; s++) {
			tot = 100 * s * k; bad = (s - 1) / 2 * k
			printf "http_requests_total{job=\"%s\",code=\"200\"} %d %d\n", job[s], tot - bad, t0 + 60 * k
			printf "http_requests_total{job=\"%s\",code=\"500\"} %d %d\n", job[s], bad, t0 + 60 * k
		}
	print "# EOF"
}' >"$WORK/data.om"
if ! prom_start "$WORK/prom" "$WORK/data.om"; then
	echo "not ok - a real Prometheus starts with the data loaded"
	exit 0
fi
trap 'prom_stop; term_end; rm -rf "$WORK"' EXIT INT TERM

q() { # KIND JOB [CODE]: a query of the shape
	printf 'sum(increase(http_requests_total{job=\\"%s\\"%s}[{{window}}]))' "$2" "${3:+,code=\\\"$3\\\"}"
}
slo() { # NAME KIND(error|good) JOB [PERIOD] [ENDPOINT]
	code=500
	[ "$2" = good ] && code=200
	printf '    { "name": "%s", "source": "prom", "objective": 0.999, "period": "%s",%s\n' "$1" "${4:-30d}" \
		"${5:+ \"endpoint\": \"$5\",}"
	printf '      "%s_query": "%s",\n      "total_query": "%s" },\n' "$2" "$(q x "$3" $code)" "$(q x "$3")"
}
write_config() { # BATCH REFRESH WINDOW-CADENCE
	{
		printf '{ "sources": { "prom": { "type": "prometheus", "url": "%s", "batch": %s, "refresh": "%s",' \
			"$PROM_URL" "$1" "$2"
		printf ' "window_cadence": %s, "discover": [] } },\n' "$3"
		printf '  "endpoints": [ { "name": "svc4" } ],\n  "slos": [\n'
		for j in svc0 svc1 svc2 svc3 svc5 svc6 svc7 svc8 svc9 svc10 svc11 svc.1 'a|b' c+ nosuch; do
			slo "err-$j" error "$j"
		done
		slo endpoint-svc4 error '{{endpoint}}' 30d svc4
		slo good-svc0 good svc0
		slo good-svc1 good svc1
		slo week-svc2 error svc2 7d
		slo week-svc3 error svc3 7d
		# another shape, and over 2 KB: a form POST
		long=$(printf '%02100d' 0 | tr 0 x)
		printf '    { "name": "or-zero", "source": "prom", "objective": 0.999,\n'
		printf '      "error_query": "%s or vector(0)",\n      "total_query": "%s" }\n  ]\n}\n' \
			"$(q x svc5 500 | sed "s/}/,path!=\\\\\"$long\\\\\"}/")" "$(q x svc5 | sed "s/}/,path!=\\\\\"$long\\\\\"}/")"
	} >"$WORK/$1.json"
}
write_config true 30s 60
write_config false 30s 60
at=$(date -u -d "@$((T0 + 86400))" +%Y-%m-%dT%H:%M:%SZ)

# status_counting CONFIG OUT: status --json, and what it cost Prometheus:
# QUERIES, RANGES, CONNS (less the /metrics reads around it).
status_counting() {
	q0=$(prom_metric prometheus_http_requests_total 'handler="/api/v1/query"')
	r0=$(prom_metric prometheus_http_requests_total 'handler="/api/v1/query_range"')
	c0=$(prom_metric net_conntrack_listener_conn_accepted_total)
	"$CMDR" status --json -c "$1" -i "$WORK/none" --at "$at" >"$2" 2>"$WORK/status.err" || return 1
	QUERIES=$(($(prom_metric prometheus_http_requests_total 'handler="/api/v1/query"') - q0))
	RANGES=$(($(prom_metric prometheus_http_requests_total 'handler="/api/v1/query_range"') - r0))
	CONNS=$(($(prom_metric net_conntrack_listener_conn_accepted_total) - c0 - 3))
}

check_same() {
	status_counting "$WORK/false.json" "$WORK/single.json" || { fail "$(cat "$WORK/status.err")"; return 1; }
	single_q=$QUERIES single_r=$RANGES single_c=$CONNS
	status_counting "$WORK/true.json" "$WORK/batch.json" || { fail "$(cat "$WORK/status.err")"; return 1; }
	jq -S .slos "$WORK/single.json" >"$WORK/single.slos"
	jq -S .slos "$WORK/batch.json" >"$WORK/batch.slos"
	cmp -s "$WORK/single.slos" "$WORK/batch.slos" ||
		{ fail "batched and single readings differ: $(diff "$WORK/single.slos" "$WORK/batch.slos" | head -5)"; return 1; }
	cp "$WORK/batch.json" "$WORK/status.json"
	# svc.1 is not svcX1, a|b is not a or b, c+ is not c: each its own series
	jq_is "svc.1: its own 1h burn, 6/1300/0.001" '.slos[11].burn_rates["1h"] | . * 1000 | round' 4615 &&
	jq_is "a|b read" '.slos[12].events["1h"].total' 90000 &&
	jq_is "c+ read" '.slos[13].events["1h"].total' 96000 &&
	jq_is "nosuch: no data" '.slos[14].events["1h"].no_data' true &&
	jq_is "the endpoint's SLO reads svc4" '.slos[15].events["1h"].total' 30000 &&
	jq_is "or-zero, a POST: 150/36000/0.001" '.slos[20].burn_rates["1h"] | . * 1000 | round' 4167 &&
	expect_eq "single: 21 SLOs x 16 queries" "$single_q" 336 &&
	expect_eq "single: a sparkline per SLO" "$single_r" 21 &&
	# batches: 16 SLOs of one shape (one of them through its endpoint), 2 of
	# good_query, 2 of 7 days; or-zero alone
	expect_eq "batched: 4 groups x 16 queries" "$QUERIES" 64 &&
	expect_eq "batched: a sparkline per group" "$RANGES" 4 || return 1
	[ "$single_c" -le 6 ] && [ "$single_c" -ge 1 ] || { fail "357 queries over $single_c connections"; return 1; }
}
ok "batch: one query per window for SLOs of a shape, the same readings as their own queries" check_same

# The console over refreshes: the connections of its first refresh serve
# the rest. Waits for two refreshes' worth of queries (no timing), every
# window read every refresh (window_cadence 0).
check_console_connections() {
	write_config false 1s 0
	c0=$(prom_metric net_conntrack_listener_conn_accepted_total)
	q0=$(prom_metric prometheus_http_requests_total 'handler="/api/v1/query"')
	term_start 100 30 "$CMDR" -c "$WORK/false.json" -i "$(newdir)"
	i=0
	while [ $(($(prom_metric prometheus_http_requests_total 'handler="/api/v1/query"') - q0)) -lt 700 ] && [ $i -lt 300 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	n=$(($(prom_metric prometheus_http_requests_total 'handler="/api/v1/query"') - q0))
	conns=$(($(prom_metric net_conntrack_listener_conn_accepted_total) - c0 - i - 4))
	term_keys q
	[ "$n" -ge 700 ] || { fail "only $n queries"; return 1; }
	[ "$conns" -le 6 ] || { fail "$n queries over $conns connections"; return 1; }
}
ok "console: refreshes of 336 queries each share at most six connections" check_console_connections
ok "batch: no sanitizer reports" sanitizer_clean
