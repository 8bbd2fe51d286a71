#!/bin/sh
# The Azure Monitor Logs source against a local server (tests/stub_http.py)
# that checks every request exactly (method, path, headers, body) and answers
# with the documented response shapes: a client-credentials token first, then
# KQL queries with typed rows, string rows, PartialError, 401 and 403.
. "$(dirname "$0")/../lib.sh"

printf 'very-secret-value\n' >"$WORK/client_secret"
chmod 600 "$WORK/client_secret"

token_exchange='{"comment": "client credentials, scope = the Log Analytics API",
  "expect": {"method": "POST", "path": "/tenant-1/oauth2/v2.0/token",
    "headers": {"Content-Type": "application/x-www-form-urlencoded"},
    "form": {"grant_type": "client_credentials", "client_id": "client-1",
             "client_secret": "very-secret-value", "scope": "https://api.loganalytics.io/.default"}},
  "respond": {"json": {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": "tok-123"}}}'

kql='requests | summarize total = count(), bad = countif(success == false)'
query_expect="\"method\": \"POST\", \"path\": \"/v1/workspaces/ws-1/query\",
    \"headers\": {\"Authorization\": \"Bearer tok-123\", \"Content-Type\": \"application/json\"},
    \"json_has\": {\"query\": \"$kql\"}"

write_config() { # EXTRA-SLO-OR-CANARY-JSON
	cat >"$WORK/azure.json" <<EOF
{
  "sources": {
    "la": { "type": "log_analytics", "url": "$BASE", "workspace": "ws-1", "timeout": "3s",
            "auth": { "type": "client_credentials", "tenant": "tenant-1", "client_id": "client-1",
                      "client_secret_file": "$WORK/client_secret", "authority": "$BASE" } }
  },
  $1
}
EOF
}
slo='"slos": [ { "name": "api", "source": "la", "objective": 0.999, "query": "'"$kql"'" } ]'

# run_slo NAME RESPOND: token, then the eight window queries get RESPOND.
run_slo() {
	cat >"$WORK/script.json" <<EOF
[ $token_exchange,
  {"repeat": true, "expect": { $query_expect }, "respond": $2} ]
EOF
	stub_start "$(cat "$WORK/script.json")" || return 1
	write_config "$slo"
	"$CMDR" status --json -c "$WORK/azure.json" -i "$WORK/none" --at 2024-09-13T17:14:00Z \
		>"$WORK/status.json" 2>"$WORK/status.err"
	echo $? >"$WORK/rc"
	stub_stop
}

typed='{"tables": [{"name": "PrimaryResult", "columns": [{"name": "total", "type": "long"}, {"name": "bad", "type": "long"}], "rows": [[1000, 5]]}]}'
check_typed() {
	run_slo typed "{\"json\": $typed}"
	stub_no_mismatch && expect_eq "exit" "$(cat "$WORK/rc")" 0 &&
	jq_is "5m burn: 5 / 1000 / 0.001" '.slos[0].burn_rates["5m"]' 5 &&
	jq_is "3d burn" '.slos[0].burn_rates["3d"]' 5 &&
	jq_is "8 queries and a token" "$(grep -c '^REQUEST' "$LOG")" 9 &&
	! grep -q very-secret-value "$WORK/status.json" "$WORK/status.err" || fail "the secret was printed"
}
ok "azure: client-credentials token, then KQL per window with typed rows" check_typed

check_strings() {
	run_slo strings '{"json": {"tables": [{"name": "PrimaryResult", "columns": [{"name": "total", "type": "long"}, {"name": "bad", "type": "long"}], "rows": [["1000", "5"]]}]}}'
	stub_no_mismatch && expect_eq "exit" "$(cat "$WORK/rc")" 0 &&
	jq_is "string rows read as numbers" '.slos[0].burn_rates["1h"]' 5
}
ok "azure: rows as strings (the API examples' form) read the same" check_strings

check_partial() {
	run_slo partial "{\"json\": {\"tables\": $(echo "$typed" | jq -c .tables), \"error\": {\"code\": \"PartialError\", \"message\": \"There were some errors when processing your query.\", \"details\": [{\"code\": \"EngineError\", \"message\": \"Something went wrong processing your query on the server.\", \"innererror\": {\"code\": \"-2133196783\", \"message\": \"Query exceeded memory limit\"}}]}}}"
	stub_no_mismatch && expect_eq "exit (an external system failed)" "$(cat "$WORK/rc")" 3 &&
	grep -q "source la: .*PartialError" "$WORK/status.err" || fail "stderr: $(cat "$WORK/status.err")"
	jq_is "partial data is not data" '.slos[0].burn_rates["5m"]' null &&
	jq_is "the error is kept" '.slos[0].data.error | test("PartialError")' true
}
ok "azure: a 200 with error.code PartialError is an error, not data" check_partial

# Counts no source should give are bad data naming the series, never a
# burn of -9999.99 or a budget of 10000.99.
check_bad_counts() { # TOTAL BAD WANT-IN-ERROR
	run_slo "bad$1" "{\"json\": {\"tables\": [{\"name\": \"PrimaryResult\", \"columns\": [{\"name\": \"total\", \"type\": \"long\"}, {\"name\": \"bad\", \"type\": \"long\"}], \"rows\": [[$1, $2]]}]}}"
	stub_no_mismatch && expect_eq "exit (bad data from outside)" "$(cat "$WORK/rc")" 3 &&
	jq_is "no burn" '.slos[0].burn_rates["5m"]' null &&
	jq_is "no budget" '.slos[0].budget_remaining' null &&
	jq_is "the error names the series" ".slos[0].data.error | test(\"bad data: $3\")" true ||
		fail "error: $(jq -c .slos[0].data.error "$WORK/status.json"), stderr: $(cat "$WORK/status.err")"
}
ok "azure: a negative count (errors -1000 of 100) is bad data naming the column" \
	check_bad_counts 100 -1000 "column bad gave -1000 events over 5m; a count cannot be negative"
ok "azure: more errors than events (150 of 100) is bad data" \
	check_bad_counts 100 150 "column bad gave 150 events over 5m, more than the 100 of column total"

check_http() { # STATUS CODE MESSAGE
	run_slo "http$1" "{\"status\": $1, \"json\": {\"error\": {\"code\": \"$2\", \"message\": \"$3\"}}}"
	stub_no_mismatch && expect_eq "exit" "$(cat "$WORK/rc")" 3 &&
	grep -q "source la: .*$1.*$2" "$WORK/status.err" || fail "stderr: $(cat "$WORK/status.err")"
}
ok "azure: 401 names the code" check_http 401 InvalidAuthenticationToken "The access token is invalid."
ok "azure: 403 names the code" check_http 403 InsufficientAccessError \
	"The provided credentials have insufficient access to perform the requested operation"

check_token_refused() {
	cat >"$WORK/script.json" <<EOF
[ {"expect": {"method": "POST", "path": "/tenant-1/oauth2/v2.0/token"},
   "respond": {"status": 401, "json": {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided. Trace ID: 1"}}} ]
EOF
	stub_start "$(cat "$WORK/script.json")" || return 1
	write_config "$slo"
	"$CMDR" status --json -c "$WORK/azure.json" -i "$WORK/none" --at 2024-09-13T17:14:00Z \
		>"$WORK/status.json" 2>"$WORK/status.err"
	rc=$?
	stub_stop
	expect_eq "exit" $rc 3 &&
	grep -q "source la: token: .*invalid_client.*AADSTS7000215" "$WORK/status.err" ||
		fail "stderr: $(cat "$WORK/status.err")"
}
ok "azure: a refused token is one clear line, and no query is sent" check_token_refused

# The same SLO with its token from `az account get-access-token` (a stand-in
# az on PATH that checks its arguments) and from managed identity (IMDS).
mkdir -p "$WORK/bin"
cat >"$WORK/bin/az" <<'EOF'
#!/bin/sh
[ "$*" = "account get-access-token --resource https://api.loganalytics.io --output json" ] ||
	{ echo "ERROR: unexpected arguments: $*" >&2; exit 2; }
echo "{\"accessToken\": \"tok-123\", \"expiresOn\": \"2099-01-01 00:00:00.000000\", \"expires_on\": 4070908800, \"subscription\": \"s\", \"tenant\": \"t\", \"tokenType\": \"Bearer\"}"
EOF
chmod +x "$WORK/bin/az"
run_with_auth() { # AUTH-JSON (@BASE@: the server) FIRST-EXCHANGE
	cat >"$WORK/script.json" <<EOF
[ ${2:+$2,}
  {"repeat": true, "expect": { $query_expect }, "respond": {"json": $typed}} ]
EOF
	stub_start "$(cat "$WORK/script.json")" || return 1
	cat >"$WORK/azure.json" <<EOF
{ "sources": { "la": { "type": "log_analytics", "url": "$BASE", "workspace": "ws-1", "timeout": "3s",
                       "auth": $(printf '%s' "$1" | sed "s|@BASE@|$BASE|g") } },
  $slo }
EOF
	PATH="$WORK/bin:$PATH" "$CMDR" status --json -c "$WORK/azure.json" -i "$WORK/none" --at 2024-09-13T17:14:00Z \
		>"$WORK/status.json" 2>"$WORK/status.err"
	rc=$?
	stub_stop
	stub_no_mismatch && expect_eq "exit" $rc 0 && jq_is "5m burn" '.slos[0].burn_rates["5m"]' 5 ||
		fail "stderr: $(cat "$WORK/status.err")"
}
ok "azure: a token from az account get-access-token (run without a shell, never blocking)" \
	run_with_auth '{ "type": "azure_cli" }' ""
ok "azure: a token from managed identity (IMDS, Metadata: true, resource = the API)" \
	run_with_auth '{ "type": "managed_identity", "imds": "@BASE@" }' \
	'{"expect": {"method": "GET", "path": "/metadata/identity/oauth2/token",
	   "query": {"api-version": "2018-02-01", "resource": "https://api.loganalytics.io"},
	   "headers": {"Metadata": "true"}},
	  "respond": {"json": {"access_token": "tok-123", "expires_in": "86399", "expires_on": "4070908800",
	    "resource": "https://api.loganalytics.io", "token_type": "Bearer"}}}'
check_az_fails() {
	cat >"$WORK/bin/az" <<'EOF'
#!/bin/sh
echo "ERROR: Please run 'az login' to setup account." >&2
exit 1
EOF
	stub_start '[]' || return 1
	cat >"$WORK/azure.json" <<EOF
{ "sources": { "la": { "type": "log_analytics", "url": "$BASE", "workspace": "ws-1", "auth": { "type": "azure_cli" } } },
  $slo }
EOF
	PATH="$WORK/bin:$PATH" "$CMDR" status --json -c "$WORK/azure.json" -i "$WORK/none" --at 2024-09-13T17:14:00Z \
		>"$WORK/status.json" 2>"$WORK/status.err"
	rc=$?
	stub_stop
	expect_eq "exit" $rc 3 &&
	grep -q "source la: token: az account get-access-token exited with 1: ERROR: Please run 'az login'" "$WORK/status.err" ||
		fail "stderr: $(cat "$WORK/status.err")"
}
ok "azure: az not logged in is one clear line" check_az_fails

check_app_insights() {
	printf 'appi-key-1\n' >"$WORK/appi.key"
	chmod 600 "$WORK/appi.key"
	stub_start "[{\"repeat\": true, \"expect\": {\"method\": \"POST\", \"path\": \"/v1/apps/app-1/query\",
	  \"headers\": {\"x-api-key\": \"appi-key-1\", \"Content-Type\": \"application/json\"},
	  \"json_has\": {\"query\": \"$kql\"}}, \"respond\": {\"json\": $typed}}]" || return 1
	cat >"$WORK/azure.json" <<EOF
{ "sources": { "appi": { "type": "app_insights", "url": "$BASE", "app": "app-1",
                         "auth": { "type": "api_key", "key_file": "$WORK/appi.key" } } },
  "slos": [ { "name": "api", "source": "appi", "objective": 0.999, "query": "$kql" } ] }
EOF
	"$CMDR" status --json -c "$WORK/azure.json" -i "$WORK/none" --at 2024-09-13T17:14:00Z \
		>"$WORK/status.json" 2>"$WORK/status.err"
	rc=$?
	stub_stop
	stub_no_mismatch && expect_eq "exit" $rc 0 && jq_is "1h burn" '.slos[0].burn_rates["1h"]' 5 ||
		fail "stderr: $(cat "$WORK/status.err")"
}
ok "azure: Application Insights with an API key (x-api-key, /v1/apps/ID/query)" check_app_insights

# The canary gate in seed 004's shape: one KQL query per 60 s window, a row
# per class; windows closing 17:12, 17:13, 17:14 are asked in order with
# their exact timespans.
ckql="customMetrics | where customDimensions.deployment == '{{deployment}}' | summarize groundedness = avg(value), n = count() by class = tostring(customDimensions['class'])"
ckql_d2=$(printf '%s' "$ckql" | sed 's/{{deployment}}/d-2/')
window() { # FROM TO VALUE N
	cat <<EOF
  {"expect": {"method": "POST", "path": "/v1/workspaces/ws-1/query",
     "headers": {"Authorization": "Bearer tok-123", "Content-Type": "application/json"},
     "json": {"query": "$ckql_d2", "timespan": "2024-09-13T$1.000Z/2024-09-13T$2.000Z"}},
   "respond": {"json": {"tables": [{"name": "PrimaryResult",
     "columns": [{"name": "class", "type": "string"}, {"name": "groundedness", "type": "real"}, {"name": "n", "type": "long"}],
     "rows": [["factual", 2.95, 8], ["multi_hop", $3, $4]]}]}}}
EOF
}
# canary_status EXTRA-KEYS KQL: the stub on $WORK/script.json, a gate on
# d-2 with seed 004's thresholds, then status at 17:14; its exit in $rc.
canary_status() {
	stub_start "$(cat "$WORK/script.json")" || return 1
	write_config '"canaries": [ { "endpoint": "support-assistant-prod", "deployment": "d-2", "source": "la", '"$1"'
	  "window": "60s", "min_samples": 3, "failure_limit": 3, "query": "'"$2"'",
	  "thresholds": [ { "class": "multi_hop", "metric": "groundedness", "min": 2.85 },
	                  { "class": "factual", "metric": "groundedness", "min": 2.9 } ] } ]'
	"$CMDR" status --json -c "$WORK/azure.json" -i "$WORK/none" --at 2024-09-13T17:14:00Z \
		>"$WORK/status.json" 2>"$WORK/status.err"
	rc=$?
	stub_stop
}

check_canary() {
	cat >"$WORK/script.json" <<EOF
[ $token_exchange,
$(window 17:11:00 17:12:00 2.78 4),
$(window 17:12:00 17:13:00 2.71 7),
$(window 17:13:00 17:14:00 2.66 11) ]
EOF
	canary_status "" "$ckql" || return 1
	stub_no_mismatch && expect_eq "exit" $rc 0 &&
	jq_is "three windows, all failing" '[.canaries[0].windows[].verdict] | join(" ")' "fail fail fail" &&
	jq_is "values" '[.canaries[0].windows[].value] | map(tostring) | join(" ")' "2.78 2.71 2.66" &&
	jq_is "verdict" '.canaries[0].verdict' rollback &&
	jq_is "all three asked" "$(grep -c '^REQUEST POST /v1/' "$LOG")" 3
}
ok "azure: canary windows from KQL rows per class, exact timespans, the 17:14 verdict" check_canary

# The compare judge: every window's KQL runs for the canary d-2 and for
# its baseline d-1 (sent at once, so either may come first), each request
# checked exactly; the answers carry the samples' sd. Against a baseline
# at 2.95 (sd 0.12) the canary fails at its second window, 17:13.
ckql_sd="customMetrics | where customDimensions.deployment == '{{deployment}}' | summarize groundedness = avg(value), n = count(), sd = stdev(value) by class = tostring(customDimensions['class'])"
# pair FROM TO CANARY-VALUE CANARY-N [BASELINE-ERROR]: the window's two
# exchanges; with BASELINE-ERROR (an "error" object), d-1's answer is
# its rows with that error beside them, as Log Analytics gives a query
# that failed part way.
pair() {
	for d in d-2 d-1; do
		q=$(printf '%s' "$ckql_sd" | sed "s/{{deployment}}/$d/")
		if [ $d = d-2 ]; then v=$3 n=$4; else v=2.95 n=$(($4 * 9)); fi
		error=
		[ $d = d-1 ] && [ -n "${5:-}" ] && error=", \"error\": $5"
		cat <<EOF
  {"group": "$2", "expect": {"method": "POST", "path": "/v1/workspaces/ws-1/query",
     "headers": {"Authorization": "Bearer tok-123", "Content-Type": "application/json"},
     "json": {"query": "$q", "timespan": "2024-09-13T$1.000Z/2024-09-13T$2.000Z"}},
   "respond": {"json": {"tables": [{"name": "PrimaryResult",
     "columns": [{"name": "class", "type": "string"}, {"name": "groundedness", "type": "real"},
                 {"name": "n", "type": "long"}, {"name": "sd", "type": "real"}],
     "rows": [["factual", 2.95, 8, 0.12], ["multi_hop", $v, $n, 0.12]]}]$error}}},
EOF
	done
}
check_canary_compare() {
	{
		echo "[ $token_exchange,"
		pair 17:11:00 17:12:00 2.78 4
		pair 17:12:00 17:13:00 2.71 7
		pair 17:13:00 17:14:00 2.66 11 | sed '$ s/},$/}/'
		echo "]"
	} >"$WORK/script.json"
	canary_status '"judge": "compare", "baseline": "d-1",' "$ckql_sd" || return 1
	stub_no_mismatch && expect_eq "exit" $rc 0 &&
	jq_is "verdicts" '[.canaries[0].windows[].verdict] | join(" ")' "pass fail fail" &&
	jq_is "verdict" '.canaries[0].verdict' rollback &&
	jq_is "the second window against d-1" '.canaries[0].windows[1] | [.metric, .canary.n, .baseline.deployment, .baseline.n, .rule] | map(tostring) | join(" ")' \
		"groundedness 11 d-1 99 below the baseline" &&
	jq_is "the threshold rule beside" '.canaries[0].beside_verdict' rollback &&
	jq_is "six queries asked" "$(grep -c '^REQUEST POST /v1/' "$LOG")" 6
}
ok "azure: compare judge, canary and baseline KQL per window (exact requests, sd column), 17:13 verdict" check_canary_compare

# From 17:12 on, the baseline's reads fail part way (d-1 has nine times
# the canary's traffic, and its query runs out of memory): those windows
# are judged with no baseline, inconclusive, never a pass, so the compare
# judge gives no verdict, and the failure is said as the baseline's read.
# The canary's own reads still feed the threshold rule beside.
partial='{"code": "PartialError", "message": "There were some errors when processing your query.", "details": [{"code": "EngineError", "message": "Something went wrong processing your query on the server.", "innererror": {"code": "-2133196783", "message": "Query exceeded memory limit"}}]}'
check_canary_baseline_fails() {
	{
		echo "[ $token_exchange,"
		pair 17:11:00 17:12:00 2.78 4
		pair 17:12:00 17:13:00 2.71 7 "$partial"
		pair 17:13:00 17:14:00 2.66 11 "$partial" | sed '$ s/},$/}/'
		echo "]"
	} >"$WORK/script.json"
	canary_status '"judge": "compare", "baseline": "d-1",' "$ckql_sd" || return 1
	want="source la: the baseline's read: Azure Monitor PartialError: There were some errors when processing your query. (EngineError: Query exceeded memory limit)"
	stub_no_mismatch && expect_eq "exit" $rc 3 &&
	expect_eq "stderr: the baseline's read, with the API's words" "$(cat "$WORK/status.err")" "cmdr status: $want" &&
	jq_is "the canary's data says so" '.canaries[0].data.error' "$want" &&
	jq_is "verdicts" '[.canaries[0].windows[].verdict] | join(" ")' "pass inconclusive inconclusive" &&
	jq_is "no sample of the baseline" '.canaries[0].windows[2] | [.metric_verdict, .rule] | join(": ")' \
		"nodata: the baseline d-1 gave no sample in this window" &&
	jq_is "no compare verdict" '.canaries[0].verdict' watching &&
	jq_is "the threshold rule beside" '.canaries[0].beside_verdict' rollback &&
	jq_is "six queries asked" "$(grep -c '^REQUEST POST /v1/' "$LOG")" 6
}
ok "azure: compare judge, the baseline's reads fail part way: inconclusive windows, the error says whose read" check_canary_baseline_fails
ok "azure: no sanitizer reports" sanitizer_clean
