#!/bin/sh
# A hostile metrics server (tests/stub_http.py): never answers, answers 500,
# truncated JSON, a 50 MB body, the wrong content type, valid JSON of the
# wrong shape. Each gives one clear message on the console, and the screen
# keeps answering keys while it happens.
. "$(dirname "$0")/../lib.sh"

# hostile NAME RESPOND-JSON EXPECTED-TEXT: every request gets RESPOND.
hostile() {
	name=$1 respond=$2 want=$3
	stub_start "$(printf '[{"repeat": true, "expect": {"method": "GET"}, "respond": %s}]' "$respond")" || return 1
	cat >"$WORK/hostile.json" <<EOF
{
  "sources": { "hostile": { "type": "prometheus", "url": "$BASE", "refresh": "2s", "timeout": "1s" } },
  "slos": [ { "name": "api", "source": "hostile", "objective": 0.999,
              "error_query": "sum(increase(errors_total[{{window}}]))",
              "total_query": "sum(increase(requests_total[{{window}}]))" } ]
}
EOF
	term_start 120 30 "$CMDR" -c "$WORK/hostile.json" -i "$(newdir)"
	check() {
		term_wait "$want" 8 || return 1
		# Keys are answered while the source misbehaves.
		term_keys '?'
		term_wait "any key closes" 2 || return 1
		term_keys Escape
		term_keys q
		term_wait "[exited]" 3
	}
	ok "hostile server: $name" check
}

ok_json='{"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": [1, "5"]}]}}'

hostile "never answers: no answer within 1 s" '{"hang": true}' "source hostile: no answer within 1 s"
hostile "HTTP 500" '{"status": 500, "body": "Internal Server Error", "content_type": "text/plain"}' \
	"source hostile: HTTP 500"
hostile "truncated JSON" '{"body": "{\"status\": \"success\", \"data\": {\"resultType\": \"vec"}' \
	"source hostile: invalid JSON at byte"
hostile "a body cut short of its Content-Length" "{\"json\": $ok_json, \"truncate\": 20}" \
	"source hostile: transfer closed"
hostile "a 50 MB body is refused at the cap" '{"body_bytes": 52428800}' \
	"source hostile: response larger than 8388608 bytes"
hostile "wrong content type" '{"body": "<html>login</html>", "content_type": "text/html"}' \
	"expected application/json, got text/html"
hostile "valid JSON of the wrong shape" '{"json": {"status": "success", "data": {"resultType": "vector", "result": {"a": 1}}}}' \
	"source hostile: unexpected response"
hostile "an escape sequence in the error is not sent to the terminal" \
	'{"status": 400, "json": {"status": "error", "errorType": "bad_data", "error": "bad \u001b]0;pwned\u0007 query"}}' \
	"source hostile: Prometheus bad_data: bad"
stub_stop

# Quit while every query still hangs (a 30 s timeout): the requests in flight
# are cancelled and freed, not left to the sanitizer.
quit_while_hanging() {
	stub_start '[{"repeat": true, "expect": {"method": "GET"}, "respond": {"hang": true}}]' || return 1
	sed "s|\"url\": \"[^\"]*\"|\"url\": \"$BASE\"|; s/\"timeout\": \"1s\"/\"timeout\": \"30s\"/" \
		"$WORK/hostile.json" >"$WORK/hang.json"
	term_start 120 30 "$CMDR" -c "$WORK/hang.json" -i "$(newdir)"
	i=0
	until grep -q "^REQUEST GET /api/v1/query" "$LOG"; do
		[ $i -lt 50 ] || { fail "no query reached the stub"; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
	term_keys q
	term_wait "[exited]" 3
	stub_stop
}
ok "hostile server: quit while queries hang" quit_while_hanging

# TLS is verified unless the config says otherwise: a self-signed server is
# refused, and accepted once its certificate is the source's ca_file.
check_tls() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null ||
		{ fail "openssl could not make a certificate"; return 1; }
	export STUB_TLS_CERT="$WORK/tls.crt" STUB_TLS_KEY="$WORK/tls.key"
	stub_start "[{\"repeat\": true, \"expect\": {\"method\": \"GET\"}, \"respond\": {\"json\": $ok_json}}]"
	rc=$?
	unset STUB_TLS_CERT STUB_TLS_KEY
	[ $rc = 0 ] || return 1
	tls_config() {
		cat >"$WORK/tls.json" <<EOF
{ "sources": { "tls": { "type": "prometheus", "url": "https://127.0.0.1:$PORT", "timeout": "2s" $1 } },
  "slos": [ { "name": "api", "source": "tls", "objective": 0.999,
              "error_query": "sum(increase(errors_total[{{window}}]))",
              "total_query": "sum(increase(requests_total[{{window}}]))" } ] }
EOF
	}
	tls_config ""
	"$CMDR" status --json -c "$WORK/tls.json" -i "$WORK/none" >"$WORK/status.json" 2>"$WORK/status.err"
	rc=$?
	expect_eq "exit, self-signed" $rc 3 && grep -q "source tls: .*certificate" "$WORK/status.err" ||
		{ fail "stderr: $(cat "$WORK/status.err")"; return 1; }
	tls_config ", \"ca_file\": \"$WORK/tls.crt\""
	"$CMDR" status --json -c "$WORK/tls.json" -i "$WORK/none" >"$WORK/status.json" 2>"$WORK/status.err"
	rc=$?
	stub_stop
	expect_eq "exit, with ca_file" $rc 0 && jq_is "burn read over TLS" '.slos[0].burn_rates["5m"]' 1000 ||
		fail "stderr: $(cat "$WORK/status.err")"
}
ok "TLS: a self-signed server is refused by default, accepted with its ca_file" check_tls
# Thousands of series where one number (an SLO window) was expected: an
# error with a count.
check_many_series() {
	python3 -c '
import json
r = [{"metric": {"job": "j%d" % i}, "value": [1, "2.9"]} for i in range(5000)]
print(json.dumps([{"repeat": True, "expect": {"method": "GET"},
                   "respond": {"json": {"status": "success", "data": {"resultType": "vector", "result": r}}}}]))
' >"$WORK/many.json" || return 1
	stub_start "$(cat "$WORK/many.json")" || return 1
	cat >"$WORK/many-config.json" <<EOF
{ "sources": { "prom": { "type": "prometheus", "url": "$BASE", "timeout": "5s" } },
  "slos": [ { "name": "api", "source": "prom", "objective": 0.999,
              "error_query": "sum(increase(errors_total[{{window}}]))",
              "total_query": "sum(increase(requests_total[{{window}}]))" } ] }
EOF
	"$CMDR" status --json -c "$WORK/many-config.json" -i "$WORK/none" >"$WORK/status.json" 2>"$WORK/status.err"
	stub_stop
	grep -q "source prom: the query gave 5000 series, not one number" "$WORK/status.err" ||
		fail "stderr: $(head -c 300 "$WORK/status.err")"
}
ok "hostile server: 5,000 series for an SLO window are refused with a count" check_many_series
ok "hostile server: no sanitizer reports" sanitizer_clean
