#!/bin/sh
# SLOs discovered from a real Prometheus (Debian's prometheus): raw request
# counters loaded with promtool, Sloth- and Pyrra-shaped recording rules
# (written as the projects generate them) evaluated by Prometheus itself
# over that history with `promtool tsdb create-blocks-from rules`, and a
# config that names nothing but the Prometheus URL. `cmdr status --json
# --at TIME` must show every SLO with the burn rates worked out by hand.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/prom.sh"

# Four days up to the last whole minute (T0 = that - 96h, so that `config
# check --online` and the console, which read now, see it too), one sample a minute at k = 0
# .. 5760; read at TA = T0 + 96h + 30s, so that a window (TA - w, TA] holds
# the same samples as one ending at a rule's evaluation up to 30 s before.
# Each ratio is then (the failures added from sample k to 5760) / (the
# requests added), k the first sample in the window.
#   chat   (Sloth, 99.9% over 30d): 600 requests a minute; 0.05% fail,
#          2% in the last 7 hours.
#   search (Pyrra, generic rules, 99% over 28d): 300 a minute; 0.2% fail,
#          5% in the last 30 minutes.
#   billing (Pyrra, no generic rules: its ErrorBudgetBurn alerts say
#          99.5% over 28d): 100 a minute, 0.1% fail.
T0=$(( $(date +%s) / 60 * 60 - 96 * 3600 ))
TA=$((T0 + 96 * 3600 + 30))
om="$WORK/raw.om"
awk -v t0=$T0 'BEGIN {
	print "# TYPE http_requests counter"
	print "# TYPE search_requests counter"
	print "# TYPE billing_requests counter"
	ct = cb = st = sb = bt = bb = 0
	for (k = 0; k <= 5760; k++) {
		t = t0 + 60 * k
		printf "http_requests_total{job=\"chat\",code=\"200\"} %.6f %d\n", ct - cb, t
		printf "http_requests_total{job=\"chat\",code=\"500\"} %.6f %d\n", cb, t
		printf "search_requests_total{job=\"search\",code=\"200\"} %.6f %d\n", st - sb, t
		printf "search_requests_total{job=\"search\",code=\"500\"} %.6f %d\n", sb, t
		printf "billing_requests_total{job=\"billing\",code=\"200\"} %.6f %d\n", bt - bb, t
		printf "billing_requests_total{job=\"billing\",code=\"500\"} %.6f %d\n", bb, t
		ct += 600; cb += (k >= 5760 - 420) ? 12 : 0.3
		st += 300; sb += (k >= 5760 - 30) ? 15 : 0.6
		bt += 100; bb += 0.1
	}
	print "# EOF"
}' >"$om"

