#!/bin/sh
# Secrets cmdr loaded are redacted by value wherever a service echoes them
# back: a Prometheus bearer token in an error (status --json's data.error,
# stderr), a PagerDuty routing key and a Slack webhook's path in a failed
# notification (the journal, the postmortem, stderr). A password inside a
# source's url is refused like any other secret written in the config.
. "$(dirname "$0")/../lib.sh"

TOKEN=s3cr3tT0k3nValue123
KEY=R0UTINGKEY0123456789abcdef012345
HOOK=/services/T0SECRET/B0SECRET/XyZw3bh00kS3cr3tPath
printf '%s\n' "$TOKEN" >"$WORK/token"
chmod 600 "$WORK/token"

# leaks FILE...: fails naming each file that holds a secret of this test.
leaks() {
	for f in "$@"; do
		! grep -qF -e "$TOKEN" -e "$KEY" -e "$HOOK" "$f" || { fail "$(basename "$f") holds a secret: $(grep -F -e "$TOKEN" -e "$KEY" -e "$HOOK" "$f" | head -2)"; return 1; }
	done
}

prom_echoes_token() {
	stub_start '[{"repeat": true, "expect": {"method": "GET"},
	  "respond": {"status": 401, "json": {"status": "error", "errorType": "unauthorized",
	    "error": "credential '$TOKEN' rejected"}}}]' || return 1
	cat >"$WORK/c.json" <<JSON
{ "sources": { "prom": { "type": "prometheus", "url": "$BASE",
    "auth": { "type": "bearer", "token_file": "$WORK/token" } } },
  "slos": [ { "name": "api", "source": "prom", "objective": 0.999,
    "error_query": "sum(increase(errors_total[{{window}}]))", "total_query": "sum(increase(requests_total[{{window}}]))" } ] }
JSON
	"$CMDR" status --json -c "$WORK/c.json" -i "$WORK/none" --at 2026-01-04T00:30:00Z >"$WORK/status.json" 2>"$WORK/status.err"
	rc=$?
	stub_stop
	expect_eq "exit" $rc 3 &&
	leaks "$WORK/status.json" "$WORK/status.err" &&
	jq_is "data.error says what happened" '.slos[0].data.error | test("credential \\[REDACTED\\] rejected")' true &&
	{ grep -qF "credential [REDACTED] rejected" "$WORK/status.err" || fail "stderr: $(cat "$WORK/status.err")"; }
}
ok "a Prometheus that echoes the bearer token: [REDACTED] in status --json's data.error and on stderr" prom_echoes_token

printf '%s\n' "$KEY" >"$WORK/pd.key"
chmod 600 "$WORK/pd.key"

notify_echoes() {
	stub_start '[
 {"expect": {"method": "POST", "path": "/v2/enqueue"},
  "respond": {"status": 400, "json": {"status": "invalid event", "message": "Event object is invalid",
   "errors": ["routing_key '$KEY' is not known"]}}},
 {"expect": {"method": "POST", "path": "'$HOOK'"},
  "respond": {"status": 404, "content_type": "text/plain", "body": "no_service: '$HOOK' is not a webhook"}}
]' || return 1
	printf '%s%s\n' "$BASE" "$HOOK" >"$WORK/slack.url"
	chmod 600 "$WORK/slack.url"
	cat >"$WORK/n.json" <<JSON
{"notify": {"pagerduty": {"routing_key_file": "$WORK/pd.key", "url": "$BASE", "timeout": "5s"},
            "slack": {"webhook_file": "$WORK/slack.url", "timeout": "5s"}}}
JSON
	dir=$(newdir)
	"$CMDR" declare "Chat answers ungrounded" --severity SEV1 -c "$WORK/n.json" -i "$dir" >/dev/null 2>"$WORK/err"
	stub_stop
	stub_no_mismatch &&
	expect_eq "failed notifications journaled" "$(jq -r 'select(.action == "notify") | .outcome' "$dir/journal.jsonl" | sort | uniq -c | tr -s ' ')" " 2 failed" &&
	"$CMDR" export postmortem -i "$dir" >"$WORK/pm.md" 2>>"$WORK/err" &&
	"$CMDR" export postmortem --format json -i "$dir" >"$WORK/pm.json" 2>>"$WORK/err" &&
	"$CMDR" audit show -i "$dir" >"$WORK/show" 2>>"$WORK/err" &&
	leaks "$dir/journal.jsonl" "$WORK/err" "$WORK/pm.md" "$WORK/pm.json" "$WORK/show" &&
	{ grep -qF "[REDACTED]" "$dir/journal.jsonl" || fail "no [REDACTED] in the journal: $(jq -c 'select(.action == "notify") | .detail' "$dir/journal.jsonl")"; } &&
	"$CMDR" audit verify -i "$dir" >/dev/null
}
ok "a routing key and a webhook path echoed by PagerDuty and Slack: [REDACTED] in the journal, the postmortem and on stderr" notify_echoes

url_password() {
	printf '{ "sources": { "prometheus": { "type": "prometheus", "url": "https://ops:hunter2secret@prom.example.net/" } } }\n' >"$WORK/cmdr.json"
	"$CMDR" config check "$WORK/cmdr.json" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	expect_eq "exit" $rc 1 &&
	{ grep -qF "$WORK/cmdr.json: \$.sources.prometheus.url: holds a password; put it in password_file or password_env" "$WORK/out" "$WORK/err" ||
		fail "said: $(cat "$WORK/out" "$WORK/err")"; } &&
	{ ! grep -qF hunter2secret "$WORK/out" "$WORK/err" || fail "the password was repeated"; }
}
ok "a password inside a source's url is refused without repeating it" url_password

ok "no sanitizer reports" sanitizer_clean
