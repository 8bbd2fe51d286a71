#!/bin/sh
# A drill's SLOs can look as a live console's discovered ones do: a
# service, "discovered" (sloth or pyrra: no event counts shown) and the
# windows their rules would lack (no data, and said so), so a team can
# rehearse with the SLO inventory its Prometheus really has.
. "$(dirname "$0")/../lib.sh"

cat >"$WORK/scenario.json" <<'JSON'
{
	"title": "discovered-style SLOs",
	"start": "2026-03-02T10:00:00Z",
	"end": "10:30:00",
	"slos": [
		{ "name": "search-errors", "objective": 0.99, "period": "28d", "service": "search",
		  "discovered": "pyrra", "lacks": ["3d", "period"],
		  "events": [ { "at": "-30d", "total_per_s": 5, "bad_ratio": 0.002 },
			      { "at": "10:05", "bad_ratio": 0.05 } ] },
		{ "name": "chat-availability", "objective": 0.999, "service": "chat", "discovered": "sloth",
		  "events": [ { "at": "-30d", "total_per_s": 10, "bad_ratio": 0.0005 } ] }
	],
	"alerts": [
		{ "at": "10:06:00", "summary": "chat burns its budget",
		  "labels": { "alertname": "ChatHighErrorRate", "severity": "page", "sloth_id": "chat-availability",
			      "sloth_slo": "availability", "sloth_service": "chat" } }
	]
}
JSON

check_discovered_style() {
	"$CMDR" drill "$WORK/scenario.json" --headless --until 10:15:00 -i "$(newdir)" >"$WORK/status.json" 2>"$WORK/err" ||
		{ cat "$WORK/err"; return 1; }
	s='.slos[] | select(.name == "search-errors")'
	jq_is "marked as Pyrra's" "$s.discovered" pyrra &&
	jq_is "its service" "$s.service" search &&
	jq_is "the windows it lacks" "$s.lacks | join(\",\")" 3d,period &&
	jq_is "a lacking window is no data" "$s.burn_rates[\"3d\"]" null &&
	jq_is "so is the budget" "$s.budget_remaining" null &&
	jq_is "the 5m burn: 5% / 1%" "$s.burn_rates[\"5m\"]" 5 &&
	jq_is "no event counts, as live" "$s.events[\"5m\"].total" null &&
	jq_is "a Sloth one lacks nothing" '.slos[] | select(.name == "chat-availability") | .lacks' null &&
	jq_is "Sloth's alert finds its SLO by sloth_id" '.alerts[0].groups[0].alerts[0].slo' chat-availability &&
	jq_is "an SLO of the incident" '.alerts[0].groups[0].alerts[0].slo_known' true
}
ok "drill: discovered-style SLOs with a service and the windows they lack" check_discovered_style

check_refused() {
	sed 's/"lacks": \["3d", "period"\]/"lacks": ["4d"]/' "$WORK/scenario.json" >"$WORK/bad.json"
	"$CMDR" drill "$WORK/bad.json" --headless --until 10:15:00 -i "$(newdir)" >/dev/null 2>"$WORK/err"
	expect_eq "exit" "$?" 1 &&
	grep -q 'slos\[0\].lacks\[0\]: expected a window: 5m, 30m, 1h, 2h, 6h, 1d, 3d or period, got "4d"' "$WORK/err" ||
		{ fail "$(cat "$WORK/err")"; return 1; }
	sed 's/"discovered": "pyrra"/"discovered": "openslo"/' "$WORK/scenario.json" >"$WORK/bad.json"
	"$CMDR" drill "$WORK/bad.json" --headless --until 10:15:00 -i "$(newdir)" >/dev/null 2>"$WORK/err"
	grep -q 'slos\[0\].discovered: expected "sloth" or "pyrra", got "openslo"' "$WORK/err" ||
		{ fail "$(cat "$WORK/err")"; return 1; }
}
ok "drill: a window or origin it does not know is refused with its place" check_refused

ok "no sanitizer reports" sanitizer_clean
