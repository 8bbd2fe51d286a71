#!/bin/sh
# Terminal injection: ESC, CSI, OSC (title setting, OSC 52 clipboard), C1
# controls, bidi controls (U+202E) and invalid UTF-8 placed in a scenario's names (SLO, deployment)
# and notes, in journal notes, titles and reasons, in runbook text, in a
# metrics API's error message and in metric labels never reach the terminal.
# The real binary runs in a pseudo-terminal (tests/bench/ptyrun) and the
# raw byte stream it sends is checked.
. "$(dirname "$0")/../lib.sh"

PTYRUN="$BUILD/tests/ptyrun"
[ -x "$PTYRUN" ] || PTYRUN="$TOP/$BUILD/tests/ptyrun"

# clean FILE: no OSC, DCS, APC or PM introducer, no C1 control (as UTF-8),
# no invalid UTF-8 byte, and none of the payloads' own sequences.
clean() {
	python3 - "$1" <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
bad = {
    "OSC (ESC ])": b"\x1b]", "DCS (ESC P)": b"\x1bP", "APC (ESC _)": b"\x1b_", "PM (ESC ^)": b"\x1b^",
    "C1 CSI (U+009B)": b"\xc2\x9b", "C1 OSC (U+009D)": b"\xc2\x9d", "byte 0xff": b"\xff", "byte 0xfe": b"\xfe",
    "the payload's clear screen": b"\x1b[2J slo", "a raw BEL": b"\x07",
    "RIGHT-TO-LEFT OVERRIDE (U+202E)": b"\xe2\x80\xae", "LEFT-TO-RIGHT ISOLATE (U+2066)": b"\xe2\x81\xa6",
}
found = [name for name, pat in bad.items() if pat in raw]
if len(raw) < 500:
    found.append("too little output (%d bytes)" % len(raw))
if found:
    print("#   the terminal got: " + ", ".join(found))
    sys.exit(1)
PY
}

hostile_drill() {
	dir=$(newdir)
	jq '.events[0].text = "note \u001b]52;c;SGVsbG8=\u0007 \u009b31m \u009d0;t\u0007 \u202eend"
	    | .slos[0].name = "avail \u001b]0;pwned\u0007 \u001b[2J slo"
	    | .title = "t \u001b]0;title\u0007 \u202e \u2066"
	    | .endpoints[0].deployments += [{"name": "evil\u001b]0;dep\u0007\u009b31m", "traffic": 0, "state": "Succeeded"}]' \
		"$DRILLS/friday-1714.json" >"$WORK/hostile.json" || return 1
	"$PTYRUN" --size 100x30 --wait-for "DRILL" --idle 1 --keys 't' --key-latency 2 --quit q \
		--dump-all "$WORK/raw1" -- "$CMDR" drill "$WORK/hostile.json" --speed 1024 -i "$dir" >"$WORK/pty1" ||
		{ fail "ptyrun failed"; return 1; }
	grep -q "^timeout=0" "$WORK/pty1" || { fail "timed out: $(cat "$WORK/pty1")"; return 1; }
	# The sanitised names are on screen ('?' where a control was).
	grep -aq "avail ?\]0;pwned? ?\[2J slo" "$WORK/raw1" || { fail "the SLO's name is not on screen"; return 1; }
	grep -aq "evil?\]0;dep???31m" "$WORK/raw1" || { fail "the deployment's name is not on screen"; return 1; }
	clean "$WORK/raw1"
}
ok "a scenario's SLO name, deployment name, title and notes with OSC 52, title setting, CSI and C1 never reach the terminal" hostile_drill

