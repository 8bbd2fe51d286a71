#!/bin/sh
# Notifications against a local server that checks each request field by
# field and answers as PagerDuty, Slack and Teams document: the PagerDuty
# alert's life (trigger, acknowledge, resolve with the stored dedup key),
# 429 with Retry-After, 400 invalid event, Slack's and Teams' answers, a
# console that keeps answering while a service hangs, and a drill whose
# messages go to the drill sink and nowhere else.
. "$(dirname "$0")/../lib.sh"

KEY=R0UTINGKEY0123456789abcdef012345
printf '%s\n' "$KEY" >"$WORK/pd.key"
chmod 600 "$WORK/pd.key"

pd_config() {
	cat >"$WORK/pd.json" <<EOT
{"notify": {"pagerduty": {"routing_key_file": "$WORK/pd.key", "url": "$BASE", "timeout": "${1:-5s}"}}}
EOT
}

webhook_config() { # SERVICE PATH
	printf '%s%s\n' "$BASE" "$2" >"$WORK/$1.url"
	chmod 600 "$WORK/$1.url"
	echo "{\"notify\": {\"$1\": {\"webhook_file\": \"$WORK/$1.url\"}}}" >"$WORK/$1.json"
}

pagerduty_lifecycle() {
	stub_start '[
 {"expect": {"method": "POST", "path": "/v2/enqueue", "headers": {"Content-Type": "application/json"},
   "json_has": {"routing_key": "'$KEY'", "event_action": "trigger", "client": "cmdr",
     "payload": {"summary": "SEV1 Chat answers ungrounded", "source": "cmdr", "severity": "critical",
       "component": "cmdr", "custom_details": {"incident": "SEV1 Chat answers ungrounded",
       "what": "Declared SEV1 Chat answers ungrounded by alice"}}},
   "json_re": {"dedup_key": "cmdr-[0-9a-f]{32}", "payload.custom_details.journal_head": "[0-9a-f]{64}",
     "payload.timestamp": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}Z"}},
  "respond": {"status": 429, "headers": {"Retry-After": "1"}, "body": ""}},
 {"expect": {"method": "POST", "path": "/v2/enqueue", "json_has": {"event_action": "trigger"}},
  "respond": {"status": 202, "json": {"status": "success", "message": "Event processed", "dedup_key": "pd-dedup-1"}}},
 {"expect": {"method": "POST", "path": "/v2/enqueue",
   "json": {"routing_key": "'$KEY'", "event_action": "acknowledge", "dedup_key": "pd-dedup-1", "client": "cmdr"}},
  "respond": {"status": 202, "json": {"status": "success", "message": "Event processed", "dedup_key": "pd-dedup-1"}}},
 {"expect": {"method": "POST", "path": "/v2/enqueue",
   "json": {"routing_key": "'$KEY'", "event_action": "resolve", "dedup_key": "pd-dedup-1", "client": "cmdr"}},
  "respond": {"status": 202, "json": {"status": "success", "message": "Event processed", "dedup_key": "pd-dedup-1"}}}
]' || return 1
	pd_config
	dir=$(newdir)
	"$CMDR" declare "Chat answers ungrounded" --severity SEV1 -c "$WORK/pd.json" -i "$dir" --as alice >/dev/null 2>"$WORK/err" &&
	"$CMDR" note "no page for a note" -c "$WORK/pd.json" -i "$dir" --as bob >/dev/null 2>>"$WORK/err" &&
	"$CMDR" role commander -c "$WORK/pd.json" -i "$dir" --as alice >/dev/null 2>>"$WORK/err" &&
	"$CMDR" resolve --reason "groundedness back to 3.1" -c "$WORK/pd.json" -i "$dir" --as alice >/dev/null 2>>"$WORK/err" ||
		{ fail "$(cat "$WORK/err")"; return 1; }
	[ ! -s "$WORK/err" ] || { fail "stderr: $(cat "$WORK/err")"; return 1; }
	stub_no_mismatch &&
	expect_eq requests "$(grep -c '^REQUEST POST /v2/enqueue' "$LOG")" 4 &&
	expect_eq journal "$(jq -c 'select(.action == "notify") | [.actor.as, .target, .params.event, .params.about, .outcome, .params.dedup_key]' "$dir/journal.jsonl")" \
'["alice","pagerduty","trigger",1,"sent","pd-dedup-1"]
["alice","pagerduty","acknowledge",4,"sent","pd-dedup-1"]
["alice","pagerduty","resolve",6,"sent","pd-dedup-1"]' &&
	"$CMDR" audit verify -i "$dir" >/dev/null
}
ok "PagerDuty: trigger (after a 429 with Retry-After), acknowledge and resolve with the stored dedup key; each journaled" pagerduty_lifecycle

