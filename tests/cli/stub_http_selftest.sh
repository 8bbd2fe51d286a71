#!/bin/sh
# tests/stub_http.py, the scripted HTTP server the Azure (and later
# PagerDuty, Slack) tests talk to, checked with curl before anything relies
# on it: matching, mismatches, hangs, truncated and huge bodies, repeats.
. "$(dirname "$0")/../lib.sh"

STUB_PID=
# The server dies with the script, however it ends.

# stub_used: how many exchanges have served a request.
stub_used() {
	curl -s "$BASE/__stub/status" | jq -r .used
}

exact_match() {
	stub_start '[{"expect": {"method": "POST", "path": "/v1/workspaces/ws1/query",
	                         "headers": {"authorization": "Bearer tok", "Content-Type": "application/json"},
	                         "json": {"query": "requests | count", "timespan": "a/b"}},
	              "respond": {"status": 200, "headers": {"x-ms-request-id": "r1"},
	                          "json": {"tables": []}}}]' || return 1
	out=$(curl -s -D "$WORK/headers" -H 'Authorization: Bearer tok' -H 'Content-Type: application/json' \
		-d '{"timespan": "a/b", "query": "requests | count"}' "$BASE/v1/workspaces/ws1/query") || return 1
	expect_eq body "$out" '{"tables": []}' &&
	grep -q '^HTTP/1.1 200' "$WORK/headers" && grep -qi '^x-ms-request-id: r1' "$WORK/headers" &&
	grep -qi '^content-type: application/json' "$WORK/headers" || { fail "headers: $(cat "$WORK/headers")"; return 1; }
	expect_eq used "$(stub_used)" 1 &&
	expect_eq log "$(cat "$LOG")" "REQUEST POST /v1/workspaces/ws1/query"
}
ok "stub: an exact match gets its response, logged, counted" exact_match

# A group: requests sent at once may come in either order; each exchange
# of the group answers once, then the script goes on.
group_any_order() {
	stub_start '[{"group": "w1", "expect": {"method": "GET", "path": "/a"}, "respond": {"json": {"x": "a"}}},
	             {"group": "w1", "expect": {"method": "GET", "path": "/b"}, "respond": {"json": {"x": "b"}}},
	             {"expect": {"method": "GET", "path": "/c"}, "respond": {"json": {"x": "c"}}}]' || return 1
	expect_eq b "$(curl -s "$BASE/b")" '{"x": "b"}' &&
	expect_eq "b again: used" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/b")" 599 &&
	expect_eq a "$(curl -s "$BASE/a")" '{"x": "a"}' &&
	expect_eq c "$(curl -s "$BASE/c")" '{"x": "c"}' &&
	expect_eq used "$(stub_used)" 3
}
ok "stub: a group's exchanges match in any order, each once" group_any_order

header_mismatch() {
	stub_start '[{"expect": {"method": "GET", "path": "/x", "headers": {"Authorization": "Bearer tok"}},
	              "respond": {"json": {}}}]' || return 1
	code=$(curl -s -o "$WORK/body" -w '%{http_code}' -H 'Authorization: Bearer wrong' "$BASE/x")
	line="MISMATCH exchange 1: expected header Authorization: 'Bearer tok', got 'Bearer wrong'"
	expect_eq status "$code" 599 &&
	expect_eq body "$(cat "$WORK/body")" "$line" &&
	grep -qxF "$line" "$LOG" || { fail "log: $(cat "$LOG")"; return 1; }
	# The exchange stays next: the right request still gets it.
	code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer tok' "$BASE/x")
	expect_eq "status after" "$code" 200 &&
	expect_eq status "$(curl -s "$BASE/__stub/status" | jq -c .)" \
		'{"used":1,"total":1,"requests":2,"mismatches":1,"unused":[]}'
}
ok "stub: a header mismatch gets a 599 and a MISMATCH line" header_mismatch

query_form_json_has() {
	stub_start '[{"expect": {"method": "GET", "path": "/metadata/identity/oauth2/token",
	                         "query": {"api-version": "2018-02-01", "resource": "https://api.loganalytics.io"},
	                         "headers": {"Metadata": "true"}},
	              "respond": {"json": {"access_token": "t", "expires_in": "86399"}}},
	             {"expect": {"method": "POST", "path": "/tenant/oauth2/v2.0/token",
	                         "form": {"grant_type": "client_credentials", "scope": "https://api.loganalytics.io/.default"}},
	              "respond": {"json": {"access_token": "t", "expires_in": 3599}}},
	             {"expect": {"json_has": {"a": {"b": true}}}, "respond": {"status": 204}}]' || return 1
	code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Metadata: true' \
		"$BASE/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fapi.loganalytics.io")
	expect_eq imds "$code" 200 || return 1
	code=$(curl -s -o /dev/null -w '%{http_code}' \
		-d 'grant_type=client_credentials&scope=https%3A%2F%2Fapi.loganalytics.io%2F.default' \
		"$BASE/tenant/oauth2/v2.0/token")
	expect_eq form "$code" 200 || return 1
	code=$(curl -s -o /dev/null -w '%{http_code}' -d '{"a": {"b": 1, "c": 2}}' "$BASE/any")
	expect_eq "json_has, 1 for true" "$code" 599 || return 1
	code=$(curl -s -o /dev/null -w '%{http_code}' -d '{"a": {"b": true, "c": 2}, "d": 3}' "$BASE/any")
	expect_eq json_has "$code" 204 &&
	expect_eq used "$(stub_used)" 3 &&
	grep -qF 'MISMATCH exchange 3: expected JSON body with {"a":{"b":true}}, got {"a":{"b":1,"c":2}}' "$LOG" ||
		fail "log: $(cat "$LOG")"
}
ok "stub: query, form and json_has matching" query_form_json_has

