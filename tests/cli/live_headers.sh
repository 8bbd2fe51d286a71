#!/bin/sh
# What a Prometheus-compatible source sends: a bearer token from a file and
# a tenant header (Mimir/Cortex X-Scope-OrgID), or basic auth with the
# password from the environment; every query an instant query at an
# explicit time, asking for no compression of its ~100-byte answer. A
# local server checks each request.
. "$(dirname "$0")/../lib.sh"

ok_json='{"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": [1, "5"]}]}}'
slo='"slos": [ { "name": "api", "source": "mimir", "objective": 0.999,
  "error_query": "sum(increase(errors_total[{{window}}]))", "total_query": "sum(increase(requests_total[{{window}}]))" } ]'

run() { # EXPECTED-HEADERS-JSON AUTH-JSON
	stub_start "[{\"repeat\": true, \"expect\": {\"method\": \"GET\", \"headers\": $1},
	  \"respond\": {\"json\": $ok_json}}]" || return 1
	cat >"$WORK/c.json" <<JSON
{ "sources": { "mimir": { "type": "prometheus", "url": "$BASE/prometheus/",
    "headers": { "X-Scope-OrgID": "tenant-7" }, "auth": $2 } },
  $slo }
JSON
	CMDR_TEST_PASSWORD=pa55word "$CMDR" status --json -c "$WORK/c.json" -i "$WORK/none" \
		--at 2026-01-04T00:30:00Z >"$WORK/status.json" 2>"$WORK/status.err"
	rc=$?
	stub_stop
	stub_no_mismatch && expect_eq "exit" $rc 0 && jq_is "burn" '.slos[0].burn_rates["1h"]' 1000 ||
		fail "stderr: $(cat "$WORK/status.err")"
	# SLO discovery's queries and rules read too (the stub's answers hold
	# no SLO), with the same headers.
	grep -q '^REQUEST GET /prometheus/api/v1/rules?type=alert$' "$LOG" &&
	! grep '^REQUEST' "$LOG" | grep -v '^REQUEST GET /prometheus/api/v1/\(query\|rules\)' ||
		fail "a request outside the path prefix"
}

printf 'tok-abc\n' >"$WORK/token"
chmod 600 "$WORK/token"
ok "prometheus: bearer token from a file, X-Scope-OrgID, a path prefix" \
	run '{"Authorization": "Bearer tok-abc", "X-Scope-OrgID": "tenant-7"}' \
	"{ \"type\": \"bearer\", \"token_file\": \"$WORK/token\" }"
# base64("ops:pa55word")
ok "prometheus: basic auth, the password from the environment" \
	run '{"Authorization": "Basic b3BzOnBhNTV3b3Jk", "X-Scope-OrgID": "tenant-7"}' \
	'{ "type": "basic", "user": "ops", "password_env": "CMDR_TEST_PASSWORD" }'

check_time() {
	stub_start "[{\"repeat\": true, \"expect\": {\"method\": \"GET\", \"headers\": {\"Accept-Encoding\": null}},
	  \"respond\": {\"json\": $ok_json}}]" || return 1
	cat >"$WORK/c.json" <<JSON
{ "sources": { "mimir": { "type": "prometheus", "url": "$BASE", "discover": [] } }, $slo }
JSON
	"$CMDR" status --json -c "$WORK/c.json" -i "$WORK/none" --at 2026-01-04T00:30:00Z >"$WORK/status.json" 2>&1
	stub_stop
	# 8 windows x (errors, total) and the sparkline's range query.
	stub_no_mismatch && expect_eq "requests" "$(grep -c '^REQUEST' "$LOG")" 17 &&
	grep -qxF "REQUEST GET /api/v1/query?query=sum%28increase%28errors_total%5B5m%5D%29%29&time=1767486600.000" "$LOG" &&
	grep -qxF "REQUEST GET /api/v1/query?query=sum%28increase%28requests_total%5B30d%5D%29%29&time=1767486600.000" "$LOG" ||
		fail "log: $(head -3 "$LOG")"
}
ok "prometheus: the 5m error query carries the asked time, no Accept-Encoding" check_time

# A query over 2 KB goes as a form POST: proxies in front of Prometheus
# refuse long URLs.
check_post() {
	stub_start "[{\"repeat\": true, \"expect\": {\"method\": \"POST\",
	  \"headers\": {\"Content-Type\": \"application/x-www-form-urlencoded\"}},
	  \"respond\": {\"json\": $ok_json}}]" || return 1
	long=$(printf '%02100d' 0 | tr 0 x)
	cat >"$WORK/c.json" <<JSON
{ "sources": { "mimir": { "type": "prometheus", "url": "$BASE", "discover": [] } },
  "slos": [ { "name": "api", "source": "mimir", "objective": 0.999,
    "error_query": "sum(increase(errors_total{path!=\"$long\"}[{{window}}]))",
    "total_query": "sum(increase(requests_total{path!=\"$long\"}[{{window}}]))" } ] }
JSON
	"$CMDR" status --json -c "$WORK/c.json" -i "$WORK/none" --at 2026-01-04T00:30:00Z >"$WORK/status.json" 2>&1
	stub_stop
	stub_no_mismatch && jq_is "burn" '.slos[0].burn_rates["1h"]' 1000 &&
	expect_eq "queries" "$(grep -c '^REQUEST POST /api/v1/query$' "$LOG")" 16 &&
	expect_eq "the sparkline" "$(grep -c '^REQUEST POST /api/v1/query_range$' "$LOG")" 1
}
ok "prometheus: a query over 2 KB is a form POST" check_post

check_negative() {
	stub_start "[{\"repeat\": true, \"expect\": {\"method\": \"GET\"}, \"respond\": {\"json\":
	  {\"status\": \"success\", \"data\": {\"resultType\": \"vector\", \"result\": [{\"metric\": {}, \"value\": [1, \"-5\"]}]}}}}]" || return 1
	cat >"$WORK/c.json" <<JSON
{ "sources": { "mimir": { "type": "prometheus", "url": "$BASE" } }, $slo }
JSON
	"$CMDR" status --json -c "$WORK/c.json" -i "$WORK/none" --at 2026-01-04T00:30:00Z >"$WORK/status.json" 2>"$WORK/status.err"
	rc=$?
	stub_stop
	expect_eq "exit" $rc 3 &&
	jq_is "no burn" '.slos[0].burn_rates["1h"]' null &&
	jq_is "error" '.slos[0].data.error' "source mimir: bad data: total_query gave -5 events over 5m; a count cannot be negative"
}
ok "prometheus: a negative count is bad data naming the query" check_negative

printf 'tok\n' >"$WORK/open-token"
chmod 644 "$WORK/open-token"
check_open_secret() {
	cat >"$WORK/c.json" <<JSON
{ "sources": { "mimir": { "type": "prometheus", "url": "http://127.0.0.1:9",
    "auth": { "type": "bearer", "token_file": "$WORK/open-token" } } }, $slo }
JSON
	out=$("$CMDR" status --json -c "$WORK/c.json" -i "$WORK/none" 2>&1 >/dev/null)
	rc=$?
	expect_eq "exit" $rc 1 &&
	expect_eq "message" "$out" \
		"cmdr status: $WORK/open-token: readable by group or others; run chmod 600 $WORK/open-token ($WORK/c.json: \$.sources.mimir.auth)"
}
ok "a token file others can read is refused, saying so" check_open_secret