# Sloth (prometheus/v1 spec: service chat, slo availability, objective
# 99.9) generates these groups; the period's rule reads the 5m one.
sloth_sli() { # WINDOW
	cat <<EOF
  - record: slo:sli_error:ratio_rate$1
    expr: |
      (sum(rate(http_requests_total{job="chat",code=~"5.."}[$1])))
      /
      (sum(rate(http_requests_total{job="chat"}[$1])))
    labels:
      sloth_id: chat-availability
      sloth_service: chat
      sloth_slo: availability
      sloth_window: $1
EOF
}
{
	echo "groups:"
	echo "- name: sloth-slo-sli-recordings-chat-availability"
	echo "  rules:"
	for w in 5m 30m 1h 2h 6h 1d 3d; do sloth_sli $w; done
} >"$WORK/sloth.yml"
{
	echo "groups:"
	echo "- name: sloth-slo-sli-recordings-chat-availability"
	echo "  rules:"
	sloth_sli 5m
} >"$WORK/sloth-5m.yml"
{
	echo "groups:"
	echo "- name: sloth-slo-sli-recordings-chat-availability"
	echo "  rules:"
	for w in 30m 1h 2h 6h 1d 3d; do sloth_sli $w; done
	cat <<'EOF'
- name: sloth-slo-meta-recordings-chat-availability
  rules:
  - record: slo:objective:ratio
    expr: vector(0.9990000000000001)
    labels: { sloth_id: chat-availability, sloth_service: chat, sloth_slo: availability }
  - record: slo:error_budget:ratio
    expr: vector(1-0.9990000000000001)
    labels: { sloth_id: chat-availability, sloth_service: chat, sloth_slo: availability }
  - record: slo:time_period:days
    expr: vector(30)
    labels: { sloth_id: chat-availability, sloth_service: chat, sloth_slo: availability }
  - record: sloth_slo_info
    expr: vector(1)
    labels:
      sloth_id: chat-availability
      sloth_mode: cli-gen-prom
      sloth_objective: "99.9"
      sloth_service: chat
      sloth_slo: availability
      sloth_spec: prometheus/v1
      sloth_version: v0.11.0
EOF
} >"$WORK/sloth-rest.yml"
sed -n '/meta-recordings/,$p' "$WORK/sloth-rest.yml" >>"$WORK/sloth.yml"
cat >"$WORK/sloth-period.yml" <<'EOF'
groups:
- name: sloth-slo-sli-recordings-chat-availability-period
  rules:
  - record: slo:sli_error:ratio_rate30d
    expr: |
      sum_over_time(slo:sli_error:ratio_rate5m{sloth_id="chat-availability", sloth_service="chat", sloth_slo="availability"}[30d])
      / ignoring (sloth_window)
      count_over_time(slo:sli_error:ratio_rate5m{sloth_id="chat-availability", sloth_service="chat", sloth_slo="availability"}[30d])
    labels:
      sloth_id: chat-availability
      sloth_service: chat
      sloth_slo: availability
      sloth_window: 30d
EOF

# Pyrra (ServiceLevelObjective, ratio indicator, window 4w): burn-rate
# rules per window; "search" with generic rules, "billing" without, whose
# objective and window its ErrorBudgetBurn alerts carry.
pyrra_burnrate() { # METRIC JOB SLO WINDOW
	cat <<EOF
  - record: $1:burnrate$4
    expr: sum(rate($1_total{code=~"5..",job="$2"}[$4])) / sum(rate($1_total{job="$2"}[$4]))
    labels:
      job: $2
      slo: $3
EOF
}
{
	echo "groups:"
	echo "- name: search-errors"
	echo "  interval: 30s"
	echo "  rules:"
	for w in 5m 30m 1h 2h 6h 1d 4d; do pyrra_burnrate search_requests search search-errors $w; done
	cat <<'EOF'
- name: search-errors-generic
  rules:
  - record: pyrra_objective
    expr: "0.99"
    labels: { slo: search-errors }
  - record: pyrra_window
    expr: "2419200"
    labels: { slo: search-errors }
  - record: pyrra_availability
    expr: 1 - sum(increase(search_requests_total{code=~"5..",job="search"}[4w]) or vector(0)) / sum(increase(search_requests_total{job="search"}[4w]))
    labels: { slo: search-errors }
EOF
	echo "- name: billing-errors"
	echo "  rules:"
	for w in 5m 30m 1h 2h 6h 1d 4d; do pyrra_burnrate billing_requests billing billing-errors $w; done
	cat <<'EOF'
  - alert: ErrorBudgetBurn
    expr: billing_requests:burnrate5m{job="billing",slo="billing-errors"} > (14 * (1-0.995)) and billing_requests:burnrate1h{job="billing",slo="billing-errors"} > (14 * (1-0.995))
    for: 2m0s
    labels: { exhaustion: 2d, job: billing, long: 1h, severity: critical, short: 5m, slo: billing-errors }
  - alert: ErrorBudgetBurn
    expr: billing_requests:burnrate30m{job="billing",slo="billing-errors"} > (7 * (1-0.995)) and billing_requests:burnrate6h{job="billing",slo="billing-errors"} > (7 * (1-0.995))
    for: 15m0s
    labels: { exhaustion: 4d, job: billing, long: 6h, severity: critical, short: 30m, slo: billing-errors }
EOF
} >"$WORK/pyrra.yml"

