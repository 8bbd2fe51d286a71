#!/bin/sh
# A drill's alerts (drills/error-burst.json's "alerts"): they fire and stop
# on the drill's clock, and silences made in the drill are simulated:
# they mute the alerts they match, extend and expire as Alertmanager's
# would, are journaled like live ones, and nothing is sent anywhere.
. "$(dirname "$0")/../lib.sh"

drill_at() { # UNTIL SCRIPT-LINES -> $WORK/status.json
	printf '%s\n' "$2" >"$WORK/drill.script"
	DIR=$(newdir)
	"$CMDR" drill "$DRILLS/error-burst.json" --headless --until "$1" --script "$WORK/drill.script" -i "$DIR" \
		>"$WORK/status.json" 2>"$WORK/err"
}

check_alerts_on_the_clock() {
	drill_at 14:05:00 "" || { cat "$WORK/err"; return 1; }
	jq_is "none before they start" '.alerts[0].count' 0 &&
	drill_at 14:08:00 "" &&
	jq_is "three firing" '.alerts[0].count' 3 &&
	jq_is "the page names its SLO" '.alerts[0].groups[1].alerts[0].slo' "support-assistant availability" &&
	jq_is "an SLO of the drill" '.alerts[0].groups[1].alerts[0].slo_known' true &&
	jq_is "age on the drill's clock" '.alerts[0].groups[1].alerts[0].age_s' 30 &&
	drill_at 14:17:00 "" &&
	jq_is "the upstream's stop at 14:16" '[.alerts[0].groups[].alertname] | join(",")' SupportAssistantErrorBudgetBurn
}
ok "drill alerts: from the scenario, firing and stopping on the drill's clock" check_alerts_on_the_clock

check_simulated_silence() {
	drill_at 14:12:00 '14:08:00 silence alertname="UpstreamErrors" 30m the upstream is known
14:09:00 silence extend drill-silence-1 15m Azure still degraded
14:10:00 silence service="support-assistant" severity="ticket" 1h tickets wait
14:11:00 silence expire drill-silence-2 the retries matter after all' || { cat "$WORK/err"; return 1; }
	jq_is "muted by the simulated silence" \
		'.alerts[0].groups[] | select(.alertname == "UpstreamErrors") | .alerts[0].silenced_by | join(",")' drill-silence-1 &&
	jq_is "an expired one mutes no more" \
		'.alerts[0].groups[] | select(.alertname == "RetriesExhausted") | .alerts[0].state' active &&
	jq_is "status: the silence's time left (14:53 - 14:12)" '.silences[0].left_s' 2460 &&
	jq_is "status: who and why" '.silences[0].by + ": " + .silences[0].reason' "root: the upstream is known" &&
	jq_is "status: the expired one" '.silences[1].active' false &&
	"$CMDR" audit show --json -i "$DIR" >"$WORK/audit.json" &&
	expect_eq "journaled as drill silences" \
		"$(jq -r 'select(.action | startswith("silence")) | select(.outcome != "intent") | [.drill, .action, .outcome, .silence_id] | join(" ")' "$WORK/audit.json")" \
		"error-burst silence created drill-silence-1
error-burst silence_extend extended drill-silence-1
error-burst silence created drill-silence-2
error-burst silence_expire expired drill-silence-2" &&
	"$CMDR" export postmortem --format json -i "$DIR" >"$WORK/status.json" &&
	jq_is "the postmortem: 30m extended by 15m" '.silences[0].length' 45m &&
	jq_is "and the one expired after a minute" '.silences[1].length' 1m
}
ok "drill alerts: silences are simulated, journaled, and in the postmortem" check_simulated_silence

check_colon_filter() {
	drill_at 14:08:00 '14:07:00 alerts severity="ticket" service=~"support-.*"' || { cat "$WORK/err"; return 1; }
	jq_is "only the tickets" '[.alerts[0].groups[].alertname] | join(",")' RetriesExhausted,UpstreamErrors &&
	drill_at 14:08:00 '14:07:00 alerts severity="ticket"
14:07:10 alerts config' &&
	jq_is "config: all of them again" '.alerts[0].count' 3 &&
	drill_at 14:08:00 '14:07:00 alerts severity=~"("'
	expect_eq "a bad matcher: exit" "$?" 1 &&
	grep -q 'bad regex in a matcher' "$WORK/err" || { cat "$WORK/err"; return 1; }
}
ok "drill alerts: a :alerts filter applies as Alertmanager's would" check_colon_filter

check_bad_alerts() {
	sed 's/"alertname": "UpstreamErrors", //' "$DRILLS/error-burst.json" >"$WORK/bad.json"
	"$CMDR" drill "$WORK/bad.json" --headless --until 14:01:00 -i "$(newdir)" >/dev/null 2>"$WORK/err"
	expect_eq "exit" "$?" 1 &&
	expect_eq "one line" "$(wc -l <"$WORK/err")" 1 &&
	grep -q 'bad.json: $.alerts\[1\].labels: expected labels with an alertname' "$WORK/err" ||
		{ cat "$WORK/err"; return 1; }
}
ok "drill alerts: an alert without an alertname is refused with its path" check_bad_alerts

ok "its journals, opened from a checkpoint at any line, give what the whole replay gives" checkpoint_alike

ok "no sanitizer reports" sanitizer_clean
