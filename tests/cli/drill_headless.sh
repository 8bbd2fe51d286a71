#!/bin/sh
# The headless drill: same engines, no screen, as fast as the machine goes.
. "$(dirname "$0")/../lib.sh"

friday_ends_rolled_back() {
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless --until 17:15:00 -i "$dir" >"$WORK/s.json" || return 1
	expect_eq clock "$(jq -r .clock "$WORK/s.json")" "2024-09-13T17:15:00.000Z" &&
	expect_eq mode "$(jq -r .mode "$WORK/s.json")" drill &&
	expect_eq traffic "$(jq -r '.endpoints[0].deployments | map("\(.name)=\(.traffic)") | join(" ")' "$WORK/s.json")" \
		"d-1427=100 d-1428=0" &&
	expect_eq lkg "$(jq -r '.endpoints[0].deployments[] | select(.last_known_good) | .name' "$WORK/s.json")" d-1427 &&
	expect_eq verdict "$(jq -r '.canaries[0].verdict' "$WORK/s.json")" rollback &&
	expect_eq windows "$(jq -r '.canaries[0].windows | map("\(.class)/\(.metric)=\(.value)/\(.threshold)/n\(.n)/\(.verdict)") | join(" ")' "$WORK/s.json")" \
		"multi_hop/groundedness=2.78/2.85/n4/fail multi_hop/groundedness=2.71/2.85/n7/fail multi_hop/groundedness=2.66/2.85/n11/fail" &&
	expect_eq failures "$(jq -r '.canaries[0].consecutive_failures' "$WORK/s.json")" 3 &&
	expect_eq entries "$(jq -r '.journal.entries' "$WORK/s.json")" "$(wc -l <"$dir/journal.jsonl" | tr -d ' ')"
}
ok "friday-1714 ends with d-1427=100 d-1428=0 after the canary verdict" friday_ends_rolled_back

friday_journal_has_policy_rollback() {
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless --until 17:15:00 -i "$dir" >/dev/null || return 1
	expect_eq "rollback lines" \
		"$(jq -c 'select(.action == "rollback") | [.actor.user, .role, .time, .outcome, .target, (.params.traffic // .traffic)]' "$dir/journal.jsonl" | tr '\n' ' ')" \
		'["policy","policy","2024-09-13T17:14:03.000Z","intent","support-assistant-prod","d-1427=100 d-1428=0"] ["policy","policy","2024-09-13T17:14:06.000Z","verified","support-assistant-prod","d-1427=100 d-1428=0"] ' &&
	jq -e -s 'map(select(.action == "rollback" and .outcome == "intent"))[0].reason | test("multi_hop groundedness 2.66 < 2.85 \\(n=11\\), 3 consecutive")' \
		"$dir/journal.jsonl" >/dev/null || fail "the reason does not name the failing class and metric"
}
ok "friday-1714 journal: one rollback by policy at 17:14:03, verified at 17:14:06" friday_journal_has_policy_rollback

friday_before_verdict() {
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless --until 17:13:40 -i "$dir" >"$WORK/s.json" || return 1
	expect_eq traffic "$(jq -r '.endpoints[0].deployments | map("\(.name)=\(.traffic)") | join(" ")' "$WORK/s.json")" \
		"d-1427=90 d-1428=10" &&
	expect_eq verdict "$(jq -r '.canaries[0].verdict' "$WORK/s.json")" watching &&
	expect_eq failures "$(jq -r '.canaries[0].consecutive_failures' "$WORK/s.json")" 2 &&
	expect_eq actions "$(jq -r '.actions | length' "$WORK/s.json")" 0
}
ok "friday-1714 at 17:13:40: canary at 10%, 2 of 3 failed windows, no action yet" friday_before_verdict

drill_refuses_used_journal() {
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless --until 17:03:00 -i "$dir" >/dev/null || return 1
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless --until 17:03:00 -i "$dir" >/dev/null 2>"$WORK/err"
	rc=$?
	expect_eq "exit status" $rc 1 &&
	grep -q "fresh incident directory" "$WORK/err" || fail "stderr: $(cat "$WORK/err")"
}
ok "a drill refuses an incident directory whose journal is in use" drill_refuses_used_journal

# libcurl and the libraries it pulls in are loaded at the first request:
# a drill makes none (tests/cli/live_prom.sh checks that a live read does).
drill_loads_no_libcurl() {
	LD_DEBUG=files "$CMDR" drill "$DRILLS/friday-1714.json" --headless --until 17:15:00 -i "$(newdir)" \
		>/dev/null 2>"$WORK/ld.txt" || return 1
	grep -q "calling init" "$WORK/ld.txt" || { fail "LD_DEBUG reported nothing"; return 1; }
	if grep -q "libcurl" "$WORK/ld.txt"; then
		fail "the drill loaded libcurl: $(grep -m1 libcurl "$WORK/ld.txt")"
		return 1
	fi
}
ok "a headless drill never loads libcurl" drill_loads_no_libcurl

malformed_scenario_one_line() {
	printf '{"title": "x", "start": "2024-09-13T17:02:00Z", "endpoints": [{"name": 5}]}' >"$WORK/bad.json"
	"$CMDR" drill "$WORK/bad.json" --headless -i "$(newdir)" >/dev/null 2>"$WORK/err"
	rc=$?
	expect_eq "exit status" $rc 1 &&
	expect_eq "stderr lines" "$(wc -l <"$WORK/err" | tr -d ' ')" 1 &&
	grep -q "bad.json: \$.endpoints\[0\].name" "$WORK/err" || fail "stderr: $(cat "$WORK/err")"
}
ok "a malformed scenario is refused in one line naming the file and JSON path" malformed_scenario_one_line

