#!/bin/sh
# The config file: cmdr config check, the lookup order, -c, and what a
# config does to a drill: shared accounts, mapped roles, the incident
# directory and redaction patterns.
. "$(dirname "$0")/../lib.sh"

# lib.sh names an empty config; these tests find their own.
unset CMDR_CONFIG
ME=$(id -un)
# How a message writes the path of $ME's key in "roles".
case $ME in
[A-Za-z_]*[!A-Za-z0-9_]*) ME_KEY="[\"$ME\"]" ;;
[A-Za-z_]*) ME_KEY=".$ME" ;;
*) ME_KEY="[\"$ME\"]" ;;
esac

# cfg NAME JSON: writes $WORK/NAME.json and prints its path.
cfg() {
	printf '%s\n' "$2" >"$WORK/$1.json"
	echo "$WORK/$1.json"
}

example_checks() {
	out=$("$CMDR" config check "$TOP/cmdr.example.json") || { fail "exit $?: $out"; return 1; }
	expect_eq output "$out" "$TOP/cmdr.example.json: ok" || return 1
	# It shows each kind of live section it is meant to.
	shows=$(jq -r '[
	  (.sources[] | select(.type == "prometheus" and .auth.type == "bearer" and .auth.token_file
	                       and .headers["X-Scope-OrgID"]) | "prometheus"),
	  (.sources[] | select(.type == "app_insights" and .auth.type == "client_credentials") | "app_insights"),
	  (.sources[] | select(.type == "alertmanager" and (.filter | length) > 0) | "alertmanager"),
	  (.slos[] | select(.error_query) | "slo error_query"), (.slos[] | select(.good_query) | "slo good_query"),
	  (.slos[] | select(.query) | "slo kql"),
	  (.canaries[] | select(.query and (.query | test("customMetrics"))
	                        and ([.thresholds[].metric] | index("groundedness") and index("citation_correctness")))
	   | "canary kql"),
	  (.endpoints[] | .target.type)
	] | unique | join(",")' "$TOP/cmdr.example.json") || return 1
	expect_eq "what the example shows" "$shows" \
		"alertmanager,app_insights,azureml,canary kql,haproxy,prometheus,slo error_query,slo good_query,slo kql"
}
ok "cmdr config check passes the annotated example, cmdr.example.json, which shows every live section" example_checks

check_lists_every_problem() {
	c=$(cfg bad '{
  "roles": {"alice": "boss"},
  "governance": {"two_persn": true, "approval_timeout": "ten"},
  "redact": [{"pattern": "cust-([0-9]+"}]
}')
	"$CMDR" config check "$c" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	expect_eq "exit status" $rc 1 || return 1
	expect_eq stderr "$(cat "$WORK/err")" "" || return 1
	cat >"$WORK/want" <<EOF
$c: \$.roles.alice: expected commander, deputy or observer, got "boss"
$c: \$.governance.two_persn: unknown key (expected one of: two_person, shared_account_approval, approval_timeout, emergency)
$c: \$.governance.approval_timeout: expected a duration like "10m" (a whole number and ms, s, m, h or d), got "ten"
$c: \$.redact[0].pattern: expected a PCRE2 pattern, got "cust-([0-9]+" (offset 12: missing closing parenthesis)
EOF
	cmp -s "$WORK/want" "$WORK/out" || { diff "$WORK/want" "$WORK/out" | sed 's/^/#   /'; return 1; }
}
ok "cmdr config check prints every problem as file: json.path: what, and exits 1" check_lists_every_problem

