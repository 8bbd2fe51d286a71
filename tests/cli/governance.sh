#!/bin/sh
# Governance that a user cannot step around (issue 14): the rules are the
# ones pinned in the journal, not whichever config the caller passes; every
# traffic change passes the two-person rule; a held request is carried out
# by the process that asked, or expires, or is withdrawn, on the record; an
# outcome the journal could not take is reported as a failure; an intent
# whose process died is shown in doubt until a console reads the target and
# journals what it serves. A command target (scripts this test writes)
# stands in for the endpoint.
. "$(dirname "$0")/../lib.sh"

ME=$(id -un)
STATE="$WORK/state"
cat >"$WORK/apply.sh" <<EOF
#!/bin/sh
split=
for a in "\$@"; do case \$a in *=[0-9]*) split="\$split \$a" ;; esac; done
echo "\$split" >"$STATE"
echo "traffic set"
EOF
cat >"$WORK/read.sh" <<EOF
#!/bin/sh
cat "$STATE"
EOF
# Moves part of the traffic, then hangs: the process that ran it is killed.
cat >"$WORK/half.sh" <<EOF
#!/bin/sh
echo "d-1427=91 d-1428=9" >"$STATE"
echo \$\$ >"$WORK/half.pid"
sleep 60
EOF
# Applies, then fills the journal's file system (notes through cmdr itself,
# so that even the journal file's last block is used up) before the
# outcome is written.
cat >"$WORK/fill.sh" <<EOF
#!/bin/sh
split=
for a in "\$@"; do case \$a in *=[0-9]*) split="\$split \$a" ;; esac; done
echo "\$split" >"$STATE"
dd if=/dev/zero of="$WORK/mnt/filler" bs=1k count=1000 2>/dev/null
n=0
while [ \$n -lt 200 ] && "$CMDR" note "padding the last block of the journal" -c "$WORK/base.json" -i "$WORK/mnt/inc" \
	>/dev/null 2>&1; do n=\$((n + 1)); done
# Space returns a second after this, when the test says so; else whatever
# the file system frees in the next 8 s is taken at once.
if [ -e "$WORK/space-returns" ]; then
	(sleep 1; rm -f "$WORK/mnt/filler") >/dev/null 2>&1 &
