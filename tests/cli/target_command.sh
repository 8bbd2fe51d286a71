#!/bin/sh
# The command target: `cmdr rollback` runs the config's apply and read
# commands (scripts this test writes), without a shell. The exact argv,
# the journal's outcome for a command that succeeds, fails, hangs or
# prints a secret, no read command, and a read that prints garbage.
. "$(dirname "$0")/../lib.sh"

# The endpoint's traffic, as the read script prints it; apply writes it.
STATE="$WORK/state"

# apply: records its argv (one [arg] a line), sets the state from the
# name=percent arguments, says so on stdout.
cat >"$WORK/apply.sh" <<EOF
#!/bin/sh
: >"$WORK/argv"
split=
for a in "\$@"; do
	printf '[%s]\n' "\$a" >>"$WORK/argv"
	case \$a in *=[0-9]*) split="\$split \$a" ;; esac
done
echo "\$split" >"$STATE"
echo "traffic set for \$2"
EOF
cat >"$WORK/read.sh" <<EOF
#!/bin/sh
cat "$STATE"
EOF
cat >"$WORK/fail.sh" <<'EOF'
#!/bin/sh
echo "checking deployment d-1427"
echo "ERROR: (ResourceNotReady) deployment d-1427 is not ready" >&2
echo "second line" >&2
exit 2
EOF
cat >"$WORK/hang.sh" <<EOF
#!/bin/sh
echo \$\$ >"$WORK/hang.pid"
echo "waiting for the control plane"
sleep 60.25
EOF
cat >"$WORK/secret.sh" <<'EOF'
#!/bin/sh
echo "curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl' failed"
echo "retry with password=hunter2" >&2
exit 1
EOF
cat >"$WORK/garbage.sh" <<'EOF'
#!/bin/sh
printf 'Usage: deploytool [--json] \033[31mENDPOINT\033[0m\n'
EOF
cat >"$WORK/az_show.sh" <<'EOF'
#!/bin/sh
# az ml online-endpoint show -n chat -o json, trimmed
cat <<'JSON'
{
  "auth_mode": "key",
  "mirror_traffic": {},
  "name": "chat",
  "provisioning_state": "Succeeded",
  "traffic": { "d-1427": 90, "d-1428": 10 }
}
JSON
EOF
chmod +x "$WORK"/*.sh

# config NAME APPLY-ARGV-JSON [READ-ARGV-JSON] [TIMEOUT]: $WORK/NAME.json
config() {
	read_key=
	[ -n "${3:-}" ] && read_key=", \"read\": $3"
	cat >"$WORK/$1.json" <<EOF
{
  "roles": {"*": "commander"},
  "endpoints": [
    {"name": "chat", "target": {"type": "command", "timeout": "${4:-10s}",
      "apply": $2$read_key}}
  ]
}
EOF
}

APPLY="[\"$WORK/apply.sh\", \"--endpoint\", \"{endpoint}\", \"--to={to}\", \"--traffic\", \"{traffic}\", \"rollback {endpoint} to {to}; echo \$HOME\"]"
READ="[\"$WORK/read.sh\", \"{endpoint}\"]"

# The journal's entries, each as [outcome, target, params, detail, traffic].
outcomes() {
	jq -c '[.outcome, .target, .params, .detail, .traffic]' "$1/journal.jsonl"
}

applies_and_verifies() {
	config ok "$APPLY" "$READ"
	echo "d-1427=10 d-1428=90" >"$STATE"
	dir=$(newdir)
	"$CMDR" rollback chat --to d-1427 --reason "canary d-1428 fails multi_hop" --yes -c "$WORK/ok.json" \
		-i "$dir" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ $rc -eq 0 ] || { fail "exit status $rc: $(cat "$WORK/out" "$WORK/err")"; return 1; }
	expect_eq stdout "$(cat "$WORK/out")" "rollback chat verified: d-1427=100 d-1428=0" &&
	expect_eq argv "$(cat "$WORK/argv")" "[--endpoint]
[chat]
[--to=d-1427]
[--traffic]
[d-1427=100]
[d-1428=0]
[rollback chat to d-1427; echo \$HOME]" &&
	expect_eq journal "$(outcomes "$dir")" \
'["intent","chat",{"to":"d-1427","from":"d-1427=10 d-1428=90","traffic":"d-1427=100 d-1428=0"},null,null]
["verified","chat",null,"stdout: traffic set for chat","d-1427=100 d-1428=0"]' &&
	expect_eq intent "$(jq -s -c '.[1].intent == .[0].seq and .[1].reason == "canary d-1428 fails multi_hop"' \
		"$dir/journal.jsonl")" true &&
	"$CMDR" audit verify "$dir/journal.jsonl" >/dev/null
}
ok "an apply command that succeeds: exact argv, no shell, intent then verified from the read command" \
	applies_and_verifies

# The last known-good, before any deployment held 100%, is the one with the
# most traffic: {to} is it, and the read command says what is served.
status_shows_traffic() {
	config ok "$APPLY" "$READ"
	echo "d-1427=90 d-1428=10" >"$STATE"
	dir=$(newdir)
	# cmdr status never creates an incident: a journal from a refused attempt.
	"$CMDR" rollback chat --to nope --reason x --yes -c "$WORK/ok.json" -i "$dir" >/dev/null 2>&1
	"$CMDR" status --json -c "$WORK/ok.json" -i "$dir" >"$WORK/status.json" 2>"$WORK/err" ||
		{ fail "status: $(cat "$WORK/err")"; return 1; }
	jq_is endpoints '[.endpoints[] | [.name, .target, .last_known_good, ([.deployments[] | [.name, .traffic]])]] | tostring' \
		'[["chat","command","d-1427",[["d-1427",90],["d-1428",10]]]]' &&
	jq_is error '.endpoints[0].data.error' null
}
ok "cmdr status --json shows the endpoint's traffic from the read command" status_shows_traffic

az_json_read() {
	config az "$APPLY" "[\"$WORK/az_show.sh\"]"
	dir=$(newdir)
	"$CMDR" rollback chat --to nope --reason x --yes -c "$WORK/az.json" -i "$dir" >/dev/null 2>&1
	"$CMDR" status --json -c "$WORK/az.json" -i "$dir" >"$WORK/status.json" 2>"$WORK/err" ||
		{ fail "status: $(cat "$WORK/err")"; return 1; }
	jq_is traffic '[.endpoints[0].deployments[] | "\(.name)=\(.traffic)"] | join(" ")' "d-1427=90 d-1428=10"
}
ok "a read command printing az ml online-endpoint show's JSON works unchanged" az_json_read

apply_fails() {
	config fail "[\"$WORK/fail.sh\", \"{traffic}\"]" "$READ"
	echo "d-1427=10 d-1428=90" >"$STATE"
	dir=$(newdir)
	"$CMDR" rollback chat --to d-1427 --reason x --yes -c "$WORK/fail.json" -i "$dir" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ $rc -eq 3 ] || { fail "exit status $rc, want 3: $(cat "$WORK/out" "$WORK/err")"; return 1; }
	grep -qF "apply command exited with status 2: ERROR: (ResourceNotReady) deployment d-1427 is not ready" \
		"$WORK/out" "$WORK/err" || { fail "no message: $(cat "$WORK/out" "$WORK/err")"; return 1; }
	expect_eq journal "$(outcomes "$dir" | tail -1)" \
'["failed","chat",null,"apply command exited with status 2: ERROR: (ResourceNotReady) deployment d-1427 is not ready; stdout: checking deployment d-1427\nstderr: ERROR: (ResourceNotReady) deployment d-1427 is not ready\nsecond line","d-1427=10 d-1428=90"]'
}
ok "an apply command that exits 2: exit 3, journal failed with its message and output, the traffic as it is" apply_fails

apply_hangs() {
	config hang "[\"$WORK/hang.sh\"]" "$READ" 1s
	echo "d-1427=10 d-1428=90" >"$STATE"
	dir=$(newdir)
	start=$(date +%s)
	"$CMDR" rollback chat --to d-1427 --reason x --yes -c "$WORK/hang.json" -i "$dir" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	took=$(( $(date +%s) - start ))
	[ $rc -eq 3 ] || { fail "exit status $rc, want 3: $(cat "$WORK/out" "$WORK/err")"; return 1; }
	[ $took -le 5 ] || { fail "took $took s with a 1 s timeout"; return 1; }
	grep -qF "apply command did not finish within 1 s; killed" "$WORK/err" ||
		{ fail "no message: $(cat "$WORK/out" "$WORK/err")"; return 1; }
	# The script and its sleep are gone, killed with their process group.
	[ -s "$WORK/hang.pid" ] && ! kill -0 "$(cat "$WORK/hang.pid")" 2>/dev/null ||
		{ fail "the apply script still runs"; return 1; }
	[ "$(ps -eo args | grep -c '^sleep 60[.]25')" -eq 0 ] || { fail "its sleep still runs"; return 1; }
	expect_eq journal "$(outcomes "$dir" | tail -1)" \
		'["failed","chat",null,"apply command did not finish within 1 s; killed; stdout: waiting for the control plane","d-1427=10 d-1428=90"]'
}
ok "an apply command that hangs is killed at the timeout with its children: journal failed, clear message" apply_hangs

secrets_redacted() {
	config secret "[\"$WORK/secret.sh\"]" "$READ"
	echo "d-1427=10 d-1428=90" >"$STATE"
	dir=$(newdir)
	"$CMDR" rollback chat --to d-1427 --reason x --yes -c "$WORK/secret.json" -i "$dir" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ $rc -eq 3 ] || { fail "exit status $rc, want 3"; return 1; }
	! grep -q 'eyJ\|hunter2' "$dir/journal.jsonl" "$WORK/out" "$WORK/err" ||
		{ fail "a secret leaked: $(grep -h 'eyJ\|hunter2' "$dir/journal.jsonl" "$WORK/out" "$WORK/err")"; return 1; }
	grep -qF "apply command exited with status 1: retry with password=[REDACTED]" "$WORK/err" ||
		{ fail "no redacted message: $(cat "$WORK/out" "$WORK/err")"; return 1; }
	expect_eq detail "$(jq -r 'select(.outcome == "failed") | .detail' "$dir/journal.jsonl")" \
"apply command exited with status 1: retry with password=[REDACTED]; stdout: curl -H 'Authorization: Bearer [REDACTED]' failed
stderr: retry with password=[REDACTED]"
}
ok "a command that prints secrets: the journal's detail and cmdr's output hold them redacted" secrets_redacted

no_read_unverified() {
	config noread "$APPLY"
	echo "d-1427=10 d-1428=90" >"$STATE"
	dir=$(newdir)
	"$CMDR" rollback chat --reason x --yes -c "$WORK/noread.json" -i "$dir" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ $rc -eq 1 ] && grep -qF "chat has no last known-good deployment; name one with --to" "$WORK/err" ||
		{ fail "without --to: exit $rc: $(cat "$WORK/out" "$WORK/err")"; return 1; }
	"$CMDR" rollback chat --to d-1427 --reason x --yes -c "$WORK/noread.json" -i "$dir" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ $rc -eq 3 ] || { fail "exit status $rc, want 3: $(cat "$WORK/out" "$WORK/err")"; return 1; }
	expect_eq argv "$(sed -n 5p "$WORK/argv")" "[d-1427=100]" &&
	expect_eq stderr "$(cat "$WORK/err")" \
		"cmdr rollback: rollback chat NOT verified: the target says it is applied, but it has no read command to verify with; check the traffic by other means" &&
	expect_eq journal "$(outcomes "$dir" | tail -2)" \
'["intent","chat",{"to":"d-1427","from":"","traffic":"d-1427=100"},null,null]
["unverified","chat",null,"the target says it is applied, but it has no read command to verify with; check the traffic by other means; stdout: traffic set for chat",null]'
}
ok "no read command: --to is needed, and the change ends unverified, saying there is nothing to verify with" \
	no_read_unverified

no_read_fails() {
	config noreadfail "[\"$WORK/fail.sh\"]"
	dir=$(newdir)
	"$CMDR" rollback chat --to d-1427 --reason x --yes -c "$WORK/noreadfail.json" -i "$dir" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ $rc -eq 3 ] || { fail "exit status $rc, want 3: $(cat "$WORK/out" "$WORK/err")"; return 1; }
	expect_eq stderr "$(cat "$WORK/err")" \
		"cmdr rollback: rollback of chat failed: apply command exited with status 2: ERROR: (ResourceNotReady) deployment d-1427 is not ready; traffic unknown (cannot read it back: the target has no read command)" &&
	expect_eq journal "$(jq -c '[.outcome, has("traffic")]' "$dir/journal.jsonl" | tail -1)" '["failed",false]'
}
ok "no read command and a failing apply: failed, the traffic unknown rather than empty" no_read_fails

read_garbage() {
	config garbage "$APPLY" "[\"$WORK/garbage.sh\"]"
	dir=$(newdir)
	rm -f "$WORK/argv"
	"$CMDR" rollback chat --to d-1427 --reason x --yes -c "$WORK/garbage.json" -i "$dir" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ $rc -eq 3 ] || { fail "exit status $rc, want 3"; return 1; }
	expect_eq "stderr, said once" "$(cat "$WORK/err")" \
		'cmdr rollback: rollback failed: cannot read the current split of chat: read command printed "Usage: deploytool [--json] ?[31mENDPOINT?[0m" (expected name=percent pairs or a JSON object of name to percent); nothing was changed' &&
	{ [ ! -e "$WORK/argv" ] || fail "the apply command ran"; } &&
	expect_eq journal "$(jq -c '[.outcome, .detail]' "$dir/journal.jsonl")" \
		'["failed","cannot read the current split of chat: read command printed \"Usage: deploytool [--json] ?[31mENDPOINT?[0m\" (expected name=percent pairs or a JSON object of name to percent)"]'
}
ok "a read command that prints garbage: a clear, sanitised message, nothing applied" read_garbage

config_problems() {
	config bad "[\"kubectl\", \"--ep={endpiont}\", \"--traffic={traffic}\"]" "[\"kubectl\", \"get\", \"{to}\"]"
	"$CMDR" config check "$WORK/bad.json" >"$WORK/out" 2>&1
	rc=$?
	[ $rc -eq 1 ] || { fail "exit status $rc, want 1"; return 1; }
	expect_eq problems "$(sed "s|$WORK/||" "$WORK/out")" \
"bad.json: \$.endpoints[0].target.apply[1]: unknown placeholder {endpiont} (an apply command knows {endpoint}, {to} and {traffic})
bad.json: \$.endpoints[0].target.apply[2]: {traffic} must be an argument on its own (it becomes one name=percent argument per deployment)
bad.json: \$.endpoints[0].target.read[2]: unknown placeholder {to} (a read command knows {endpoint})"
}
ok "cmdr config check: an unknown placeholder, and {traffic} inside an argument, at the argument" config_problems

# The commands get the environment less cmdr's secrets: the variables the
# config names as secret sources (here the PagerDuty routing key and a
# source's token), unless the target's own "env" names them.
secret_env_withheld() {
	cat >"$WORK/envdump.sh" <<EOF
#!/bin/sh
env | grep '^CMDR_T_' | sort >"$WORK/child.env"
echo "d-1427=100 d-1428=0" >"$STATE"
EOF
	chmod +x "$WORK/envdump.sh"
	cat >"$WORK/env.json" <<EOF
{
  "roles": {"*": "commander"},
  "notify": {"pagerduty": {"routing_key_env": "CMDR_T_PD_KEY", "url": "http://127.0.0.1:9"}},
  "sources": {"prom": {"type": "prometheus", "url": "http://127.0.0.1:9",
                       "auth": {"type": "bearer", "token_env": "CMDR_T_KUBE_TOKEN"}}},
  "endpoints": [
    {"name": "chat", "target": {"type": "command", "apply": ["$WORK/envdump.sh", "{traffic}"],
      "read": ["$WORK/read.sh"], "env": ["CMDR_T_KUBE_TOKEN"]}}
  ]
}
EOF
	echo "d-1427=10 d-1428=90" >"$STATE"
	dir=$(newdir)
	CMDR_T_PD_KEY=R0UTINGKEY0123456789abcdef012345 CMDR_T_KUBE_TOKEN=kube-token-value CMDR_T_PLAIN=plain \
		"$CMDR" rollback chat --to d-1427 --reason x --yes -c "$WORK/env.json" -i "$dir" >"$WORK/out" 2>"$WORK/err"
	expect_eq "the child's CMDR_T_ variables" "$(cat "$WORK/child.env" 2>&1)" "CMDR_T_KUBE_TOKEN=kube-token-value
CMDR_T_PLAIN=plain" || fail "stderr: $(cat "$WORK/err")"
}
ok "a command target's commands never get the secrets' variables (routing_key_env, token_env) unless its env names them" \
	secret_env_withheld

ok "no sanitizer reports" sanitizer_clean