hang_forever() {
	stub_start '[{"expect": {"path": "/hang"}, "respond": {"hang": true}}]' || return 1
	start=$(date +%s%N)
	curl -s --max-time 1 "$BASE/hang" >/dev/null
	rc=$?
	took=$(( ($(date +%s%N) - start) / 1000000 ))
	expect_eq "curl exit (timed out)" "$rc" 28 &&
	[ "$took" -ge 900 ] && [ "$took" -lt 5000 ] || { fail "took $took ms"; return 1; }
	# The stub itself still answers.
	expect_eq used "$(stub_used)" 1
}
ok "stub: hang reads the request and never answers" hang_forever

truncated_body() {
	stub_start '[{"expect": {"path": "/t"}, "respond": {"body": "0123456789abcdefghij", "truncate": 10}}]' || return 1
	curl -s -o "$WORK/body" "$BASE/t"
	rc=$?
	expect_eq "curl exit (partial file)" "$rc" 18 &&
	expect_eq body "$(cat "$WORK/body")" 0123456789
}
ok "stub: truncate sends the full Content-Length and part of the body" truncated_body

huge_body() {
	stub_start '[{"expect": {"path": "/big"}, "respond": {"body_bytes": 52428800, "content_type": "text/plain"}}]' || return 1
	curl -s -o "$WORK/big" "$BASE/big" || { fail "curl exit $?"; return 1; }
	expect_eq size "$(wc -c <"$WORK/big" | tr -d ' ')" 52428800 &&
	expect_eq bytes "$(tr -d x <"$WORK/big" | wc -c | tr -d ' ')" 0
}
ok "stub: a 50 MB body_bytes response arrives whole" huge_body

repeat_exchange() {
	stub_start '[{"expect": {"path": "/token"}, "respond": {"json": {"n": 1}}},
	             {"expect": {"method": "POST", "path": "/query"}, "respond": {"json": {"tables": []}}, "repeat": true},
	             {"expect": {"path": "/done"}, "respond": {"status": 204}}]' || return 1
	codes=""
	for path in token query query query done done; do
		method=POST; [ "$path" = query ] || method=GET
		codes="$codes $(curl -s -o /dev/null -w '%{http_code}' -X "$method" "$BASE/$path")"
	done
	expect_eq codes "$codes" " 200 200 200 200 204 599" &&
	expect_eq used "$(stub_used)" 3 &&
	grep -qF 'MISMATCH exchange 4: expected no more requests (the script has 3), got GET /done' "$LOG" &&
	expect_eq requests "$(grep -c '^REQUEST ' "$LOG")" 6 || { fail "log: $(cat "$LOG")"; return 1; }
	stub_stop
	grep -qxF 'STATUS used 3 of 3 exchanges, 6 requests, 1 mismatches' "$LOG" || fail "no STATUS line: $(tail -1 "$LOG")"
}
ok "stub: a repeat exchange serves until another request moves on; SIGTERM reports" repeat_exchange

stub_base() {
	stub_start '[{"expect": {"path": "/put"},
	              "respond": {"status": 201, "headers": {"Azure-AsyncOperation": "{{stub}}/ops/1?api-version=x"},
	                          "json": {"nextLink": "{{stub}}/next", "n": ["{{stub}}"]}}}]' || return 1
	out=$(curl -s -D "$WORK/headers" -X PUT "$BASE/put") || return 1
	expect_eq body "$(printf '%s' "$out" | jq -c .)" "{\"nextLink\":\"$BASE/next\",\"n\":[\"$BASE\"]}" &&
	tr -d "\r" <"$WORK/headers" | grep -qixF "azure-asyncoperation: $BASE/ops/1?api-version=x" ||
		fail "headers: $(cat "$WORK/headers")"
}
ok "stub: {{stub}} in a response is the stub's own base URL" stub_base

bad_script() {
	printf '[{"expect": {"methdo": "GET"}}]' >"$WORK/bad.json"
	python3 "$TESTS_DIR/stub_http.py" "$WORK/bad.json" "$WORK/port" "$WORK/bad.log" 2>"$WORK/err"
	rc=$?
	expect_eq exit "$rc" 2 &&
	grep -qF "exchange 1.expect: unknown key 'methdo'" "$WORK/err" || fail "stderr: $(cat "$WORK/err")"
}
ok "stub: a misspelt key in the script is refused" bad_script
