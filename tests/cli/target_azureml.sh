#!/bin/sh
# The Azure ML target (core/targets/target_azureml.c) against tests/stub_http.py,
# which checks every request exactly: method, path, api-version, bearer
# token and the PUT body (what GET returned, read-only fields dropped, the
# new traffic). Each case is a `cmdr rollback chat` whose exit status,
# stderr and journal are checked; the fixtures in tests/cli/azureml/ have
# the shapes of the 2025-12-01 API's examples.
. "$(dirname "$0")/../lib.sh"

FIX="$TESTS_DIR/cli/azureml"
EP=/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-1/onlineEndpoints/chat
OPS=/subscriptions/sub-1/providers/Microsoft.MachineLearningServices/locations/eastus
API='"query": {"api-version": "2025-12-01"}'
TOKEN=arm-token-1
TO=
OP_TIMEOUT=20s

printf '%s\n' "$TOKEN" >"$WORK/arm.token"
chmod 600 "$WORK/arm.token"
BEARER_AUTH="{ \"type\": \"bearer\", \"token_file\": \"$WORK/arm.token\" }"

# endpoint STATE TRAFFIC-JSON: the endpoint fixture in that state.
endpoint() {
	jq -c --arg s "$1" --argjson t "$2" '.properties.provisioningState = $s | .properties.traffic = $t' \
		"$FIX/endpoint.json"
}
BEFORE='{"d-1427": 90, "d-1428": 10}'
AFTER='{"d-1427": 100, "d-1428": 0, "d-1429": 0}'

# The exchanges, as the script's JSON.
get_endpoint() { # STATE TRAFFIC
	echo "{\"expect\": {\"method\": \"GET\", \"path\": \"$EP\", $API,
	   \"headers\": {\"Authorization\": \"Bearer $TOKEN\"}},
	 \"respond\": {\"json\": $(endpoint "$1" "$2")}}"
}
get_deployments() {
	echo "{\"expect\": {\"method\": \"GET\", \"path\": \"$EP/deployments\", $API,
	   \"headers\": {\"Authorization\": \"Bearer $TOKEN\"}},
	 \"respond\": {\"json\": $(jq -c . "$FIX/deployments.json")}}"
}
read_endpoint() { # STATE TRAFFIC: a whole read
	echo "$(get_endpoint "$1" "$2"), $(get_deployments)"
}
put() { # RESPOND-JSON [JQ-FILTER: how the body differs from put.json]
	echo "{\"expect\": {\"method\": \"PUT\", \"path\": \"$EP\", $API,
	   \"headers\": {\"Authorization\": \"Bearer $TOKEN\", \"Content-Type\": \"application/json\"},
	   \"json\": $(jq -c "${2:-.}" "$FIX/put.json")},
	 \"respond\": $1}"
}
operation() { # STATUS [EXTRA-JSON-MEMBERS]
	echo "{\"expect\": {\"method\": \"GET\", \"path\": \"$OPS/mfeOperationsStatus/op-1\", $API,
	   \"headers\": {\"Authorization\": \"Bearer $TOKEN\"}},
	 \"respond\": {\"headers\": {\"Retry-After\": \"0\"},
	   \"json\": {\"id\": \"$OPS/mfeOperationsStatus/op-1\", \"name\": \"op-1\", \"status\": \"$1\",
	              \"startTime\": \"2026-12-02T04:00:00Z\"${2:+, $2}}}}"
}
ASYNC='"Azure-AsyncOperation": "{{stub}}'$OPS'/mfeOperationsStatus/op-1?api-version=2025-12-01", "Retry-After": "0"'

# config AUTH-JSON: chat's target at the stub.
config() {
	cat >"$WORK/aml.json" <<EOF
{ "endpoints": [ { "name": "chat",
    "target": { "type": "azureml", "subscription": "sub-1", "resource_group": "rg-1", "workspace": "ws-1",
                "arm_url": "$BASE", "timeout": "3s", "operation_timeout": "$OP_TIMEOUT",
                "auth": $1 } } ] }
EOF
}