check_lists_every_live_problem() {
	c=$(cfg live '{
  "//": "one or two mistakes in each of the live sections",
  "sources": {
    "mimir": {"type": "prometheus", "url": "mimir:9009",
              "auth": {"type": "bearer", "token": "eyJhbGciOi"},
              "headers": {"Authorization": "Bearer eyJhbGciOi"}},
    "appi": {"type": "app_insights", "app": "a1", "refresh": "500ms"}
  },
  "slos": [{"name": "availability", "source": "mimir", "objective": 99.9,
            "total_query": "sum(rate(http_requests_total[5m]))", "error_query": "sum(errors[{{window}}])"}],
  "canaries": [{"endpoint": "assistant-prod", "source": "appi", "on_failure": "ignore",
                "thresholds": [{"class": "multi_hop", "metric": "groundedness", "min": 2.85}]}],
  "endpoints": [{"name": "assistant", "target": {"type": "azureml", "subscription": "s", "workspace": "w"}}]
}')
	"$CMDR" config check "$c" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	expect_eq "exit status" $rc 1 || return 1
	expect_eq stderr "$(cat "$WORK/err")" "" || return 1
	cat >"$WORK/want" <<EOF
$c: \$.sources.mimir.url: expected an http:// or https:// URL, got "mimir:9009"
$c: \$.sources.mimir.auth.token: secrets are never written in the config: give "token_file" (a file only you can read) or "token_env" (an environment variable)
$c: \$.sources.mimir.auth: bearer auth needs "token_file" or "token_env" (the token is read from that file or variable, never written here)
$c: \$.sources.mimir.headers.Authorization: credentials never go in headers: use "auth", which reads them from a file or an environment variable
$c: \$.sources.appi.refresh: expected a duration of at least 1s, got "500ms"
$c: \$.slos[0].objective: expected an objective between 0 and 1 (e.g. 0.999), got 99.9
$c: \$.slos[0].total_query: expected a PromQL query containing {{window}}, got "sum(rate(http_requests_total[5m]))"
$c: \$.canaries[0].on_failure: expected "rollback" or "page", got "ignore"
$c: \$.endpoints[0].target.resource_group: required key missing (expected a resource group's name)
$c: \$.canaries[0].endpoint: expected an endpoint named in \$.endpoints ("assistant"), got "assistant-prod"
$c: \$.canaries[0].query: required key missing (source "appi" is app_insights: a KQL query giving columns class, each metric and n)
EOF
	cmp -s "$WORK/want" "$WORK/out" || { diff "$WORK/want" "$WORK/out" | sed 's/^/#   /'; return 1; }
	# The secret written into the file is named, never repeated.
	! grep -q eyJhbGciOi "$WORK/out" || fail "a message repeats the token"
}
ok "cmdr config check lists every problem in sources, slos, canaries and endpoints, and exits 1" check_lists_every_live_problem

comments_anywhere() {
	c=$(cfg comments '{
  "//": "a comment", "//": "another, same key",
  "roles": {"//": "who is who", "alice": "commander"},
  "governance": {"//two_person": "off until the team is bigger"},
  "sources": {"//": "none yet"},
  "endpoints": [{"//": "the assistant", "name": "assistant-prod"}]
}')
	expect_eq output "$("$CMDR" config check "$c")" "$c: ok"
}
ok "keys beginning with // are comments at any level" comments_anywhere

check_syntax_error() {
	c=$(cfg syntax '{
  "roles": {"alice": "commander",}
}')
	out=$("$CMDR" config check "$c")
	rc=$?
	expect_eq "exit status" $rc 1 &&
	expect_eq output "$out" "$c:2:34: JSON syntax error near \"}\""
}
ok "a JSON syntax error names file:line:column" check_syntax_error

check_usage() {
	"$CMDR" config >/dev/null 2>"$WORK/err"
	expect_eq "cmdr config" $? 2 || return 1
	"$CMDR" config check a b >/dev/null 2>"$WORK/err"
	expect_eq "two files" $? 2 || return 1
	grep -q "cmdr config check \[FILE\]" "$WORK/err" || fail "stderr: $(cat "$WORK/err")"
	"$CMDR" config check "$WORK/none.json" >"$WORK/out" 2>/dev/null
	expect_eq "a missing FILE" $? 1 &&
	expect_eq output "$(cat "$WORK/out")" "$WORK/none.json: cannot read: No such file or directory"
}
ok "cmdr config: usage errors exit 2, a FILE that is not there 1" check_usage

# Runs cmdr config check with no FILE from directory $1.
check_in() {
	(cd "$1" && "$CMDR" config check)
}

lookup_order() {
	d=$(newdir)
	# Nothing anywhere: not an error for the console, but the check says so.
	out=$(check_in "$d" 2>&1)
	expect_eq "exit status" $? 1 &&
	expect_eq "none" "$out" "cmdr config check: no config file found (looked in ./cmdr.json and $XDG_CONFIG_HOME/cmdr/config.json)" || return 1
	mkdir -p "$XDG_CONFIG_HOME/cmdr" && echo '{}' >"$XDG_CONFIG_HOME/cmdr/config.json"
	expect_eq "XDG_CONFIG_HOME" "$(check_in "$d")" "$XDG_CONFIG_HOME/cmdr/config.json: ok" || return 1
	echo '{}' >"$d/cmdr.json"
	expect_eq "./cmdr.json" "$(check_in "$d")" "cmdr.json: ok" || return 1
	c=$(cfg env '{}')
	expect_eq "\$CMDR_CONFIG" "$(CMDR_CONFIG=$c check_in "$d")" "$c: ok" || return 1
	c2=$(cfg given '{}')
	expect_eq "-c" "$(cd "$d" && CMDR_CONFIG=$c "$CMDR" config check -c "$c2")" "$c2: ok" || return 1
	out=$(CMDR_CONFIG="$WORK/gone.json" check_in "$d" 2>&1)
	expect_eq "a \$CMDR_CONFIG that is not there" $? 1 &&
	expect_eq "its message" "$out" "cmdr config check: $WORK/gone.json: no such config file (named by \$CMDR_CONFIG; unset it to use ./cmdr.json or ~/.config/cmdr/config.json)"
	rm -rf "$XDG_CONFIG_HOME"
}
ok "lookup order: -c, then \$CMDR_CONFIG, ./cmdr.json, \$XDG_CONFIG_HOME/cmdr/config.json" lookup_order

cwd_config_used_by_drill() {
	d=$(newdir)
	echo '{"roles": {"*": "deputy"}}' >"$d/cmdr.json"
	(cd "$d" && "$CMDR" drill "$DRILLS/friday-1714.json" --headless --until 17:02:00 -i "$d/inc" >/dev/null) || return 1
	expect_eq role "$(jq -r 'select(.action == "drill_start") | .role' "$d/inc/journal.jsonl")" deputy
}
ok "a drill run in a directory with ./cmdr.json uses it" cwd_config_used_by_drill

# missing_c_for WHO ARGS...: cmdr ARGS -c (missing) -i DIR fails as WHO.
missing_c_for() {
	who=$1; shift
	dir=$(newdir)
	"$CMDR" "$@" -c "$WORK/missing.json" -i "$dir" >"$WORK/out" 2>"$WORK/err"
	expect_eq "$who: exit status" $? 1 &&
	expect_eq "$who: stdout" "$(cat "$WORK/out")" "" &&
	expect_eq "$who: stderr" "$(cat "$WORK/err")" "$who: $WORK/missing.json: no such config file (given with -c)" &&
	{ [ ! -e "$dir/journal.jsonl" ] || fail "$who journaled without its config"; }
}

missing_c() {
	missing_c_for "cmdr status" status &&
	missing_c_for "cmdr drill" drill "$DRILLS/friday-1714.json" --headless
}
ok "-c FILE that is not there: exit 1, one line, nothing journaled" missing_c

problems_refused() {
	c=$(cfg broken '{"roles": {"alice": "boss"}, "governance": {"two_person": "yes"}}')
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless -c "$c" -i "$dir" >/dev/null 2>"$WORK/err"
	expect_eq "exit status" $? 1 || return 1
	expect_eq stderr "$(cat "$WORK/err")" "cmdr drill: $c: \$.roles.alice: expected commander, deputy or observer, got \"boss\" (and 1 more: cmdr config check $c)" &&
	{ [ ! -e "$dir/journal.jsonl" ] || fail "a drill ran under a broken config"; }
}
ok "a config with problems is refused with its first problem on one line" problems_refused

shared_account() {
	c=$(cfg shared "{\"shared_accounts\": [\"$ME\"]}")
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless -c "$c" -i "$dir" >/dev/null 2>"$WORK/err"
	expect_eq "exit status" $? 1 &&
	expect_eq stderr "$(cat "$WORK/err")" "cmdr drill: $ME is a shared account ($c: \$.shared_accounts); say who you are with --as NAME" &&
	{ [ ! -e "$dir/journal.jsonl" ] || { fail "journaled without --as"; return 1; }; } || return 1
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless -c "$c" --as alice -i "$dir" >/dev/null || return 1
	expect_eq "actor" "$(jq -c 'select(.action == "drill_start") | [.actor.user, .actor.as]' "$dir/journal.jsonl")" "[\"$ME\",\"alice\"]"
}
ok "a shared account without --as is refused; with --as it runs and is journaled" shared_account

observer_by_mapping() {
	c=$(cfg observer "{\"roles\": {\"alice\": \"commander\", \"$ME\": \"observer\"}}")
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless -c "$c" -i "$dir" >"$WORK/s.json" || return 1
	expect_eq "drill_start role" "$(jq -r 'select(.action == "drill_start") | .role' "$dir/journal.jsonl")" observer || return 1
	# The automatic policy is not a person: it still rolls back.
	expect_eq "policy rollback" "$(jq -r '.actions[0].outcome' "$WORK/s.json")" verified || return 1
	"$CMDR" status --json -c "$c" -i "$dir" >"$WORK/st.json" || { fail "status failed"; return 1; }
	expect_eq "status head" "$(jq -r .journal.head "$WORK/st.json")" "$(jq -r .journal.head "$WORK/s.json")" &&
	"$CMDR" audit verify -i "$dir" >/dev/null || { fail "the journal does not verify"; return 1; }
	# Asking for more than the mapping gives is refused, naming both.
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless -c "$c" --role deputy -i "$(newdir)" >/dev/null 2>"$WORK/err"
	expect_eq "--role deputy" $? 1 &&
	expect_eq stderr "$(cat "$WORK/err")" "cmdr drill: --role deputy asks for more than $c gives $ME (\$.roles$ME_KEY: observer)" || return 1
	# Asking for less is granted.
	c=$(cfg deputy "{\"roles\": {\"*\": \"deputy\"}}")
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless -c "$c" --role observer -i "$dir" >/dev/null &&
	expect_eq "--role observer" "$(jq -r 'select(.action == "drill_start") | .role' "$dir/journal.jsonl")" observer
}
ok "roles: a mapping makes the user an observer; --role may ask for less, not more" observer_by_mapping

incident_dir_from_config() {
	d=$(newdir)
	c=$(cfg dir "{\"incident_dir\": \"$d/from-config\"}")
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless -c "$c" >/dev/null || return 1
	[ -s "$d/from-config/journal.jsonl" ] || { fail "no journal in the config's incident_dir"; return 1; }
	out=$("$CMDR" status -c "$c") || return 1
	printf '%s\n' "$out" | grep -q "journal: $d/from-config/journal.jsonl, 6 entries" || { fail "status: $out"; return 1; }
	# -i wins over the config.
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless -c "$c" -i "$d/given" >/dev/null &&
	[ -s "$d/given/journal.jsonl" ] || fail "-i did not win"
}
ok "incident_dir from the config is used when -i is not given" incident_dir_from_config

redaction_in_journal() {
	c=$(cfg redact '{"redact": [{"pattern": "\\bFriday\\b", "replacement": "[day]"}]}')
	dir=$(newdir)
	"$CMDR" drill "$DRILLS/friday-1714.json" --headless -c "$c" -i "$dir" >"$WORK/s.json" || return 1
	expect_eq "drill_start reason" "$(jq -r 'select(.action == "drill_start") | .reason' "$dir/journal.jsonl")" \
		"[day] 17:14: the canary rollback" &&
	expect_eq "status title" "$(jq -r .drill.title "$WORK/s.json")" "[day] 17:14: the canary rollback" &&
	! grep -q "Friday" "$dir/journal.jsonl" "$WORK/s.json" || fail "Friday is still there"
}
ok "a configured redaction pattern applies before the journal and the status JSON" redaction_in_journal

ok "no sanitizer reports" sanitizer_clean