hostile_journal_and_runbook() {
	dir=$(newdir)
	mkdir -p "$WORK/rb"
	printf -- '---\ntitle: evil \033]0;pwned\007 runbook\ntriggers:\n  - "slo .* page"\n---\n\n## Steps\n\n- [ ] run \033]52;c;SGVsbG8=\007 then \302\233 31m now\n' >"$WORK/rb/evil.md"
	echo "{\"runbook_dirs\": [\"$WORK/rb\"]}" >"$WORK/rb.json"
	"$CMDR" declare "$(printf 'title \033]0;pwned\007 \302\235 \342\200\256x \342\201\246y')" --severity SEV1 -i "$dir" >/dev/null &&
	"$CMDR" note "$(printf 'note \033[2J \033]52;c;SGVsbG8=\007 \377\376 \302\233 done')" -i "$dir" >/dev/null &&
	"$CMDR" severity SEV2 --reason "$(printf 'calmer \033]0;r\007 \302\235 now')" -i "$dir" >/dev/null ||
		{ fail "the journal refused the lines"; return 1; }
	"$PTYRUN" --size 100x30 --wait-for "LIVE" --idle 1 --keys 't' --key-latency 2 --quit q \
		--dump-all "$WORK/raw2" -- "$CMDR" -c "$WORK/rb.json" -i "$dir" >"$WORK/pty2" ||
		{ fail "ptyrun failed"; return 1; }
	grep -q "^timeout=0" "$WORK/pty2" || { fail "timed out: $(cat "$WORK/pty2")"; return 1; }
	grep -aq "note: note ?\[2J ?\]52;c;SGVsbG8=?" "$WORK/raw2" || { fail "the note is not on screen"; return 1; }
	grep -aq "evil ?\]0;pwned? runbook" "$WORK/raw2" || { fail "the runbook is not on screen"; return 1; }
	grep -aq "calmer ?\]0;r? ?? now" "$WORK/raw2" || { fail "the severity's reason is not on screen"; return 1; }
	clean "$WORK/raw2"
}
ok "journal notes, titles and reasons (escapes, C1, invalid UTF-8) and a runbook title and step (escapes, C1) never reach the terminal" hostile_journal_and_runbook

# hostile_live NAME RESPOND-JSON EXPECTED-ON-SCREEN: the live console, its
# one source (an SLO and a canary gate) answered with RESPOND every time.
hostile_live() {
	name=$1 expect=$3
	stub_start "[{\"repeat\": true, \"expect\": {}, \"respond\": $2}]" || { fail "the stub did not start"; return 1; }
	cat >"$WORK/live-$name.json" <<EOF
{ "sources": { "prom": { "type": "prometheus", "url": "$BASE", "refresh": "1s" } },
  "slos": [ { "name": "api", "source": "prom", "objective": 0.999,
              "error_query": "sum(increase(errors_total[{{window}}]))",
              "total_query": "sum(increase(requests_total[{{window}}]))" } ],
  "canaries": [ { "endpoint": "chat", "deployment": "d-2", "source": "prom", "window": "60s",
      "queries": { "groundedness": "avg by (class) (g{deployment=\"{{deployment}}\"})",
                   "n": "max by (class) (n{deployment=\"{{deployment}}\"})" },
      "thresholds": [ { "class": "multi_hop", "metric": "groundedness", "min": 2.85 } ] } ] }
EOF
	dir=$(newdir)
	"$PTYRUN" --size 120x40 --wait-for "$expect" --idle 2 --keys 't' --key-latency 2 --quit q \
		--dump-all "$WORK/raw-$name" -- "$CMDR" -c "$WORK/live-$name.json" -i "$dir" >"$WORK/pty-$name" ||
		{ fail "ptyrun failed"; return 1; }
	grep -q "^first_frame=1" "$WORK/pty-$name" || { fail "\"$expect\" never appeared"; return 1; }
	clean "$WORK/raw-$name"
}
ok "a metrics API's error message (OSC 52, CSI, C1) never reaches the terminal" hostile_live error \
	'{"status": 400, "json": {"status": "error", "errorType": "bad_data", "error": "boom \u001b]52;c;SGVsbG8=\u0007 \u009b31m \u001b[2J slo end"}}' \
	"boom"
ok "metric labels (title setting, C1, invalid class names) never reach the terminal" hostile_live labels \
	'{"status": 200, "json": {"status": "success", "data": {"resultType": "vector", "result": [
	  {"metric": {"job": "a\u001b]0;pwned\u0007b", "class": "multi\u001b]0;t\u0007hop"}, "value": [1, "5"]},
	  {"metric": {"class": "x\u009b31m\u009d0;t\u0007"}, "value": [1, "6"]}]}}}' \
	"2 series"

ok "no sanitizer reports" sanitizer_clean