# rollback SCRIPT-EXCHANGES [AUTH-JSON]: a stub serving them, then
# `cmdr rollback chat`; leaves $dir, $rc, $WORK/out and $WORK/err.
rollback() {
	stub_start "[ $1 ]" || return 1
	config "${2:-$BEARER_AUTH}"
	dir=$(newdir)
	# shellcheck disable=SC2086 # $TO: none, or --to and a name
	PATH="$WORK/bin:$PATH" "$CMDR" rollback chat $TO --reason "canary failing" --yes -c "$WORK/aml.json" \
		-i "$dir" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	stub_stop
}

# outcome: the last journal entry's [outcome, detail, traffic].
outcome() {
	jq -s -c '.[-1] | [.outcome, .detail, .traffic]' "$dir/journal.jsonl"
}

# All of the script used, nothing unexpected, and no token in the journal.
stub_all_used() {
	stub_no_mismatch || return 1
	grep -q "^STATUS used \([0-9]*\) of \1 exchanges" "$LOG" || { fail "not every exchange was used: $(tail -1 "$LOG")"; return 1; }
	! grep -q "$TOKEN" "$dir/journal.jsonl" "$WORK/out" "$WORK/err" || fail "the token was written out"
}

verified() { # the checks of a rollback that ends verified
	stub_all_used && expect_eq exit "$rc" 0 && expect_eq stderr "$(cat "$WORK/err")" "" &&
	expect_eq stdout "$(cat "$WORK/out")" "rollback chat verified: d-1427=100 d-1428=0 d-1429=0" &&
	expect_eq journal "$(jq -s -c 'map([.outcome, .params.from // .traffic])' "$dir/journal.jsonl")" \
		'[["intent","d-1427=90 d-1428=10 d-1429=0"],["verified","d-1427=100 d-1428=0 d-1429=0"]]'
}

async_200() {
	rollback "$(read_endpoint Succeeded "$BEFORE"),
	  $(read_endpoint Succeeded "$BEFORE"),
	  $(put "{\"status\": 200, \"headers\": {$ASYNC}, \"json\": $(endpoint Updating "$BEFORE")}"),
	  $(operation InProgress), $(operation InProgress), $(operation Succeeded \""endTime\": \"2026-12-02T04:01:00Z\""),
	  $(get_endpoint Succeeded "$AFTER"),
	  $(read_endpoint Succeeded "$AFTER")"
	verified
}
ok "azureml: PUT 200 with Azure-AsyncOperation, InProgress -> Succeeded, read back: verified" async_200

async_201() {
	rollback "$(read_endpoint Succeeded "$BEFORE"),
	  $(read_endpoint Succeeded "$BEFORE"),
	  $(put "{\"status\": 201, \"headers\": {$ASYNC}, \"json\": $(endpoint Updating "$BEFORE")}"),
	  $(operation Succeeded),
	  $(get_endpoint Succeeded "$AFTER"),
	  $(read_endpoint Succeeded "$AFTER")"
	verified
}
ok "azureml: PUT 201 with Azure-AsyncOperation: verified" async_201

location_only() {
	loc="{\"expect\": {\"method\": \"GET\", \"path\": \"$OPS/mfeOperationResults/op-1\", $API,
	   \"headers\": {\"Authorization\": \"Bearer $TOKEN\"}}"
	rollback "$(read_endpoint Succeeded "$BEFORE"),
	  $(read_endpoint Succeeded "$BEFORE"),
	  $(put "{\"status\": 202, \"headers\": {\"Location\": \"{{stub}}$OPS/mfeOperationResults/op-1?api-version=2025-12-01\", \"Retry-After\": \"0\"}, \"body\": \"\"}"),
	  $loc, \"respond\": {\"status\": 202, \"headers\": {\"Retry-After\": \"0\"}, \"body\": \"\"}},
	  $loc, \"respond\": {\"status\": 200, \"json\": $(endpoint Succeeded "$AFTER")}},
	  $(get_endpoint Succeeded "$AFTER"),
	  $(read_endpoint Succeeded "$AFTER")"
	verified
}
ok "azureml: a Location-only operation is polled until 200: verified" location_only