else (
	i=0
	while [ \$i -lt 400 ]; do
		dd if=/dev/zero of="$WORK/mnt/grab.\$i" bs=4k count=1 2>/dev/null
		i=\$((i + 1))
		sleep 0.02
	done
) >/dev/null 2>&1 &
fi
echo "traffic set"
EOF
chmod +x "$WORK"/*.sh

# cfg NAME EXTRA-JSON [APPLY]: a config with the chat endpoint behind the
# command target, plus EXTRA (roles, governance) merged in.
cfg() {
	apply=${3:-$WORK/apply.sh}
	jq -n --argjson extra "$2" --arg apply "$apply" --arg read "$WORK/read.sh" \
		'{endpoints: [{name: "chat", target: {type: "command", timeout: "30s",
		   apply: [$apply, "{endpoint}", "{traffic}"], read: [$read, "{endpoint}"]}}]} + $extra' \
		>"$WORK/$1.json"
	echo "$WORK/$1.json"
}
OFFICIAL=$(cfg official "{\"shared_accounts\": [\"$ME\"], \"roles\": {\"alice\": \"commander\", \"bob\": \"deputy\", \"*\": \"observer\"}}")
NOGOV=$(cfg nogov '{}')
cfg base '{}' >/dev/null

rollback_as() { # DIR WHO CONFIG-ARGS...: a rollback to d-1427
	_dir=$1 _who=$2; shift 2
	"$CMDR" rollback chat --to d-1427 --reason "canary fails" --yes --as "$_who" -i "$_dir" "$@" \
		>"$WORK/out" 2>"$WORK/err"
}

config_swap_refused() {
	echo "d-1427=10 d-1428=90" >"$STATE"
	dir=$(newdir)
	"$CMDR" declare "chat refusals" --severity SEV2 --as alice -c "$OFFICIAL" -i "$dir" >/dev/null ||
		{ fail "declare"; return 1; }
	# mallory is an observer by the pinned rules: her own config, $CMDR_CONFIG
	# and a ./cmdr.json of hers change nothing.
	rollback_as "$dir" mallory -c "$NOGOV"
	expect_eq "exit, -c" $? 1 || return 1
	grep -q "observers cannot change anything" "$WORK/err" || { fail "stderr: $(cat "$WORK/err")"; return 1; }
	CMDR_CONFIG="$NOGOV" rollback_as "$dir" mallory
	expect_eq "exit, CMDR_CONFIG" $? 1 || return 1
	mkdir -p "$WORK/home" && cp "$NOGOV" "$WORK/home/cmdr.json"
	(cd "$WORK/home" && CMDR_CONFIG= rollback_as "$dir" mallory)
	expect_eq "exit, ./cmdr.json" $? 1 || return 1
	rollback_as "$dir" mallory --role commander -c "$NOGOV"
	expect_eq "exit, --role commander" $? 1 || return 1
	grep -q "asks for more than $OFFICIAL gives mallory" "$WORK/err" || { fail "stderr: $(cat "$WORK/err")"; return 1; }
	expect_eq traffic "$(cat "$STATE")" "d-1427=10 d-1428=90" &&
	expect_eq roles "$(jq -c '[.action, .actor.as, .role, .outcome]' "$dir/journal.jsonl" | tr '\n' ' ')" \
		'["declare","alice","commander","declared"] ["rollback","mallory","observer","refused"] ["rollback","mallory","observer","refused"] ["rollback","mallory","observer","refused"] ' &&
	expect_eq pinned "$(jq -s -c '[.[0].policy_pinned.source, ([.[].policy] | unique | length), (.[1:] | map(.policy_pinned) | unique)]' "$dir/journal.jsonl")" \
		"[\"$OFFICIAL\",1,[null]]" &&
	"$CMDR" audit verify -i "$dir" >/dev/null
}
ok "roles come from the rules pinned with the incident: another -c, \$CMDR_CONFIG or ./cmdr.json changes nothing" \
	config_swap_refused

system_config_pins() {
	dir=$(newdir)
	# The site's rules win over the caller's for a new incident.
	CMDR_SYSTEM_CONFIG="$OFFICIAL" "$CMDR" note "who is on call?" --as mallory -c "$NOGOV" -i "$dir" 2>"$WORK/err"
	expect_eq exit $? 1 &&
	expect_eq pinned "$(jq -c '[.policy_pinned.source, .role, .outcome]' "$dir/journal.jsonl")" \
		"[\"$OFFICIAL\",\"observer\",\"refused\"]"
}
ok "with a system config, a new incident pins its rules, whatever -c says" system_config_pins

system_config_writable_refused() {
	cp "$OFFICIAL" "$WORK/sys.json"
	chmod 666 "$WORK/sys.json"
	dir=$(newdir)
	CMDR_SYSTEM_CONFIG="$WORK/sys.json" "$CMDR" note "hello" --as alice -c "$NOGOV" -i "$dir" 2>"$WORK/err"
	expect_eq exit $? 1 &&
	expect_eq stderr "$(cat "$WORK/err")" \
		"cmdr note: $WORK/sys.json: the system config is writable by group or others (mode 0666, owner uid $(id -u)): anyone who can change it changes every incident's rules; chown root and chmod go-w it" &&
	{ [ ! -s "$dir/journal.jsonl" ] || fail "journaled under rules anyone could write"; }
}
ok "a system config that group or others may write is refused" system_config_writable_refused

repin_is_commanders() {
	echo "d-1427=10 d-1428=90" >"$STATE"
	dir=$(newdir)
	"$CMDR" declare "chat refusals" --severity SEV2 --as alice -c "$OFFICIAL" -i "$dir" >/dev/null || return 1
	"$CMDR" policy pin --reason "open it up" --as bob -c "$NOGOV" -i "$dir" 2>"$WORK/err"
	expect_eq "exit, deputy" $? 1 || return 1
	expect_eq stderr "$(cat "$WORK/err")" \
		"cmdr policy: policy refused: only the commander pins the incident's policy (you act as deputy)" || return 1
	"$CMDR" policy show --json -c "$NOGOV" -i "$dir" >"$WORK/status.json" || return 1
	jq_is "show" '[.pinned_at, .source, .candidate.same] | tostring' "[1,\"$OFFICIAL\",false]" || return 1
	"$CMDR" policy pin --reason "everyone acts tonight" --as alice -c "$NOGOV" -i "$dir" >/dev/null || return 1
	rollback_as "$dir" mallory -c "$NOGOV" || { fail "after the re-pin: $(cat "$WORK/err")"; return 1; }
	expect_eq journal "$(jq -c '[.action, .outcome, .policy_pinned.source]' "$dir/journal.jsonl" | tr '\n' ' ')" \
		"[\"declare\",\"declared\",\"$OFFICIAL\"] [\"policy\",\"refused\",null] [\"policy\",\"pinned\",\"$NOGOV\"] [\"rollback\",\"intent\",null] [\"rollback\",\"verified\",null] " &&
	expect_eq "new rules on later lines" "$(jq -s -c '.[2].policy == .[3].policy and .[0].policy != .[3].policy' "$dir/journal.jsonl")" true
}
ok "pinning the rules anew is the commander's journaled action; later lines carry the new rules" repin_is_commanders

TWO=$(cfg two "{\"shared_accounts\": [\"$ME\"], \"governance\": {\"two_person\": true, \"approval_timeout\": \"3s\"}}")

weight_held_then_withdrawn() {
	echo "d-1427=90 d-1428=10" >"$STATE"
	dir=$(newdir)
	"$CMDR" weight chat d-1427=100 d-1428=0 --reason "ramp back" --yes --as alice -c "$TWO" -i "$dir" \
		>"$WORK/out" 2>"$WORK/err" &
	pid=$!
	journal_wait "$dir" 'map(select(.action == "set_weight" and .outcome == "pending")) | length == 1' || return 1
	expect_eq "traffic while held" "$(cat "$STATE")" "d-1427=90 d-1428=10" || return 1
	kill -INT $pid
	wait $pid
	expect_eq exit $? 1 &&
	expect_eq journal "$(jq -c '[.action, .outcome, .params.request]' "$dir/journal.jsonl" | tr '\n' ' ')" \
		'["set_weight","pending",null] ["set_weight","withdrawn",1] ' &&
	expect_eq "postmortem changes" "$("$CMDR" export postmortem --format json -i "$dir" | jq -c '[.changes[] | [.action, .outcome, .reason]]')" '[["set_weight","withdrawn","ramp back"]]' &&
	grep -q "was withdrawn; nothing was changed" "$WORK/err" || fail "stderr: $(cat "$WORK/err")"
}
ok "cmdr weight waits for a second person like a rollback; Ctrl-C withdraws it on the record" weight_held_then_withdrawn

held_cli_expires() {
	echo "d-1427=90 d-1428=10" >"$STATE"
	dir=$(newdir)
	rollback_as "$dir" alice -c "$TWO"
	expect_eq exit $? 1 &&
	grep -q "expired: nobody approved it in time; nothing was changed" "$WORK/err" &&
	expect_eq journal "$(jq -c '[.action, .outcome]' "$dir/journal.jsonl" | tr '\n' ' ')" \
		'["rollback","pending"] ["rollback","expired"] ' &&
	expect_eq traffic "$(cat "$STATE")" "d-1427=90 d-1428=10"
}
ok "a CLI request nobody approves expires on the record, and the CLI says so" held_cli_expires

killed_asker_expires() {
	echo "d-1427=90 d-1428=10" >"$STATE"
	dir=$(newdir)
	"$CMDR" rollback chat --reason "canary fails" --yes --as alice -c "$TWO" -i "$dir" >/dev/null 2>&1 &
	pid=$!
	journal_wait "$dir" 'map(select(.outcome == "pending")) | length == 1' || return 1
	kill -9 $pid
	wait $pid 2>/dev/null
	sleep 3.2
	# No line says so yet, but it is past its expiry: status tells the truth.
	"$CMDR" status --json -c "$TWO" -i "$dir" >"$WORK/status.json" 2>/dev/null
	jq_is state '.requests[0].state' expired || return 1
	# Any console that may act writes it down.
	term_start 100 30 "$CMDR" -c "$TWO" --as bob -i "$dir"
	journal_wait "$dir" 'map(select(.outcome == "expired")) | length == 1' 10 &&
	expect_eq "by" "$(jq -r 'select(.outcome == "expired") | .actor.as' "$dir/journal.jsonl")" bob
}
ok "a request whose asker was killed expires on the record, written by another console" killed_asker_expires

killed_between_intent_and_outcome() {
	echo "d-1427=90 d-1428=10" >"$STATE"
	half=$(cfg half '{}' "$WORK/half.sh")
	dir=$(newdir)
	"$CMDR" rollback chat --reason "canary fails" --yes --as alice -c "$half" -i "$dir" >/dev/null 2>&1 &
	pid=$!
	journal_wait "$dir" 'map(select(.outcome == "intent")) | length == 1' || return 1
	i=0; while [ ! -s "$WORK/half.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 $pid "$(cat "$WORK/half.pid")"
	wait $pid 2>/dev/null
	"$CMDR" status --json -c "$NOGOV" -i "$dir" >"$WORK/status.json" 2>/dev/null
	jq_is "in doubt" '.in_doubt[0].text | sub(" at [0-9:]+"; " at T") | sub("read [0-9]+s"; "read Ns")' \
		"in doubt: rollback of chat by alice at T, no outcome (asked for d-1427=100 d-1428=0); traffic now d-1427=91 d-1428=9 (read Ns ago)" || return 1
	"$CMDR" status -c "$NOGOV" -i "$dir" 2>/dev/null | grep -q "^in doubt: rollback of chat by alice" ||
		{ fail "the text status does not say it"; return 1; }
	# A read-only console shows it, and leaves it for one that may act...
	term_start 200 30 "$CMDR" -c "$NOGOV" --readonly -i "$dir"
	term_wait "IN DOUBT: rollback of chat by alice at" 10 &&
	term_wait "no outcome (asked for d-1427=100 d-1428=0); traffic now d-1427=91 d-1428=9 (read" 1 || return 1
	# ...which reads the target and journals what it serves.
	term_start 100 30 "$CMDR" -c "$NOGOV" --as bob -i "$dir"
	journal_wait "$dir" 'map(select(.outcome == "abandoned")) | length == 1' 10 || return 1
	expect_eq settled "$(jq -c 'select(.outcome == "abandoned") | [.intent, .traffic, .actor.as]' "$dir/journal.jsonl")" \
		'[1,"d-1427=91 d-1428=9","bob"]' &&
	expect_eq postmortem "$("$CMDR" export postmortem --format json -i "$dir" | jq -c '[.changes[] | [.outcome, .traffic]]')" \
		'[["abandoned","d-1427=91 d-1428=9"]]' &&
	"$CMDR" status --json -c "$NOGOV" -i "$dir" >"$WORK/status.json" 2>/dev/null &&
	jq_is "no doubt left" '.in_doubt | length' 0
}
ok "kill -9 between intent and outcome: in doubt in status, until a console reads the target and journals it" \
	killed_between_intent_and_outcome

# fill_run: a rollback through fill.sh on a small tmpfs; sets rc, lines
# (the journal without its notes), err and out. 1 when no tmpfs can be
# mounted here.
fill_run() {
	mkdir -p "$WORK/mnt"
	mount -t tmpfs -o size=256k tmpfs "$WORK/mnt" 2>/dev/null || return 1
	echo "d-1427=90 d-1428=10" >"$STATE"
	fill=$(cfg fill '{}' "$WORK/fill.sh")
	"$CMDR" note "start" -c "$fill" -i "$WORK/mnt/inc" >/dev/null
	rollback_as "$WORK/mnt/inc" alice -c "$fill"
	rc=$?
	lines=$(jq -c '[.action, .outcome]' "$WORK/mnt/inc/journal.jsonl" | grep -v '"note"' | tr '\n' ' ')
	"$CMDR" status --json -c "$fill" -i "$WORK/mnt/inc" >"$WORK/status.json" 2>/dev/null
	err=$(cat "$WORK/err")
	out=$(cat "$WORK/out")
	sleep 8.5
	umount "$WORK/mnt"
	return 0
}

lost_outcome_reported() {
	rm -f "$WORK/space-returns"
	if ! fill_run; then
		echo "ok - the outcome of a change on a full disk # SKIP cannot mount a tmpfs here"
		return 0
	fi
	expect_eq exit $rc 3 &&
	expect_eq stdout "$out" "" &&
	expect_eq journal "$lines" '["rollback","intent"] ' &&
	jq_is "in doubt" '.in_doubt[0] | [.seq, .action, .by] | tostring' '[2,"rollback","alice"]' &&
	case $err in
	*"rollback chat verified, but its outcome could not be journaled: "*"No space left on device; the journal ends at its intent (seq 2)")
		;;
	*) fail "stderr: $err" ;;
	esac
}
ok "a change whose outcome the journal cannot take (disk full) is a failure: exit 3, said on stderr, in doubt" \
	lost_outcome_reported

late_outcome_recorded() {
	: >"$WORK/space-returns"
	if ! fill_run; then
		echo "ok - the outcome of a change on a full disk # SKIP cannot mount a tmpfs here"
		return 0
	fi
	rm -f "$WORK/space-returns"
	expect_eq exit $rc 0 &&
	expect_eq journal "$lines" '["rollback","intent"] ["rollback","verified"] ' &&
	case $out in
	"journal: the outcome of rollback chat is recorded now (seq "*"), late") ;;
	*) fail "stdout: $out" ;;
	esac
}
ok "an outcome the journal refused is recorded once space returns" late_outcome_recorded

policy_lines_name_the_console() {
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless --as alice -i "$dir" >/dev/null 2>&1
	expect_eq console "$(jq -r 'select(.actor.user == "policy" and .action == "rollback") | .actor.console | sub("pid [0-9]+"; "pid N") | sub(" on [^,]+,"; " on HOST,")' "$dir/journal.jsonl" | sort -u)" \
		"alice (user $ME) on HOST, pid N"
}
ok "the canary policy's lines name the console it ran in" policy_lines_name_the_console

ok "its journals, opened from a checkpoint at any line, give what the whole replay gives" checkpoint_alike

ok "no sanitizer reports" sanitizer_clean
