#!/bin/sh
# Live metrics from a real Prometheus (Debian's prometheus): a known error
# pattern loaded with promtool, then `cmdr status --json --at TIME` must give
# the burn rates, firing tiers and canary windows worked out by hand below.
# Then the console in tmux: Prometheus stopped -> STALE within two refresh
# intervals; restarted -> the mark clears.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/prom.sh"

# The pattern, from T0 = 2026-01-01T00:00:00Z, one sample a minute for four
# days: 600 requests a minute; 0.1% of them fail (objective 99.9%: burn 1),
# except from 72h to 73h when 20% fail (burn 200).
# A canary d-2 on endpoint chat, judged in 60 s windows from 72h: its
# multi_hop groundedness is 2.95 2.90 2.78 2.71 2.66 2.60 (n 5 6 4 7 11 9),
# factual 2.95 (n 8) throughout; gauges sampled at :10 :30 :50 so that every
# window holds exactly three samples whatever the range's edges.
T0=1767225600
om="$WORK/pattern.om"
awk -v t0=$T0 'BEGIN {
	print "# TYPE http_requests counter"
	tot = 0; bad = 0
	for (k = 0; k <= 5760; k++) {
		t = t0 + 60 * k
		printf "http_requests_total{job=\"chat\",code=\"200\"} %.6f %d\n", tot - bad, t
		printf "http_requests_total{job=\"chat\",code=\"500\"} %.6f %d\n", bad, t
		tot += 600
		bad += (k >= 4320 && k < 4380) ? 120 : 0.6
	}
	print "# TYPE rubric_groundedness gauge"
	split("2.95 2.90 2.78 2.71 2.66 2.60", g, " ")
	split("5 6 4 7 11 9", n, " ")
	for (m = 1; m <= 6; m++)
		for (s = 10; s <= 50; s += 20) {
			t = t0 + 72 * 3600 + 60 * (m - 1) + s
			printf "rubric_groundedness{deployment=\"d-2\",class=\"multi_hop\"} %s %d\n", g[m], t
			printf "rubric_groundedness{deployment=\"d-2\",class=\"factual\"} 2.95 %d\n", t
		}
	print "# TYPE rubric_samples gauge"
	for (m = 1; m <= 6; m++)
		for (s = 10; s <= 50; s += 20) {
			t = t0 + 72 * 3600 + 60 * (m - 1) + s
			printf "rubric_samples{deployment=\"d-2\",class=\"multi_hop\"} %s %d\n", n[m], t
			printf "rubric_samples{deployment=\"d-2\",class=\"factual\"} 8 %d\n", t
		}
	print "# EOF"
}' >"$om"

if ! prom_start "$WORK/prom" "$om"; then
	echo "not ok - a real Prometheus starts with the pattern loaded"
	exit 0
fi
trap 'prom_stop; term_end; rm -rf "$WORK"' EXIT INT TERM

write_config() { # REFRESH TIMEOUT
	cat >"$WORK/live.json" <<EOF
{
  "sources": {
    "prom": { "type": "prometheus", "url": "$PROM_URL", "refresh": "$1", "timeout": "$2" }
  },
  "slos": [
    { "name": "chat availability", "source": "prom", "endpoint": "chat", "objective": 0.999, "period": "30d",
      "error_query": "sum(increase(http_requests_total{job=\"chat\",code=~\"5..\"}[{{window}}]))",
      "total_query": "sum(increase(http_requests_total{job=\"chat\"}[{{window}}]))" },
    { "name": "chat good", "source": "prom", "objective": 0.999, "period": "30d", "min_events": 5000,
      "good_query": "sum(increase(http_requests_total{job=\"chat\",code!~\"5..\"}[{{window}}]))",
      "total_query": "sum(increase(http_requests_total{job=\"chat\"}[{{window}}]))" },
    { "name": "nothing there", "source": "prom", "objective": 0.99,
      "error_query": "sum(increase(no_such_metric_total[{{window}}]))",
      "total_query": "sum(increase(no_such_metric_total[{{window}}]))" }
  ],
  "endpoints": [ { "name": "chat" } ],
  "canaries": [
    { "endpoint": "chat", "deployment": "d-2", "source": "prom", "window": "60s",
      "min_samples": 3, "failure_limit": 3, "on_failure": "rollback",
      "queries": {
        "groundedness": "avg by (class) (avg_over_time(rubric_groundedness{deployment=\"{{deployment}}\"}[{{window}}]))",
        "n": "max by (class) (max_over_time(rubric_samples{deployment=\"{{deployment}}\"}[{{window}}]))"
      },
      "thresholds": [
        { "class": "multi_hop", "metric": "groundedness", "min": 2.85 },
        { "class": "factual", "metric": "groundedness", "min": 2.9 }
      ] }
  ]
}
EOF
}
write_config 30s 5s

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.000Z; }
status_at() { # SECONDS-AFTER-T0 -> $WORK/status.json
	"$CMDR" status --json -c "$WORK/live.json" -i "$WORK/none" --at "$(iso $((T0 + $1)))" \
		>"$WORK/status.json" 2>"$WORK/status.err"
}