updating_then_succeeded() {
	rollback "$(read_endpoint Succeeded "$BEFORE"),
	  $(read_endpoint Succeeded "$BEFORE"),
	  $(put "{\"status\": 200, \"headers\": {$ASYNC}, \"json\": $(endpoint Updating "$BEFORE")}"),
	  $(operation Succeeded),
	  $(get_endpoint Updating "$AFTER"),
	  $(get_endpoint Updating "$AFTER"),
	  $(get_endpoint Succeeded "$AFTER"),
	  $(read_endpoint Succeeded "$AFTER")"
	verified
}
ok "azureml: after the operation the endpoint is read until Updating -> Succeeded" updating_then_succeeded

refused_while_updating() {
	rollback "$(read_endpoint Updating "$BEFORE"),
	  $(get_endpoint Updating "$BEFORE"),
	  $(read_endpoint Updating "$BEFORE")"
	why="chat is Updating: another change is in progress; not starting a second one"
	stub_all_used && expect_eq exit "$rc" 3 &&
	expect_eq stdout "$(cat "$WORK/out")" "" &&
	expect_eq stderr "$(cat "$WORK/err")" "cmdr rollback: rollback of chat failed: $why; traffic still d-1427=90 d-1428=10 d-1429=0" &&
	expect_eq journal "$(outcome)" "[\"failed\",\"$why\",\"d-1427=90 d-1428=10 d-1429=0\"]" &&
	! grep -q "REQUEST PUT" "$LOG" || fail "a PUT was sent"
}
ok "azureml: a change is refused while the endpoint is Updating, and no PUT is sent" refused_while_updating

# final_error STATUS ARM-CODE MESSAGE WANT-DETAIL: the PUT answered so.
final_error() {
	rollback "$(read_endpoint Succeeded "$BEFORE"),
	  $(read_endpoint Succeeded "$BEFORE"),
	  $(put "{\"status\": $1, \"json\": {\"error\": {\"code\": \"$2\", \"message\": \"$3\"}}}"),
	  $(read_endpoint Succeeded "$BEFORE")"
	stub_all_used && expect_eq exit "$rc" 3 &&
	expect_eq stderr "$(cat "$WORK/err")" "cmdr rollback: rollback of chat failed: $4; traffic still d-1427=90 d-1428=10 d-1429=0" &&
	expect_eq journal "$(outcome)" "[\"failed\",\"$4\",\"d-1427=90 d-1428=10 d-1429=0\"]" &&
	expect_eq "PUTs sent" "$(grep -c 'REQUEST PUT' "$LOG")" 1
}
ok "azureml: 409 is final, with the API's message" final_error 409 Conflict \
	"Endpoint chat has an operation in progress." \
	"Azure ML refused the change as a conflict: HTTP 409 (Conflict): Endpoint chat has an operation in progress."
ok "azureml: 401 says the token was rejected" final_error 401 InvalidAuthenticationToken \
	"The access token is invalid." \
	"the token was rejected; check the target's auth (the endpoint's PUT: HTTP 401 (InvalidAuthenticationToken): The access token is invalid.)"

ok "azureml: 403 says the identity may not change the endpoint" final_error 403 AuthorizationFailed \
	"The client does not have authorization to perform action." \
	"not allowed; the identity needs write access to the endpoint (the endpoint's PUT: HTTP 403 (AuthorizationFailed): The client does not have authorization to perform action.)"

mirror_dropped() {
	shadow='{"d-1427": 0, "d-1428": 0, "d-1429": 100}'
	TO="--to d-1429"
	rollback "$(read_endpoint Succeeded "$BEFORE"),
	  $(read_endpoint Succeeded "$BEFORE"),
	  $(put "{\"status\": 200, \"headers\": {$ASYNC}, \"json\": $(endpoint Updating "$BEFORE")}" \
		".properties.traffic = $shadow | .properties.mirrorTraffic = {}"),
	  $(operation Succeeded),
	  $(get_endpoint Succeeded "$shadow"),
	  $(read_endpoint Succeeded "$shadow")"
	TO=
	stub_all_used && expect_eq exit "$rc" 0 &&
	expect_eq stdout "$(cat "$WORK/out")" "rollback chat verified: d-1427=0 d-1428=0 d-1429=100"
}
ok "azureml: a deployment that takes live traffic is no longer mirrored to" mirror_dropped