# Raw data first; then the rules backfilled from that Prometheus: Sloth's
# 5m ratio over the four days (every 5m), which its period rule reads, so
# that goes last; the other rules around TA only. A backfill whose
# queries found nothing exits 0 and writes no block: it is asked again of
# this test's own Prometheus, ready (prom_wait_ready), then said.
backfill() { # RULES START END STEP
	for try in 1 2 3; do
		rm -rf "$WORK/blocks"
		if ! prom_wait_ready; then
			echo "Prometheus on $PROM_URL is not ready (or not this test's): no backfill of $1" \
				>>"$WORK/backfill.log"
			return 1
		fi
		promtool tsdb create-blocks-from rules --url="$PROM_URL" --start="$2" --end="$3" \
			--eval-interval="$4" --output-dir="$WORK/blocks" "$1" >>"$WORK/backfill.log" 2>&1 || return 1
		if prom_has_block "$WORK/blocks"; then
			prom_stop && mv "$WORK"/blocks/* "$WORK/prom/data/" && prom_restart
			return
		fi
		echo "try $try: promtool wrote no block for $1 from $PROM_URL" >>"$WORK/backfill.log"
		prom_restart || return 1
	done
	echo "promtool wrote no block for $1 in 3 tries: its rules found no series on $PROM_URL" >>"$WORK/backfill.log"
	return 1
}
setup() {
	prom_start "$WORK/prom" "$om" &&
	backfill "$WORK/sloth-5m.yml" $((T0 + 300)) $((TA + 60)) 5m &&
	backfill "$WORK/sloth-rest.yml" $((TA - 300)) $((TA + 60)) 30s &&
	backfill "$WORK/pyrra.yml" $((TA - 300)) $((TA + 60)) 30s &&
	backfill "$WORK/sloth-period.yml" $((TA - 300)) $((TA + 60)) 30s &&
	printf 'global:\n  scrape_interval: 1h\nrule_files: ["%s", "%s"]\n' "$WORK/sloth.yml" "$WORK/pyrra.yml" \
		>"$WORK/prom/prometheus.yml" && prom_restart
}
if ! setup; then
	echo "not ok - a real Prometheus with Sloth and Pyrra rules backfilled"
	tail -5 "$WORK/backfill.log" | sed 's/^/#   /'
	exit 0
fi
trap 'prom_stop; term_end; rm -rf "$WORK"' EXIT INT TERM

cat >"$WORK/only-url.json" <<EOF
{ "sources": { "prom": { "type": "prometheus", "url": "$PROM_URL" } } }
EOF
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.000Z; }
status_at() { # CONFIG
	"$CMDR" status --json -c "$1" -i "$WORK/none" --at "$(iso $TA)" >"$WORK/status.json" 2>"$WORK/status.err"
}
slo() { echo ".slos[] | select(.name == \"$1\")"; }

# chat: 12 of 600 fail from sample 5340 on, 0.3 before; 99.9%: burn =
# ratio / 0.001.
check_sloth() {
	status_at "$WORK/only-url.json" || { cat "$WORK/status.err"; return 1; }
	s=$(slo chat-availability)
	jq_is "found" "[$s] | length" 1 &&
	jq_is "from sloth" "$s.discovered" sloth &&
	jq_is "service" "$s.service" chat &&
	jq_is "objective from slo:objective:ratio" "$s.objective" 0.999 &&
	jq_is "period from slo:time_period:days" "$s.period" 30d &&
	jq_is "5m: 2% / 0.1%" "$s.burn_rates[\"5m\"]" 20 &&
	jq_is "6h: 2% / 0.1%" "$s.burn_rates[\"6h\"]" 20 &&
	jq_is "1d: from 4321: (420 x 12 + 1019 x 0.3) / (1439 x 600) / 0.001" "$s.burn_rates[\"1d\"]" 6.191 &&
	jq_is "3d: from 1441: (420 x 12 + 3899 x 0.3) / (4319 x 600) / 0.001" "$s.burn_rates[\"3d\"]" 2.396 &&
	jq_is "a ratio has no counts to show" "$s.events[\"5m\"].total" null &&
	jq_is "lacks nothing" "$s.lacks" null &&
	jq_is "every tier fires" "[$s.alerts[].firing] | all" true &&
	# The period's ratio is the mean of the recorded 5m ratios: 1152
	# points from T0+5m, the last 84 (7h) at 2%, one straddling.
	_b=$(jq -r "$s.budget_remaining" "$WORK/status.json") &&
	awk -v b="$_b" 'BEGIN { m = (84 * 0.02 + 0.5 * (0.02 + 0.0005) + 1067 * 0.0005) / 1152;
		w = 1 - m / 0.001; d = b - w; if (d < 0) d = -d; exit !(d < 0.05) }' ||
		{ fail "budget $_b, not about 1 - mean(5m ratios) / 0.001"; return 1; }
}
ok "discover: a Sloth SLO's burn rates, tiers and budget from its rules" check_sloth

# search: 15 of 300 fail from sample 5730 on, 0.6 before; 99%: burn =
# ratio / 0.01.
check_pyrra() {
	s=$(slo search-errors)
	jq_is "from pyrra" "$s.discovered" pyrra &&
	jq_is "objective from pyrra_objective" "$s.objective" 0.99 &&
	jq_is "period from pyrra_window" "$s.period" 28d &&
	jq_is "5m: 5% / 1%" "$s.burn_rates[\"5m\"]" 5 &&
	jq_is "1h: from 5701: (30 x 15 + 29 x 0.6) / (59 x 300) / 0.01" "$s.burn_rates[\"1h\"]" 2.641 &&
	jq_is "Pyrra records 4d, not 3d: said, not invented" "$s.lacks | join(\",\")" 3d &&
	jq_is "3d is no data" "$s.burn_rates[\"3d\"]" null &&
	_b=$(jq -r "$s.budget_remaining" "$WORK/status.json") &&
	awk -v b="$_b" 'BEGIN { r = (5730 * 0.6 + 30 * 15) / (5760 * 300);
		w = 1 - r / 0.01; d = b - w; if (d < 0) d = -d; exit !(d < 0.01) }' ||
		{ fail "budget $_b from pyrra_availability"; return 1; }
	b=$(slo billing-errors)
	jq_is "billing's objective from its ErrorBudgetBurn alert" "$b.objective" 0.995 &&
	jq_is "and its period: long 1h x 672" "$b.period" 28d &&
	jq_is "billing: 0.1% / 0.5%" "$b.burn_rates[\"1h\"]" 0.2 &&
	jq_is "without generic rules, no period ratio" "$b.lacks | join(\",\")" 3d,period &&
	jq_is "so no budget" "$b.budget_remaining" null
}
ok "discover: Pyrra SLOs, with and without generic rules" check_pyrra

# The config wins over discovery for the same name; "discover": [] finds none.
check_config_wins() {
	cat >"$WORK/mine.json" <<JSON
{ "sources": { "prom": { "type": "prometheus", "url": "$PROM_URL", "discover": ["sloth"] } },
  "slos": [ { "name": "chat-availability", "source": "prom", "objective": 0.99,
    "error_query": "sum(increase(http_requests_total{job=\"chat\",code=~\"5..\"}[{{window}}]))",
    "total_query": "sum(increase(http_requests_total{job=\"chat\"}[{{window}}]))" } ] }
JSON
	status_at "$WORK/mine.json" || { cat "$WORK/status.err"; return 1; }
	jq_is "one SLO of that name" "[$(slo chat-availability)] | length" 1 &&
	jq_is "the configured one" "$(slo chat-availability).objective" 0.99 &&
	jq_is "not marked discovered" "$(slo chat-availability).discovered" null &&
	jq_is "discover [\"sloth\"]: no Pyrra SLO" '[.slos[] | select(.discovered == "pyrra")] | length' 0 &&
	sed 's/"discover": \["sloth"\]/"discover": []/' "$WORK/mine.json" >"$WORK/none.json" &&
	status_at "$WORK/none.json" &&
	jq_is "discover []: only the configured SLO" '.slos | length' 1
}
ok "discover: the config wins for a name; discover [] finds nothing" check_config_wins

# config check --online lists what it found, and what it did not show and why.
check_online() {
	"$CMDR" config check --online "$WORK/mine.json" >"$WORK/check.txt" 2>&1
	grep -q 'discovered prom: sloth SLO "chat-availability" (service chat): not shown: the config has an SLO of this name' "$WORK/check.txt" ||
		{ fail "config check --online: $(cat "$WORK/check.txt")"; return 1; }
	"$CMDR" config check --online "$WORK/only-url.json" >"$WORK/check.txt" 2>&1
	grep -q 'discovered prom: pyrra SLO "search-errors": objective 0.99 over 28d, lacks 3d$' "$WORK/check.txt" &&
	grep -q 'discovered prom: pyrra SLO "billing-errors": objective 0.995 over 28d, lacks 3d, period$' "$WORK/check.txt" &&
	grep -q 'only-url.json: ok$' "$WORK/check.txt" ||
		{ fail "config check --online: $(cat "$WORK/check.txt")"; return 1; }
}
ok "discover: config check --online lists the SLOs found" check_online

# The console: with nothing but the URL, the SLOs appear once found.
check_console() {
	dir=$(newdir)
	term_start 120 40 "$CMDR" -c "$WORK/only-url.json" -i "$dir"
	term_wait "chat-availability" 15 && term_wait "search-errors" 5 && term_wait "billing-errors" 5
	_rc=$?
	term_end
	return $_rc
}
ok "discover: the console shows the discovered SLOs" check_console

# A server that is not the Prometheus it claims to be: one line naming the
# source and what it was doing, exit 3, nothing invented; an answer that
# names SLOs without rules for them shows none.
lying() { # RESPONSE-JSON EXPECTED-STDERR-LINE
	stub_start "[{\"repeat\": true, \"expect\": {\"method\": \"GET\"}, \"respond\": $1}]" || return 1
	printf '{ "sources": { "p": { "type": "prometheus", "url": "%s", "discover": ["sloth"] } } }\n' "$BASE" \
		>"$WORK/stub.json"
	"$CMDR" status --json -c "$WORK/stub.json" -i "$WORK/none" >"$WORK/status.json" 2>"$WORK/status.err"
	rc=$?
	stub_stop
	expect_eq "exit" "$rc" "$3" && expect_eq "stderr" "$(head -n 1 "$WORK/status.err")" "$2" &&
	jq_is "no SLO made up" '.slos | length' 0
}
check_lying() {
	lying '{"status": 503, "json": {"status": "error", "errorType": "unavailable", "error": "overloaded"}}' \
		"cmdr status: source p: finding sloth SLOs: Prometheus unavailable: overloaded" 3 &&
	lying '{"body": "<html>", "content_type": "text/html"}' \
		"cmdr status: source p: finding sloth SLOs: expected application/json, got text/html" 3 &&
	lying '{"json": {"status": "success", "data": {"resultType": "vector", "result": [{"metric": {"sloth_id": "ghost", "sloth_window": "5m", "__name__": "slo:sli_error:ratio_rate5m"}, "value": [1, "NaN"]}]}}}' \
		"" 0
}
ok "discover: a lying or failing server: one line, exit 3, no SLO invented" check_lying

ok "no sanitizer reports" sanitizer_clean