syntax_error_line_col() {
	printf '{\n  "title": "x",\n  "start": \n}\n' >"$WORK/syntax.json"
	"$CMDR" drill "$WORK/syntax.json" --headless -i "$(newdir)" >/dev/null 2>"$WORK/err"
	[ $? -eq 1 ] && grep -q "syntax.json:4:1: JSON syntax error" "$WORK/err" || fail "stderr: $(cat "$WORK/err")"
}
ok "a scenario with a JSON syntax error names line and column" syntax_error_line_col

until_before_start_refused() {
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless --until 16:00:00 -i "$(newdir)" >/dev/null 2>"$WORK/err"
	[ $? -eq 2 ] && grep -q "before the scenario starts" "$WORK/err" || fail "stderr: $(cat "$WORK/err")"
}
ok "--until before the scenario's start is a usage error" until_before_start_refused

error_burst_pages_without_rollback() {
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/error-burst.json" --headless --until 14:12:00 -i "$dir" >"$WORK/s.json" || return 1
	expect_eq firing "$(jq -r '[.slos[].alerts[] | select(.firing) | "\(.severity) \(.long)/\(.short) \(.factor)"] | join(",")' "$WORK/s.json")" \
		"page 1h/5m 14.4" &&
	expect_eq actions "$(jq -r '.actions | length' "$WORK/s.json")" 0 &&
	expect_eq traffic "$(jq -r '.endpoints[0].deployments[0].traffic' "$WORK/s.json")" 100 &&
	"$CMDR" drill "$DRILLS/error-burst.json" --headless --until 14:25:00 -i "$(newdir)" >"$WORK/s.json" &&
	expect_eq "firing after the burst" "$(jq -r '[.slos[].alerts[] | select(.firing)] | length' "$WORK/s.json")" 0
}
ok "error-burst pages on the 1h/5m tier with no deploy in flight, and nothing is rolled back" \
	error_burst_pages_without_rollback

refusal_spike_failed_rollback() {
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/refusal-spike.json" --headless --until 10:07:00 -i "$dir" >"$WORK/s.json" || return 1
	expect_eq verdict "$(jq -r '.canaries[0].verdict' "$WORK/s.json")" rollback &&
	expect_eq outcome "$(jq -r '.actions[0].outcome' "$WORK/s.json")" failed &&
	expect_eq traffic "$(jq -r '.endpoints[0].deployments | map("\(.name)=\(.traffic)") | join(" ")' "$WORK/s.json")" \
		"d-2140=90 d-2203=10" &&
	expect_eq journal "$(jq -r 'select(.action == "rollback") | .outcome' "$dir/journal.jsonl" | tr '\n' ' ')" "intent failed " &&
	jq -e -s 'map(select(.outcome == "failed"))[0] | (.detail | test("Updating")) and .traffic == "d-2140=90 d-2203=10"' \
		"$dir/journal.jsonl" >/dev/null || fail "the failed outcome does not carry the target's error and the traffic"
}
ok "refusal-spike: the policy's rollback fails on the target, journaled with the error, traffic unchanged" \
	refusal_spike_failed_rollback

status_reads_the_journal() {
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless -i "$dir" >"$WORK/s.json" || return 1
	"$CMDR" status --json -i "$dir" >"$WORK/status.json" || return 1
	expect_eq head "$(jq -r .journal.head "$WORK/status.json")" "$(jq -r .journal.head "$WORK/s.json")" &&
	expect_eq entries "$(jq -r .journal.entries "$WORK/status.json")" 6 &&
	expect_eq head-by-hand "$(jq -r .journal.head "$WORK/status.json")" \
		"$(tail -n 1 "$dir/journal.jsonl" | tr -d '\n' | sha256sum | cut -d' ' -f1)"
}
ok "cmdr status --json reports the journal's entries and head hash" status_reads_the_journal

# A drill never touches a real system, whatever the config says: the
# friday-1714 policy rollback goes to the simulated target, not to the
# configured command (which would leave a mark).
drill_ignores_real_targets() {
	dir=$(newdir)
	cat >"$WORK/real.json" <<EOF
{ "endpoints": [ { "name": "support-assistant-prod",
    "target": { "type": "command", "apply": ["touch", "$WORK/touched"], "read": ["true"] } } ] }
EOF
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless -c "$WORK/real.json" -i "$dir" >"$WORK/s.json" || return 1
	expect_eq outcome "$(jq -r '.actions[0].outcome' "$WORK/s.json")" verified &&
	expect_eq "the command ran" "$(test -e "$WORK/touched" && echo yes || echo no)" no
}
ok "a drill's rollback goes to the simulated target, never the configured one" drill_ignores_real_targets

# A terminal cmdr cannot draw on is refused before anything is journaled,
# so the retry with a good TERM runs in the same directory.
unknown_term() {
	dir=$(newdir)
	TERM=xterm-nosuch "$CMDR" drill "$DRILLS/friday-1714.json" -i "$dir" >"$WORK/out" 2>"$WORK/err" </dev/null
	rc=$?
	expect_eq exit "$rc" 1 &&
	expect_eq stderr "$(cat "$WORK/err")" \
		"cmdr drill: TERM=xterm-nosuch: no such terminal type in the terminfo database (try TERM=xterm-256color); nothing was journaled" &&
	expect_eq "journal" "$(test -s "$dir/journal.jsonl" && echo written || echo none)" none || return 1
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless --until 17:05:00 -i "$dir" >/dev/null 2>"$WORK/err" ||
		{ fail "the retry: $(cat "$WORK/err")"; return 1; }
}
ok "an unknown TERM is refused before the drill journals its start; the retry runs" unknown_term

ok "its journals, opened from a checkpoint at any line, give what the whole replay gives" checkpoint_alike

ok "no sanitizer reports" sanitizer_clean