operation_timeout() {
	OP_TIMEOUT=2s
	rollback "$(read_endpoint Succeeded "$BEFORE"),
	  $(read_endpoint Succeeded "$BEFORE"),
	  $(put "{\"status\": 201, \"headers\": {$ASYNC}, \"json\": $(endpoint Updating "$BEFORE")}"),
	  $(operation InProgress | sed 's/"Retry-After": "0"/"Retry-After": "1"/; s/^{/{"repeat": true, /'),
	  $(read_endpoint Updating "$BEFORE")"
	OP_TIMEOUT=20s
	why="the change did not finish within 2s (the operation was still in progress); check the endpoint before trying again"
	stub_all_used && expect_eq exit "$rc" 3 &&
	expect_eq journal "$(outcome)" "[\"failed\",\"$why\",\"d-1427=90 d-1428=10 d-1429=0\"]"
}
ok "azureml: an operation still in progress at operation_timeout is a failure that says so" operation_timeout

status_elsewhere() {
	rollback "$(read_endpoint Succeeded "$BEFORE"),
	  $(read_endpoint Succeeded "$BEFORE"),
	  $(put '{"status": 201, "headers": {"Azure-AsyncOperation": "http://192.0.2.1/ops/1"}, "body": ""}'),
	  $(read_endpoint Updating "$BEFORE")"
	why="the change was accepted, but its operation is at a URL outside $BASE; not sending the token there: check the endpoint"
	stub_all_used && expect_eq exit "$rc" 3 &&
	expect_eq journal "$(outcome)" "[\"failed\",\"$why\",\"d-1427=90 d-1428=10 d-1429=0\"]"
}
ok "azureml: the token is never sent to an operation URL outside arm_url" status_elsewhere

retried() { # RESPOND-JSON of the failure before the success
	rollback "$(read_endpoint Succeeded "$BEFORE"),
	  $(read_endpoint Succeeded "$BEFORE"),
	  $(put "$1"),
	  $(put "{\"status\": 200, \"headers\": {$ASYNC}, \"json\": $(endpoint Updating "$BEFORE")}"),
	  $(operation Succeeded),
	  $(get_endpoint Succeeded "$AFTER"),
	  $(read_endpoint Succeeded "$AFTER")"
	verified
}
ok "azureml: 429 with Retry-After is tried again, then succeeds" retried \
	'{"status": 429, "headers": {"Retry-After": "1"}, "json": {"error": {"code": "TooManyRequests", "message": "slow down"}}}'
ok "azureml: 503 is tried again, then succeeds" retried \
	'{"status": 503, "json": {"error": {"code": "ServiceUnavailable", "message": "try later"}}}'

retry_after_honoured() {
	start=$(date +%s%N)
	retried '{"status": 429, "headers": {"Retry-After": "1"}, "json": {"error": {"code": "TooManyRequests", "message": "slow down"}}}' || return 1
	took=$(( ($(date +%s%N) - start) / 1000000 ))
	[ "$took" -ge 1000 ] || fail "the retry came after $took ms, before Retry-After's 1 s"
}
ok "azureml: Retry-After is waited for" retry_after_honoured

operation_failed() {
	rollback "$(read_endpoint Succeeded "$BEFORE"),
	  $(read_endpoint Succeeded "$BEFORE"),
	  $(put "{\"status\": 201, \"headers\": {$ASYNC}, \"json\": $(endpoint Updating "$BEFORE")}"),
	  $(operation InProgress),
	  $(operation Failed '"error": {"code": "DeploymentNotReady", "message": "Deployment d-1427 is not in a healthy state."}'),
	  $(read_endpoint Failed "$BEFORE")"
	why="the update of chat failed: DeploymentNotReady: Deployment d-1427 is not in a healthy state."
	stub_all_used && expect_eq exit "$rc" 3 &&
	expect_eq stderr "$(cat "$WORK/err")" "cmdr rollback: rollback of chat failed: $why; traffic still d-1427=90 d-1428=10 d-1429=0" &&
	expect_eq journal "$(outcome)" "[\"failed\",\"$why\",\"d-1427=90 d-1428=10 d-1429=0\"]"
}
ok "azureml: a Failed operation is a failed rollback with its error and the traffic now" operation_failed

