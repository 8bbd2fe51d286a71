#!/bin/sh
# A live canary taken out of traffic: a real Prometheus holds a failing
# canary d-1428 around now, a real HAProxy sends it 10%. The gate gives its
# page verdict; Alice rolls back from a shell. The console then says
# "stopped: d-1428 has no traffic", keeps the judged windows, judges no
# more, and never calls the canary STALE; a status taken afterwards names
# d-1428, not "?".
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/prom.sh"
. "$TESTS_DIR/haproxy.sh"

# Samples every second from 20 minutes ago to 20 minutes ahead: the
# canary's multi_hop groundedness 2.5 (gate 2.85) on 10 samples a window.
now=$(date +%s)
awk -v from=$((now - 1200)) -v to=$((now + 1200)) 'BEGIN {
	print "# TYPE rubric_groundedness gauge"
	for (t = from; t <= to; t++)
		printf "rubric_groundedness{deployment=\"d-1428\",class=\"multi_hop\"} 2.5 %d\n", t
	print "# TYPE rubric_samples gauge"
	for (t = from; t <= to; t++)
		printf "rubric_samples{deployment=\"d-1428\",class=\"multi_hop\"} 10 %d\n", t
	print "# EOF"
}' >"$WORK/canary.om"

hx_prom_start "$WORK/canary.om"

cat >"$WORK/live.json" <<EOF
{
  "sources": { "prom": { "type": "prometheus", "url": "$PROM_URL", "refresh": "2s", "timeout": "5s" } },
  "endpoints": [ { "name": "chat", "target": { "type": "haproxy", "socket": "$WORK/admin.sock",
    "backend": "be_chat", "servers": { "d-1427": "stable", "d-1428": "canary" } } } ],
  "canaries": [
    { "endpoint": "chat", "source": "prom", "window": "3s", "lag": "1s",
      "min_samples": 3, "failure_limit": 2, "on_failure": "page",
      "queries": {
        "groundedness": "avg by (class) (avg_over_time(rubric_groundedness{deployment=\"{{deployment}}\"}[{{window}}]))",
        "n": "max by (class) (max_over_time(rubric_samples{deployment=\"{{deployment}}\"}[{{window}}]))"
      },
      "thresholds": [ { "class": "multi_hop", "metric": "groundedness", "min": 2.85 } ] }
  ]
}
EOF

# The number of failed windows in the canary pane's title.
failed_count() {
	term_screen | sed -n 's/.*CANARY d-1428 chat .* \([0-9]*\)\(\/2\| failed (limit 2)\).*/\1/p' | head -1
}

stopped_canary() {
	dir=$(newdir)
	term_start 100 30 "$CMDR" -c "$WORK/live.json" -i "$dir" --as bob
	term_wait "CANARY d-1428 chat 10%" 10 && term_wait "PAGE: gate failed 2 windows" 20 || return 1
	"$CMDR" rollback chat --reason "canary fails multi_hop" --yes --as alice -c "$WORK/live.json" -i "$dir" \
		>/dev/null || { fail "the rollback from the shell failed"; return 1; }
	term_wait "stopped: d-1428 has no traffic" 5 || return 1
	n=$(failed_count)
	[ -n "$n" ] || { fail "no failed-window count in the canary title"; term_screen | sed "s/^/#   | /"; return 1; }
	# Three windows' time later: no window judged, nothing stale.
	sleep 10
	term_screen >"$WORK/screen"
	expect_eq "failed windows after the stop" "$(failed_count)" "$n" || return 1
	grep -q "stopped: d-1428 has no traffic" "$WORK/screen" &&
	grep -q "multi_hop  groundedness          2.50 <   2.85   10  FAIL" "$WORK/screen" || {
		sed 's/^/#   | /' "$WORK/screen"
		return 1
	}
	if grep "CANARY" "$WORK/screen" | grep -q "STALE"; then
		fail "a stopped canary is called STALE"
		sed 's/^/#   | /' "$WORK/screen"
		return 1
	fi
	"$CMDR" status --json -c "$WORK/live.json" -i "$dir" >"$WORK/status.json" 2>"$WORK/status.err" ||
		{ fail "status: $(cat "$WORK/status.err")"; return 1; }
	jq_is "named after the rollback" '.canaries[0].deployment' d-1428 &&
	jq_is "not stale" '.canaries[0].data.stale' false || return 1
	term_keys q
	term_wait "[exited]" 5
}
ok "a live canary taken out of traffic says it stopped, keeps its windows, judges no more" stopped_canary

ok "no sanitizer reports" sanitizer_clean