# 30 minutes into the burst.
check_burst() {
	status_at $((72 * 3600 + 1800)) || { cat "$WORK/status.err"; return 1; }
	s='.slos[0]'
	jq_is "5m" "$s.burn_rates[\"5m\"]" 200 &&
	jq_is "30m" "$s.burn_rates[\"30m\"]" 200 &&
	jq_is "1h: (3600 + 18) / 36000 / 0.001" "$s.burn_rates[\"1h\"]" 100.5 &&
	jq_is "2h: (3600 + 54) / 72000 / 0.001" "$s.burn_rates[\"2h\"]" 50.75 &&
	jq_is "6h: (3600 + 198) / 216000 / 0.001" "$s.burn_rates[\"6h\"]" 17.583 &&
	jq_is "1d: (3600 + 846) / 864000 / 0.001" "$s.burn_rates[\"1d\"]" 5.146 &&
	jq_is "3d: (3600 + 2574) / 2592000 / 0.001" "$s.burn_rates[\"3d\"]" 2.382 &&
	jq_is "5m events" "$s.events[\"5m\"].total" 3000 &&
	jq_is "every tier fires" "[$s.alerts[].firing] | all" true &&
	jq_is "good/total gives the same 1h burn" '.slos[1].burn_rates["1h"]' 100.5 &&
	jq_is "min_events 5000: the 5m window (3000 events) is thin" '.slos[1].events["5m"].thin' true &&
	jq_is "a thin short window does not page" '.slos[1].alerts[0].firing' false &&
	jq_is "data is for the asked time" "$s.data.at" "$(iso $((T0 + 72 * 3600 + 1800)))" &&
	jq_is "not stale" "$s.data.stale" false &&
	jq_is "no error" "$s.data.error" null &&
	jq_is "sparkline: the burst's 5m burn" "$s.history_5m[-1] | round" 200
}
ok "prometheus: burn rates and tiers 30 minutes into a 20% error burst" check_burst

# The first request loads libcurl (a drill never does: drill_headless.sh).
check_loads_libcurl() {
	LD_DEBUG=files "$CMDR" status --json -c "$WORK/live.json" -i "$WORK/none" >/dev/null 2>"$WORK/ld.txt"
	grep -q "file=libcurl" "$WORK/ld.txt" || { fail "libcurl was not loaded for a live read"; return 1; }
}
ok "prometheus: a live read loads libcurl on its first request" check_loads_libcurl

check_missing() {
	jq_is "no series is no data, not 0" '.slos[2].burn_rates["5m"]' null &&
	jq_is "marked no_data" '.slos[2].events["1h"].no_data' true &&
	jq_is "nothing fires on no data" '[.slos[2].alerts[].firing] | any' false &&
	jq_is "the budget is unknown, not full" '.slos[2].budget_remaining' null
}
ok "prometheus: a query with no series is no data, never 0" check_missing

check_after() {
	status_at $((74 * 3600)) || { cat "$WORK/status.err"; return 1; }
	s='.slos[0]'
	jq_is "5m back to 1" "$s.burn_rates[\"5m\"]" 1 &&
	jq_is "1h back to 1" "$s.burn_rates[\"1h\"]" 1 &&
	jq_is "2h still holds the burst: (7200 + 36) / 72000 / 0.001" "$s.burn_rates[\"2h\"]" 100.5 &&
	jq_is "6h: (7200 + 180) / 216000 / 0.001" "$s.burn_rates[\"6h\"]" 34.167 &&
	jq_is "the fast page stops" "$s.alerts[0].firing" false &&
	jq_is "the 6h page stops: 30m is back at 1" "$s.alerts[1].firing" false &&
	jq_is "the 1d ticket still fires" "$s.alerts[2].firing" true
}
ok "prometheus: an hour after the burst the pages stop, the tickets do not" check_after

check_canary_early() {
	status_at $((72 * 3600 + 180)) || { cat "$WORK/status.err"; return 1; }
	c='.canaries[0]'
	jq_is "three windows judged" "$c.windows | length" 3 &&
	jq_is "verdicts" "[$c.windows[].verdict] | join(\" \")" "pass pass fail" &&
	jq_is "the failing window's value" "$c.windows[2].value" 2.78 &&
	jq_is "its n" "$c.windows[2].n" 4 &&
	jq_is "window end" "$c.windows[2].end" "$(iso $((T0 + 72 * 3600 + 180)))" &&
	jq_is "still watching" "$c.verdict" watching &&
	jq_is "one failure" "$c.consecutive_failures" 1
}
ok "prometheus: canary windows 72h+0..3m: pass pass fail (2.78, n=4)" check_canary_early