endpoint_failed() {
	rollback "$(read_endpoint Succeeded "$BEFORE"),
	  $(read_endpoint Succeeded "$BEFORE"),
	  $(put "{\"status\": 200, \"headers\": {$ASYNC}, \"json\": $(endpoint Updating "$BEFORE")}"),
	  $(operation Succeeded),
	  $(get_endpoint Failed "$AFTER"),
	  $(read_endpoint Failed "$AFTER")"
	why="after the change chat's provisioningState is Failed; its deployments' states in Azure ML say why"
	stub_all_used && expect_eq exit "$rc" 3 &&
	expect_eq journal "$(outcome)" "[\"failed\",\"$why\",\"d-1427=100 d-1428=0 d-1429=0\"]"
}
ok "azureml: an endpoint Failed after a Succeeded operation is a failure, with the traffic now" endpoint_failed

not_found() {
	stub_start "[{\"expect\": {\"method\": \"GET\", \"path\": \"$EP\", $API},
	  \"respond\": {\"status\": 404, \"json\": {\"error\": {\"code\": \"ResourceNotFound\",
	    \"message\": \"The Resource 'Microsoft.MachineLearningServices/workspaces/ws-1/onlineEndpoints/chat' under resource group 'rg-1' was not found.\"}}}}]" || return 1
	config "$BEARER_AUTH"
	"$CMDR" status --json -c "$WORK/aml.json" -i "$WORK/none" >"$WORK/status.json" 2>"$WORK/err"
	rc=$?
	stub_stop
	why="target chat: not found; check subscription, resource_group, workspace and endpoint in the config (reading the endpoint: HTTP 404 (ResourceNotFound): The Resource 'Microsoft.MachineLearningServices/workspaces/ws..."
	stub_no_mismatch && expect_eq exit "$rc" 3 && expect_eq stderr "$(cat "$WORK/err")" "cmdr status: $why" &&
	jq_is error '.endpoints[0].data.error' "$why"
}
ok "azureml: an endpoint that is not there is one line that says what to check" not_found

paged() {
	page1="{\"expect\": {\"method\": \"GET\", \"path\": \"$EP/deployments\", $API,
	   \"headers\": {\"Authorization\": \"Bearer $TOKEN\"}},
	 \"respond\": {\"json\": $(jq -c . "$FIX/deployments-page1.json")}}"
	page2="{\"expect\": {\"method\": \"GET\", \"path\": \"$EP/deployments\",
	   \"query\": {\"api-version\": \"2025-12-01\", \"\$skiptoken\": \"page2\"},
	   \"headers\": {\"Authorization\": \"Bearer $TOKEN\"}},
	 \"respond\": {\"json\": $(jq -c . "$FIX/deployments-page2.json")}}"
	stub_start "[ $(get_endpoint Succeeded "$BEFORE"), $page1, $page2 ]" || return 1
	config "$BEARER_AUTH"
	"$CMDR" status --json -c "$WORK/aml.json" -i "$WORK/none" >"$WORK/status.json" 2>"$WORK/err"
	rc=$?
	stub_stop
	dir=$WORK
	touch "$WORK/journal.jsonl"
	stub_all_used && expect_eq exit "$rc" 0 && expect_eq stderr "$(cat "$WORK/err")" "" &&
	jq_is target '.endpoints[0].target' azureml &&
	jq_is deployments '[.endpoints[0].deployments[] | [.name, .traffic, .state]] | tostring' \
		'[["d-1427",90,"Succeeded"],["d-1428",10,"Succeeded"],["d-1429",0,"Succeeded"]]' &&
	jq_is error '.endpoints[0].data.error' null
}
ok "azureml: cmdr status --json shows the traffic, deployments over two pages (nextLink)" paged

