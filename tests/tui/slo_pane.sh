#!/bin/sh
# The SLO pane at 80x24 tells the whole truth: every firing tier stays on
# screen (the quiet ones go first, then the labels shorten), an SLO whose
# query the engine refuses says so on its own row, and one with no data
# reads n/d, never "exh never"; long windows read less often than the 5m
# one say how long ago. A real Prometheus holds three days of a 2% error
# rate up to now (objective 99.9%: burn 20, every tier fires).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/prom.sh"

now=$(date +%s)
awk -v from=$((now - 3 * 86400 - 3600)) -v to=$((now + 1800)) 'BEGIN {
	print "# TYPE http_requests counter"
	tot = 0; bad = 0
	for (t = from; t <= to; t += 60) {
		printf "http_requests_total{code=\"200\"} %d %d\n", tot - bad, t
		printf "http_requests_total{code=\"500\"} %d %d\n", bad, t
		tot += 1000; bad += 20
	}
	print "# EOF"
}' >"$WORK/burn.om"
if ! prom_start "$WORK/prom" "$WORK/burn.om"; then
	echo "not ok - a real Prometheus starts with the error pattern loaded"
	exit 0
fi
trap 'prom_stop; term_end; rm -rf "$WORK"' EXIT INT TERM

cat >"$WORK/live.json" <<EOF
{
  "sources": { "prom": { "type": "prometheus", "url": "$PROM_URL", "refresh": "5s", "timeout": "5s",
                         "window_cadence": 0 } },
  "slos": [
    { "name": "support-assistant availability, all regions", "source": "prom", "objective": 0.999,
      "error_query": "sum(increase(http_requests_total{code=~\"5..\"}[{{window}}]))",
      "total_query": "sum(increase(http_requests_total[{{window}}]))" },
    { "name": "typo", "source": "prom", "objective": 0.999,
      "error_query": "sum(increase(http_requests_total{code=~\"5..\"}[{{window}}])",
      "total_query": "sum(increase(http_requests_total[{{window}}]))" },
    { "name": "nothing there", "source": "prom", "objective": 0.99,
      "error_query": "sum(increase(no_such_total[{{window}}]))",
      "total_query": "sum(increase(no_such_total[{{window}}]))" }
  ]
}
EOF

slo_pane_at_80x24() {
	"$CMDR" status --json -c "$WORK/live.json" -i "$WORK/none" >"$WORK/status.json" 2>/dev/null
	jq_is "every tier fires (status)" '[.slos[0].alerts[].firing] | all' true || return 1
	term_start 80 24 "$CMDR" -c "$WORK/live.json" -i "$(newdir)"
	term_wait "FIRE" 10 || return 1
	term_screen >"$WORK/screen"
	row=$(grep "budget .* exh" "$WORK/screen" | head -1)
	expect_eq "firing tiers on the row" "$(printf '%s\n' "$row" | grep -o FIRE | wc -l)" 4 || {
		sed 's/^/#   | /' "$WORK/screen"
		return 1
	}
	term_wait "source prom: Prometheus bad_data" 5 &&
	grep -q "budget n/d exh n/d" "$WORK/screen" || { sed 's/^/#   | /' "$WORK/screen"; return 1; }
	if grep -q "exh never" "$WORK/screen"; then
		fail "no data read as 'never'"
		return 1
	fi
}
ok "at 80x24 every firing tier stays, a refused query has its row, no data reads n/d" slo_pane_at_80x24

# Read once a window's length (window_cadence 1), the long windows are
# soon older than the 5m one, read every refresh: a row under the window
# names says how long ago each was read, the oldest among the SLOs shown.
reading_ages() {
	sed 's/"window_cadence": 0/"window_cadence": 1/' "$WORK/live.json" >"$WORK/cadence.json"
	term_start 80 24 "$CMDR" -c "$WORK/cadence.json" -i "$(newdir)"
	term_wait "read ago (the oldest shown)" 30 || return 1
	row=$(term_screen | sed -n 2p)
	# read ago (the oldest shown) 0s 10s 10s 10s 10s 10s 10s
	printf '%s\n' "$row" | awk '{ exit !(NF == 12 && $1 == "read" && $6 ~ /^[0-9]+s$/ && $12 ~ /^[1-9][0-9]*s$/ && $6 != $12) }' ||
		{ term_screen | sed 's/^/#   | /'; return 1; }
	# The SLO rows follow it.
	term_screen | sed -n 3p | grep -q "^ support-assis.* all regions 99.9%/30d  *20.0" || { term_screen | sed "s/^/#   | /"; return 1; }
}
ok "long windows read less often show how long ago, under the window names" reading_ages

ok "no sanitizer reports" sanitizer_clean