pagerduty_invalid_event() {
	stub_start '[
 {"expect": {"method": "POST", "path": "/v2/enqueue", "json_has": {"event_action": "trigger"}},
  "respond": {"status": 400, "json": {"status": "invalid event", "message": "Event object is invalid",
   "errors": ["Length of '"'"'routing_key'"'"' is incorrect (should be 32 characters)"]}}}
]' || return 1
	pd_config
	dir=$(newdir)
	"$CMDR" declare "t" --severity SEV2 -c "$WORK/pd.json" -i "$dir" >/dev/null 2>"$WORK/err"
	[ $? -eq 0 ] || { fail "the declaration itself failed"; return 1; }
	want="PagerDuty: invalid event: Event object is invalid: Length of 'routing_key' is incorrect (should be 32 characters)"
	expect_eq stderr "$(cat "$WORK/err")" "cmdr declare: notify pagerduty failed: $want" &&
	expect_eq journal "$(jq -c 'select(.action == "notify") | [.params.event, .outcome, .detail]' "$dir/journal.jsonl")" \
		"[\"trigger\",\"failed\",\"$want\"]" &&
	expect_eq requests "$(grep -c '^REQUEST' "$LOG")" 1 && stub_no_mismatch
}
ok "PagerDuty: a 400 invalid event is not retried; its message is on stderr and in the journal" pagerduty_invalid_event

slack() {
	stub_start '[
 {"expect": {"method": "POST", "path": "/services/T000/B000/XXXX",
   "json_re": {"text": "\\[SEV2 Refusal spike\\] Declared SEV2 Refusal spike by bob \\(journal head [0-9a-f]{64}\\)"}},
  "respond": {"status": 200, "body": "ok", "content_type": "text/html"}},
 {"expect": {"method": "POST", "path": "/services/T000/B000/XXXX",
   "json_re": {"text": "\\[SEV2 Refusal spike\\] Status update from bob: Mitigated; watching \\(journal head [0-9a-f]{64}\\)"}},
  "respond": {"status": 429, "headers": {"Retry-After": "1"}, "body": "rate_limited", "content_type": "text/html"}},
 {"expect": {"method": "POST", "path": "/services/T000/B000/XXXX"},
  "respond": {"status": 200, "body": "ok", "content_type": "text/html"}},
 {"expect": {"method": "POST", "path": "/services/T000/B000/XXXX"},
  "respond": {"status": 404, "body": "no_service", "content_type": "text/html"}}
]' || return 1
	webhook_config slack /services/T000/B000/XXXX
	dir=$(newdir)
	"$CMDR" declare "Refusal spike" --severity SEV2 -c "$WORK/slack.json" -i "$dir" --as bob >/dev/null &&
	"$CMDR" update "Mitigated; watching" -c "$WORK/slack.json" -i "$dir" --as bob >/dev/null || return 1
	"$CMDR" resolve --reason "done" -c "$WORK/slack.json" -i "$dir" --as bob >/dev/null 2>"$WORK/err"
	expect_eq stderr "$(cat "$WORK/err")" "cmdr resolve: notify slack failed: Slack: HTTP 404: no_service" &&
	expect_eq journal "$(jq -c 'select(.action == "notify") | [.target, .params.about, .outcome]' "$dir/journal.jsonl" | tr '\n' ' ')" \
		'["slack",1,"sent"] ["slack",3,"sent"] ["slack",5,"failed"] ' &&
	stub_no_mismatch
}
ok "Slack: messages for the declaration and an update (a 429 retried), a 404 no_service reported" slack

teams() {
	stub_start '[
 {"expect": {"method": "POST", "path": "/workflows/abc/triggers/manual/paths/invoke",
   "json_has": {"type": "message"},
   "json_re": {"attachments.0.contentType": "application/vnd\\.microsoft\\.card\\.adaptive",
     "attachments.0.content.type": "AdaptiveCard", "attachments.0.content.version": "1\\.4",
     "attachments.0.content.body.0.text": "SEV0 Region down",
     "attachments.0.content.body.1.text": "Declared SEV0 Region down by carol",
     "attachments.0.content.body.2.facts.0.title": "Journal head",
     "attachments.0.content.body.2.facts.0.value": "[0-9a-f]{64}"}},
  "respond": {"status": 202, "body": ""}},
 {"expect": {"method": "POST", "path": "/workflows/abc/triggers/manual/paths/invoke"},
  "respond": {"status": 400, "json": {"error": {"code": "InvalidRequestContent",
   "message": "The input body for trigger manual of type Request did not match its schema definition."}}}}
]' || return 1
	webhook_config teams "/workflows/abc/triggers/manual/paths/invoke"
	dir=$(newdir)
	"$CMDR" declare "Region down" --severity SEV0 -c "$WORK/teams.json" -i "$dir" --as carol >/dev/null || return 1
	"$CMDR" update "Failing over" -c "$WORK/teams.json" -i "$dir" --as carol >/dev/null 2>"$WORK/err"
	expect_eq stderr "$(cat "$WORK/err")" \
		"cmdr update: notify teams failed: Teams: HTTP 400: The input body for trigger manual of type Request did not match its schema definition." &&
	stub_no_mismatch
}
ok "Teams: an Adaptive Card with the journal head (202); a 400 with the workflow's own message" teams