check_canary_verdict() {
	status_at $((72 * 3600 + 300)) || { cat "$WORK/status.err"; return 1; }
	c='.canaries[0]'
	jq_is "verdicts" "[$c.windows[].verdict] | join(\" \")" "fail fail fail" &&
	jq_is "values" "[$c.windows[].value] | map(tostring) | join(\" \")" "2.78 2.71 2.66" &&
	jq_is "verdict" "$c.verdict" rollback &&
	expect_eq "a status query never acts: no journal" "$(test -e "$WORK/none/journal.jsonl" && echo yes || echo no)" "no"
}
ok "prometheus: three failed windows give the rollback verdict (status acts on nothing)" check_canary_verdict

check_thin() {
	# min_samples 3: a window with n below it is inconclusive.
	sed 's/"min_samples": 3/"min_samples": 5/' "$WORK/live.json" >"$WORK/thin.json"
	"$CMDR" status --json -c "$WORK/thin.json" -i "$WORK/none" --at "$(iso $((T0 + 72 * 3600 + 180)))" \
		>"$WORK/status.json" || return 1
	jq_is "n=4 < 5 is inconclusive" '.canaries[0].windows[2].verdict' inconclusive
}
ok "prometheus: a window with fewer samples than min_samples is inconclusive" check_thin

check_bad_query() {
	sed 's/sum(increase(no_such_metric_total\[{{window}}\]))"/sum(increase(no_such_metric_total[{{window}}])"/' \
		"$WORK/live.json" >"$WORK/bad.json"
	"$CMDR" status --json -c "$WORK/bad.json" -i "$WORK/none" --at "$(iso $((T0 + 72 * 3600)))" \
		>"$WORK/status.json" 2>"$WORK/status.err"
	rc=$?
	expect_eq "exit status (an external system failed)" $rc 3 &&
	grep -q "source prom: .*bad_data.*parse error" "$WORK/status.err" ||
		fail "stderr: $(cat "$WORK/status.err")"
	jq_is "the error is in the SLO's data" '.slos[2].data.error | test("bad_data")' true &&
	jq_is "the other SLOs still read" '.slos[0].burn_rates["5m"]' 1
}
ok "prometheus: the API's own error (bad_data) reaches stderr and the status, verbatim" check_bad_query

# A typo in one SLO's query: the offline check cannot see it; --online
# names the SLO and the query with Prometheus's own words, says which
# query matched nothing, and exits 3. Plain status prints n/d, not nan.
check_online() {
	"$CMDR" config check "$WORK/bad.json" >"$WORK/check.out" 2>&1 ||
		{ fail "offline check: $(cat "$WORK/check.out")"; return 1; }
	"$CMDR" config check "$WORK/bad.json" --online >"$WORK/check.out" 2>&1
	rc=$?
	expect_eq "exit status" $rc 3 &&
	grep -q "^$WORK/bad.json: slo \"nothing there\" error_query: source prom: Prometheus bad_data: .*parse error" \
		"$WORK/check.out" &&
	expect_eq "failures" "$(grep -c 'parse error' "$WORK/check.out")" 2 &&
	# The pattern is in January: nothing matches now, which is said, and
	# is no failure.
	grep -q "slo \"chat availability\" total_query: no data now" "$WORK/check.out" &&
	! grep -q ": ok$" "$WORK/check.out" || { fail "output: $(cat "$WORK/check.out")"; return 1; }
	"$CMDR" config check "$WORK/live.json" --online >"$WORK/check.out" 2>&1
	rc=$?
	expect_eq "a good config, exit status" $rc 0 &&
	expect_eq "last line" "$(tail -1 "$WORK/check.out")" "$WORK/live.json: ok" || { fail "output: $(cat "$WORK/check.out")"; return 1; }
	"$CMDR" status -c "$WORK/bad.json" -i "$WORK/none" --at "$(iso $((T0 + 72 * 3600)))" >"$WORK/status.txt" 2>/dev/null
	grep -q 'slo nothing there: burn 5m n/d 1h n/d 6h n/d' "$WORK/status.txt" && ! grep -q nan "$WORK/status.txt" ||
		{ fail "status: $(cat "$WORK/status.txt")"; return 1; }
}
ok "prometheus: config check --online names the SLO whose query Prometheus refuses" check_online

# The console: STALE within two refresh intervals of Prometheus stopping
# (the 5m window, whose reading dates the SLO, is read every refresh).
write_config 1s 1s
dir=$(newdir)
term_start 100 30 "$CMDR" -c "$WORK/live.json" -i "$dir"
ok "console: live data shown with its age" term_wait "data 0s" 10
prom_stop
ok "console: Prometheus stopped -> STALE" term_wait "STALE" 6
check_keys() {
	term_keys '?'
	term_wait "any key closes" 3 && term_keys Escape
}
ok "console: keys still answered while the source is down" check_keys
prom_restart
check_recovers() {
	i=0
	while [ $i -lt 40 ]; do
		if ! term_screen | grep -q STALE; then
			return 0
		fi
		sleep 0.25
		i=$((i + 1))
	done
	term_screen | sed 's/^/#   /'
	return 1
}
ok "console: Prometheus back -> the STALE mark clears" check_recovers
ok "console: Prometheus back -> the event line says so, not the old error" \
	term_wait "source prom: answering again" 5
term_keys q
ok "prometheus: no sanitizer reports" sanitizer_clean
