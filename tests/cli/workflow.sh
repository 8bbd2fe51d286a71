#!/bin/sh
# The commander's workflow from a shell: declare, severity, roles, notes,
# updates, time checks, resolve; each journaled, refusals too, and the
# state in `cmdr status --json` is what the journal says.
. "$(dirname "$0")/../lib.sh"

declare_and_work() {
	dir=$(newdir)
	out=$("$CMDR" declare "Chat answers ungrounded" --severity SEV2 -i "$dir" --as alice 2>&1) || { fail "$out"; return 1; }
	expect_eq declare "$out" "declared SEV2: Chat answers ungrounded" || return 1
	"$CMDR" role commander -i "$dir" --as alice >/dev/null &&
	"$CMDR" role scribe carol -i "$dir" --as alice >/dev/null &&
	"$CMDR" severity SEV1 -i "$dir" --as bob >/dev/null &&
	"$CMDR" note the canary d-1428 looks bad on multi_hop -i "$dir" --as carol >/dev/null &&
	"$CMDR" update "Rolled back to d-1427; watching" -i "$dir" --as alice >/dev/null || { fail "an action failed"; return 1; }
	expect_eq journal "$(jq -c '[.actor.as, .action, .target, .outcome, .params]' "$dir/journal.jsonl")" \
'["alice","declare","incident","declared",{"title":"Chat answers ungrounded","severity":"SEV2"}]
["alice","role","role:commander","assigned",{"role":"commander","person":"alice"}]
["alice","role","role:scribe","assigned",{"role":"scribe","person":"carol"}]
["bob","severity","incident","set",{"severity":"SEV1","from":"SEV2"}]
["carol","note","incident","noted",{"text":"the canary d-1428 looks bad on multi_hop"}]
["alice","update","incident","posted",{"text":"Rolled back to d-1427; watching"}]' || return 1
	"$CMDR" status --json -i "$dir" >"$WORK/status.json" || { fail "status failed"; return 1; }
	expect_eq status "$(jq -c '.incident | [.declared, .title, .severity, .declared_by, .roles, .update.state, .update.posted, .notes]' "$WORK/status.json")" \
		'[true,"Chat answers ungrounded","SEV1","alice",{"commander":"alice","deputy":null,"scribe":"carol","comms":null},"ok",1,1]' &&
	jq_is "update due 30 minutes after it was posted" '(.incident.update.due_at | sub("\\.[0-9]+Z$"; "Z") | fromdate) - (.incident.update.last_at | sub("\\.[0-9]+Z$"; "Z") | fromdate)' 1800 &&
	"$CMDR" audit verify -i "$dir" >/dev/null
}
ok "declare, roles, severity, a note and an update are journaled; status says the same" declare_and_work

refusals() {
	dir=$(newdir)
	"$CMDR" update "too early" -i "$dir" 2>"$WORK/err"
	[ $? -eq 1 ] || { fail "update before the declaration was not refused"; return 1; }
	expect_eq early "$(cat "$WORK/err")" "cmdr update: update refused: no incident is declared here yet" || return 1
	"$CMDR" declare "t" --severity SEV1 -i "$dir" >/dev/null || return 1
	"$CMDR" declare "again" --severity SEV0 -i "$dir" 2>"$WORK/err"
	expect_eq twice "$(cat "$WORK/err")" "cmdr declare: declare refused: already declared: SEV1 t" || return 1
	"$CMDR" severity SEV3 -i "$dir" 2>"$WORK/err"
	expect_eq lower "$(cat "$WORK/err")" \
		"cmdr severity: severity refused: lowering the severity needs a reason (when unsure, keep the higher)" || return 1
	"$CMDR" severity SEV3 --reason "only internal users affected" -i "$dir" >/dev/null || { fail "lowering with a reason"; return 1; }
	"$CMDR" note "x" -i "$dir" --role observer 2>"$WORK/err"
	expect_eq observer "$(cat "$WORK/err")" "cmdr note: note refused: observers cannot change anything (--role observer)" || return 1
	"$CMDR" resolve -i "$dir" 2>"$WORK/err"
	[ $? -eq 2 ] || { fail "resolve without a reason is not a usage error"; return 1; }
	"$CMDR" resolve --reason "groundedness back to 3.1" -i "$dir" >/dev/null || return 1
	"$CMDR" note "after the end" -i "$dir" >/dev/null || { fail "a note after the resolution was refused"; return 1; }
	"$CMDR" update "after the end" -i "$dir" 2>"$WORK/err"
	expect_eq resolved "$(cat "$WORK/err")" "cmdr update: update refused: the incident is resolved" || return 1
	expect_eq outcomes "$(jq -r '[.action, .outcome] | join(" ")' "$dir/journal.jsonl" | tr '\n' ',')" \
		"update refused,declare declared,declare refused,severity refused,severity set,note refused,resolve resolved,note noted,update refused," &&
	"$CMDR" status --json -i "$dir" | jq -e '.incident | .severity == "SEV3" and .resolution == "groundedness back to 3.1" and .update.state == "none"' >/dev/null ||
		fail "status after the resolution"
}
ok "refused: an update before the declaration, a second declaration, lowering without a reason, an observer; each journaled" refusals

usage() {
	dir=$(newdir)
	"$CMDR" declare "no severity" -i "$dir" 2>"$WORK/err"
	[ $? -eq 2 ] && grep -q "when unsure, the higher" "$WORK/err" || { fail "$(cat "$WORK/err")"; return 1; }
	"$CMDR" declare "t" --severity SEV7 -i "$dir" 2>/dev/null
	[ $? -eq 2 ] || { fail "SEV7 accepted"; return 1; }
	"$CMDR" role king -i "$dir" 2>/dev/null
	[ $? -eq 2 ] || { fail "role king accepted"; return 1; }
	"$CMDR" timecheck on 10s -i "$dir" 2>/dev/null
	[ $? -eq 2 ] || { fail "a 10 s time check accepted"; return 1; }
	[ ! -s "$dir/journal.jsonl" ] || fail "a usage error was journaled"
}
ok "usage errors (no severity, SEV7, an unknown role, a 10 s time check) journal nothing" usage

timecheck() {
	dir=$(newdir)
	"$CMDR" declare "t" --severity SEV1 -i "$dir" >/dev/null &&
	"$CMDR" timecheck on 15m -i "$dir" >/dev/null || return 1
	expect_eq journal "$(jq -c 'select(.action == "timecheck") | [.outcome, .params.every]' "$dir/journal.jsonl")" '["on","900s"]' &&
	"$CMDR" status --json -i "$dir" | jq -e '.incident.timecheck == {"on": true, "every_s": 900}' >/dev/null || { fail "status"; return 1; }
	"$CMDR" timecheck off -i "$dir" >/dev/null &&
	"$CMDR" status --json -i "$dir" | jq -e '.incident.timecheck == {"on": false}' >/dev/null || fail "off"
}
ok "time checks are switched on with an interval and off, for every console" timecheck

ok "its journals, opened from a checkpoint at any line, give what the whole replay gives" checkpoint_alike

ok "no sanitizer reports" sanitizer_clean
