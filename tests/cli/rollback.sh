#!/bin/sh
# cmdr rollback from a shell: held to the same role checks as the console,
# and every refused attempt is in the journal.
. "$(dirname "$0")/../lib.sh"

observer_refused_and_journaled() {
	dir=$(newdir)
	"$CMDR" rollback support-assistant-prod --reason "looks bad" --yes --role observer -i "$dir" 2>"$WORK/err"
	[ $? -eq 1 ] || { fail "exit status not 1"; return 1; }
	expect_eq stderr "$(cat "$WORK/err")" "cmdr rollback: rollback refused: observers cannot change anything (--role observer)" &&
	expect_eq journal "$(jq -c '[.action, .role, .target, .reason, .outcome, .detail]' "$dir/journal.jsonl")" \
		'["rollback","observer","support-assistant-prod","looks bad","refused","observers cannot change anything (--role observer)"]'
}
ok "an observer's cmdr rollback is refused, and the refusal is journaled" observer_refused_and_journaled

config_observer_refused() {
	dir=$(newdir)
	echo '{"roles": {"*": "observer"}}' >"$WORK/observers.json"
	"$CMDR" rollback support-assistant-prod --reason "x" --yes -c "$WORK/observers.json" -i "$dir" 2>"$WORK/err"
	[ $? -eq 1 ] && grep -q "observers cannot change anything" "$WORK/err" || { fail "$(cat "$WORK/err")"; return 1; }
	expect_eq role "$(jq -r .role "$dir/journal.jsonl")" observer
}
ok "a user the config maps to observer cannot roll back from the shell" config_observer_refused

readonly_refused() {
	dir=$(newdir)
	"$CMDR" rollback support-assistant-prod --reason "x" --yes --readonly -i "$dir" 2>"$WORK/err"
	[ $? -eq 1 ] && grep -q "read-only" "$WORK/err" || fail "$(cat "$WORK/err")"
}
ok "a --readonly cmdr rollback is refused" readonly_refused

usage_errors() {
	"$CMDR" rollback support-assistant-prod --yes -i "$(newdir)" 2>"$WORK/err"
	[ $? -eq 2 ] && grep -q "a reason is required" "$WORK/err" || { fail "$(cat "$WORK/err")"; return 1; }
	"$CMDR" rollback support-assistant-prod --reason x -i "$(newdir)" </dev/null 2>"$WORK/err"
	[ $? -eq 2 ] && grep -q "add --yes" "$WORK/err" || { fail "$(cat "$WORK/err")"; return 1; }
	"$CMDR" rollback --reason x --yes -i "$(newdir)" 2>"$WORK/err"
	[ $? -eq 2 ] || fail "no endpoint accepted"
}
ok "cmdr rollback: no reason, no confirmation, no endpoint are usage errors" usage_errors

ok "no sanitizer reports" sanitizer_clean