console_never_blocks() {
	stub_start '[{"expect": {"method": "POST", "path": "/v2/enqueue"}, "respond": {"hang": true}, "repeat": true}]' || return 1
	pd_config 2s
	dir=$(newdir)
	term_start 100 30 "$CMDR" -c "$WORK/pd.json" -i "$dir" --as alice
	term_wait "LIVE alice commander" 5 || return 1
	term_keys : "declare SEV1 hung pager" Enter
	term_wait "| SEV1 update in 30m" 3 || return 1
	# PagerDuty hangs; the keys still answer at once.
	term_keys t
	term_wait "TIMELINE  SEV1 hung pager" 2 && term_keys n "still typing" Enter &&
	term_wait "alice    note: still typing" 2 || return 1
	# After the retries run out, the failure is on screen and in the journal.
	journal_wait "$dir" 'map(select(.action == "notify" and .outcome == "failed")) | length == 1' 150 || return 1
	term_wait "notify pagerduty failed: pagerduty:" 3
}
ok "a hung PagerDuty never holds up a key; when its retries run out the failure is on screen and journaled" console_never_blocks

drill_sink() {
	cat >"$WORK/drill.json" <<EOT
{"notify": {"pagerduty": {"routing_key_file": "$WORK/missing.key", "url": "http://127.0.0.1:1"},
            "slack": {"webhook_env": "CMDR_TEST_UNSET_WEBHOOK"}}}
EOT
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless --until 17:15:00 -c "$WORK/drill.json" -i "$dir" >/dev/null 2>"$WORK/err" ||
		{ fail "$(cat "$WORK/err")"; return 1; }
	[ -f "$dir/notifications.jsonl" ] || { fail "no drill sink"; return 1; }
	# The head a message carries is the journal's just after the line it announces.
	seq=$(jq -r 'select(.action == "rollback" and .outcome == "verified") | .seq' "$dir/journal.jsonl")
	head=$(sed -n "${seq}p" "$dir/journal.jsonl" | tr -d '\n' | sha256sum | cut -c1-64)
	what="rollback of support-assistant-prod verified (d-1427=100 d-1428=0, by policy): canary gate on d-1428: multi_hop groundedness 2.66 < 2.85 (n=11), 3 consecutive failed windows"
	expect_eq sink "$(jq -c '[.service, .event, .about, .body.routing_key, .body.payload.summary // .body.text, .body.payload.custom_details.journal_head]' "$dir/notifications.jsonl")" \
"[\"pagerduty\",\"change\",$seq,\"(drill: not read)\",\"$what\",\"$head\"]
[\"slack\",\"message\",$seq,null,\"[no incident declared] $what (journal head $head)\",null]" &&
	expect_eq journal "$(jq -c 'select(.action == "notify") | [.target, .params.to, .outcome, .drill]' "$dir/journal.jsonl" | tr '\n' ' ')" \
		'["pagerduty","drill sink","sent","friday-1714"] ["slack","drill sink","sent","friday-1714"] '
}
ok "a drill's notifications go to the drill sink, with no secret read and no request made" drill_sink

# The sink sits in the incident directory: a link planted there is never
# written through, and the failure is journaled like any other.
drill_sink_link() {
	dir=$(newdir)
	: >"$WORK/victim"
	ln -s "$WORK/victim" "$dir/notifications.jsonl"
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless --until 17:15:00 -c "$WORK/drill.json" -i "$dir" >/dev/null 2>&1
	expect_eq victim "$(wc -c <"$WORK/victim")" 0 &&
	expect_eq journal "$(jq -c 'select(.action == "notify") | [.outcome, .detail]' "$dir/journal.jsonl" | sort -u)" \
		"[\"failed\",\"drill sink $dir/notifications.jsonl: cannot write: it is a symbolic link\"]"
}
ok "a drill sink that is a symbolic link is not written through; the failure is journaled" drill_sink_link

config_problems() {
	cat >"$WORK/bad.json" <<'EOT'
{"notify": {"pagerduty": {"routing_key": "abc", "url": "ftp://x"},
            "slack": {"webhook_file": "/x", "webhook_env": "Y"}, "teams": {}, "sorce": "x"}}
EOT
	"$CMDR" config check "$WORK/bad.json" >"$WORK/out" 2>&1
	[ $? -eq 1 ] || { fail "config check passed"; return 1; }
	expect_eq problems "$(sed "s|$WORK/||" "$WORK/out")" \
'bad.json: $.notify.pagerduty.routing_key: secrets are never written in the config: give "routing_key_file" (a file only you can read) or "routing_key_env" (an environment variable)
bad.json: $.notify.pagerduty.url: expected an http:// or https:// URL, got "ftp://x"
bad.json: $.notify.pagerduty: required key missing: "routing_key_file" or "routing_key_env" (where the routing key is kept)
bad.json: $.notify.slack: give "webhook_file" or "webhook_env", not both
bad.json: $.notify.teams: required key missing: "webhook_file" or "webhook_env" (where the webhook URL is kept)
bad.json: $.notify.sorce: unknown key (expected one of: pagerduty, slack, teams, source, drill_sink)'
}
ok "cmdr config check: a routing key written in the config, a bad URL, a missing or doubled secret, a typo" config_problems

ok "no sanitizer reports" sanitizer_clean
