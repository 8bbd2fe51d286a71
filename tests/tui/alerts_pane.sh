#!/bin/sh
# The ALERTS section of the SLO pane at 80x24, against a real Alertmanager
# (Debian's prometheus-alertmanager 0.25): a row per alertname with its
# count, severity, state, age, SLO and summary, below the SLO rows and
# never over them; more groups than rows say how many more; Alertmanager
# stopped -> the heading says STALE and the rows stay.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/prom.sh"
. "$TESTS_DIR/am.sh"

if ! command -v prometheus-alertmanager >/dev/null 2>&1 || ! am_start "$WORK/am"; then
	echo "not ok - a real Alertmanager starts (make deps-test installs prometheus-alertmanager)"
	exit 0
fi
trap 'am_stop; term_end; rm -rf "$WORK"' EXIT INT TERM

am_post '[
 {"labels": {"alertname": "ChatErrorBudgetBurn", "service": "chat", "severity": "page", "slo": "chat-avail"},
  "annotations": {"summary": "burning 14x"}},
 {"labels": {"alertname": "ChatLatency", "service": "chat", "severity": "ticket"},
  "annotations": {"summary": "p99 over 2s"}},
 {"labels": {"alertname": "DiskFull", "service": "search", "severity": "page", "instance": "a"}},
 {"labels": {"alertname": "DiskFull", "service": "search", "severity": "page", "instance": "b"}},
 {"labels": {"alertname": "Watchdog", "severity": "none"}},
 {"labels": {"alertname": "ZNoisy", "severity": "warning"}}
]' || { echo "not ok - alerts posted to Alertmanager"; exit 0; }

cat >"$WORK/live.json" <<EOF
{
  "sources": { "am": { "type": "alertmanager", "url": "$AM_URL", "refresh": "1s", "timeout": "1s" },
               "prom": { "type": "prometheus", "url": "http://127.0.0.1:9", "refresh": "60s" } },
  "slos": [ { "name": "chat-avail", "source": "prom", "objective": 0.999,
              "error_query": "x[{{window}}]", "total_query": "y[{{window}}]" } ]
}
EOF

alerts_at_80x24() {
	term_start 80 24 "$CMDR" -c "$WORK/live.json" -i "$(newdir)"
	term_wait "ALERTS 6" 10 || return 1
	term_screen >"$WORK/screen"
	sed -n 2p "$WORK/screen" | grep -q "^ chat-avail 99.9%/30d" || { fail "the SLO row moved"; return 1; }
	grep -q "^ ALERTS 6: 5 firing, 1 muted " "$WORK/screen" &&
	grep -q "^ ChatErrorBudgetBurn  *page  *FIRING  .*s \[chat-avail\] burning 14x" "$WORK/screen" &&
	grep -q "^ ChatLatency  *ticket  *inhibited  .* p99 over 2s" "$WORK/screen" &&
	grep -q "^ +3 more alert groups" "$WORK/screen" &&
	grep -q "^ CANARY" "$WORK/screen" || { sed 's/^/#   | /' "$WORK/screen"; return 1; }
}
ok "alerts: grouped rows under the SLO at 80x24, the rest counted" alerts_at_80x24

alerts_taller() {
	term_start 100 40 "$CMDR" -c "$WORK/live.json" -i "$(newdir)"
	term_wait "ZNoisy" 10 || return 1
	term_screen >"$WORK/screen"
	grep -q "^ DiskFull  *x2  *page  *FIRING" "$WORK/screen" &&
	! grep -q "more alert groups" "$WORK/screen" || { sed 's/^/#   | /' "$WORK/screen"; return 1; }
}
ok "alerts: with the rows, every group, two alerts of one name as x2" alerts_taller

# :alerts asks Alertmanager with this console's own filter, at once.
alerts_colon_filter() {
	term_keys ':'
	tmux -L "$TMUX_SOCKET" send-keys -t main -l 'alerts service="chat"'
	term_keys Enter
	term_wait "ALERTS 2: 1 firing, 1 muted" 5 || return 1
	term_screen | grep -q "^ ChatLatency" && ! term_screen | grep -q "^ DiskFull" &&
	term_keys ':' && tmux -L "$TMUX_SOCKET" send-keys -t main -l 'alerts config' && term_keys Enter &&
	term_wait "ALERTS 6" 5
}
ok "alerts: :alerts MATCHER... filters at once, :alerts config goes back" alerts_colon_filter

alerts_stale() {
	am_stop
	term_wait "muted source am: " 10 || return 1
	# Stale after two refresh intervals without an answer.
	i=0
	while [ $i -lt 50 ] && ! term_screen | grep -q "^ ALERTS 6: .*STALE"; do
		sleep 0.1
		i=$((i + 1))
	done
	term_screen >"$WORK/screen"
	grep -q "^ ALERTS 6: .*STALE" "$WORK/screen" &&
	grep -q "^ ChatErrorBudgetBurn" "$WORK/screen" || { sed 's/^/#   | /' "$WORK/screen"; return 1; }
}
ok "alerts: Alertmanager stopped, the heading says STALE and the rows stay" alerts_stale

# A drill: a silence shows its time left, and the event line says when it
# is about to end while its alert still fires.
# The change freeze holds promotions, not silences.
silence_time_left() {
	DIR=$(newdir)
	term_start 80 24 "$CMDR" drill "$DRILLS/error-burst.json" --speed 30 -i "$DIR"
	term_wait "UpstreamErrors" 20 || return 1
	term_keys f
	tmux -L "$TMUX_SOCKET" send-keys -t main -l 'freeze while the upstream is down'
	term_keys Enter
	term_wait "FROZEN" 5 || return 1
	term_keys ':'
	tmux -L "$TMUX_SOCKET" send-keys -t main -l 'silence alertname="UpstreamErrors" 6m the upstream is known'
	term_keys Enter
	term_wait "left) azure" 10 &&
	expect_eq "made during the freeze" \
		"$(jq -r 'select(.action == "silence" and .outcome == "created") | .silence_id' "$DIR/journal.jsonl")" \
		drill-silence-1 &&
	term_screen | grep -q "^ UpstreamErrors  *ticket  *silenced  .* ([0-9m]*s left) azure" &&
	term_wait "UpstreamErrors still fires; its silence ends in 5m (root, drill-sile" 20
}
ok "alerts: a silence made during the freeze shows its time left, and the warning before it ends" silence_time_left

ok "no sanitizer reports" sanitizer_clean