token_client_credentials() {
	printf 'client-secret-1\n' >"$WORK/client_secret"
	chmod 600 "$WORK/client_secret"
	tok="{\"expect\": {\"method\": \"POST\", \"path\": \"/tenant-1/oauth2/v2.0/token\",
	   \"headers\": {\"Content-Type\": \"application/x-www-form-urlencoded\"},
	   \"form\": {\"grant_type\": \"client_credentials\", \"client_id\": \"client-1\",
	              \"client_secret\": \"client-secret-1\", \"scope\": \"https://management.azure.com/.default\"}},
	 \"respond\": {\"json\": {\"token_type\": \"Bearer\", \"expires_in\": 3599, \"ext_expires_in\": 3599, \"access_token\": \"$TOKEN\"}}}"
	rollback_cc "$tok,
	  $(read_endpoint Succeeded "$BEFORE"),
	  $(read_endpoint Succeeded "$BEFORE"),
	  $(put "{\"status\": 200, \"headers\": {$ASYNC}, \"json\": $(endpoint Updating "$BEFORE")}"),
	  $(operation Succeeded),
	  $(get_endpoint Succeeded "$AFTER"),
	  $(read_endpoint Succeeded "$AFTER")" &&
	verified && ! grep -q client-secret-1 "$dir/journal.jsonl" "$WORK/out" "$WORK/err" || fail "the secret was written out"
}
rollback_cc() {
	stub_start "[ $1 ]" || return 1
	config "{ \"type\": \"client_credentials\", \"tenant\": \"tenant-1\", \"client_id\": \"client-1\",
	          \"client_secret_file\": \"$WORK/client_secret\", \"authority\": \"$BASE\" }"
	dir=$(newdir)
	"$CMDR" rollback chat --reason "canary failing" --yes -c "$WORK/aml.json" -i "$dir" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	stub_stop
}
ok "azureml: a token by client credentials (scope https://management.azure.com/.default), fetched once" \
	token_client_credentials

token_az() {
	mkdir -p "$WORK/bin"
	cat >"$WORK/bin/az" <<EOF
#!/bin/sh
[ "\$*" = "account get-access-token --resource https://management.azure.com --output json" ] ||
	{ echo "ERROR: unexpected arguments: \$*" >&2; exit 2; }
echo '{"accessToken": "$TOKEN", "expiresOn": "2099-01-01 00:00:00.000000", "expires_on": 4070908800, "subscription": "sub-1", "tenant": "t", "tokenType": "Bearer"}'
EOF
	chmod +x "$WORK/bin/az"
	rollback "$(read_endpoint Succeeded "$BEFORE"),
	  $(read_endpoint Succeeded "$BEFORE"),
	  $(put "{\"status\": 200, \"headers\": {$ASYNC}, \"json\": $(endpoint Updating "$BEFORE")}"),
	  $(operation Succeeded),
	  $(get_endpoint Succeeded "$AFTER"),
	  $(read_endpoint Succeeded "$AFTER")" '{ "type": "azure_cli" }'
	verified
}
ok "azureml: a token from az account get-access-token --resource https://management.azure.com" token_az

az_fails() {
	cat >"$WORK/bin/az" <<'EOF'
#!/bin/sh
echo "ERROR: Please run 'az login' to setup account." >&2
exit 1
EOF
	chmod +x "$WORK/bin/az"
	rollback "" '{ "type": "azure_cli" }'
	why="could not get a token (az account get-access-token exited with 1: ERROR: Please run 'az login' to setup account.)"
	expect_eq exit "$rc" 3 && expect_eq requests "$(grep -c '^REQUEST' "$LOG")" 0 &&
	expect_eq "stderr, said once" "$(cat "$WORK/err")" "cmdr rollback: rollback failed: cannot read the current split of chat: $why; nothing was changed" &&
	expect_eq journal "$(outcome)" "[\"failed\",\"cannot read the current split of chat: $why\",null]"
}
ok "azureml: az not logged in: the rollback fails with az's words, and nothing is sent" az_fails

ok "no sanitizer reports" sanitizer_clean
