#!/bin/sh
# SLO BURN with 500 SLOs, as one Prometheus's discovered rules give: worst
# first (a firing page, then a ticket, then how near a tier is to firing,
# no data last), the rows that fit and a last line counting the rest, j/k
# and PgDn when focused, / filtering by name, service or endpoint, Enter
# showing one SLO whole, a window its rules lack said as such; :pin puts a
# service's SLOs above all on every console of the incident, and a
# service no SLO has is refused by name. At 80x24 and 200x50.
. "$(dirname "$0")/../lib.sh"

# A drill of 500 SLOs: four that matter, one with no data at all (its
# rules lack every window), 495 quiet ones of ten fleet services.
awk 'BEGIN {
	q = "\"objective\": 0.999, \"events\": [ { \"at\": \"-30d\", \"total_per_s\": 50, \"bad_ratio\": "
	print "{ \"title\": \"Many SLOs\", \"start\": \"2024-09-13T10:00:00Z\", \"end\": \"+1h\", \"speed\": 1,"
	print "  \"slos\": ["
	printf "    { \"name\": \"checkout availability\", \"service\": \"checkout\", %s0.0001 }, { \"at\": \"-20m\", \"bad_ratio\": 0.05 } ] },\n", q
	printf "    { \"name\": \"search latency\", \"service\": \"search\", %s0.002 } ] },\n", q
	printf "    { \"name\": \"payments errors\", \"service\": \"payments\", %s0.0008 } ] },\n", q
	printf "    { \"name\": \"ledger freshness\", \"service\": \"ledger\", \"discovered\": \"pyrra\", \"lacks\": [\"3d\"], %s0.0015 } ] },\n", q
	printf "    { \"name\": \"inventory sync\", \"service\": \"inventory\", \"discovered\": \"sloth\", \"objective\": 0.99,\n"
	printf "      \"lacks\": [\"5m\", \"30m\", \"1h\", \"2h\", \"6h\", \"1d\", \"3d\", \"period\"] },\n"
	for (i = 1; i <= 495; i++)
		printf "    { \"name\": \"api-%03d availability\", \"service\": \"fleet-%d\", %s0.0001 } ] }%s\n", i, i % 10, q,
			i < 495 ? "," : ""
	print "  ] }"
}' >"$WORK/many.json"

# Row N of the screen (from 1).
row() {
	term_screen | sed -n "${1}p"
}

many_at_80x24() {
	term_start 80 24 "$CMDR" drill "$WORK/many.json" -i "$(newdir)"
	term_wait "+498 more" 10 || return 1
	term_screen >"$WORK/screen"
	grep -q "^ checkout availability 99.9%/30d  *50.0 " "$WORK/screen" &&
	sed -n 2p "$WORK/screen" | grep -q "^ checkout availability" &&
	sed -n 4p "$WORK/screen" | grep -q "^ search latency" &&
	sed -n 5p "$WORK/screen" | grep -q "T3d/6h FIRE" &&
	grep -q "^ +498 more · Tab here: j/k scroll, / filter" "$WORK/screen" &&
	grep -q "^ CANARY" "$WORK/screen" || { sed 's/^/#   | /' "$WORK/screen"; return 1; }
	# Focused (Tab twice from ENDPOINTS), the pane grows to four SLOs.
	term_keys Tab Tab
	term_wait "+496 more · j/k PgDn scroll · / filter" 3 || return 1
	row 2 | grep -q "^>checkout availability" &&
	row 6 | grep -q "^ payments errors" &&
	row 8 | grep -q "^ ledger freshness 99.9%/30d pyrra  *1.5 .* 1.5 lacks" || { term_screen | sed 's/^/#   | /'; return 1; }
	term_keys j j j
	term_wait ">ledger freshness" 3 || return 1
	# Enter: the SLO whole; the window its rules lack says so.
	term_keys Enter
	term_wait "its rules do not record this window" 3 &&
	term_wait "discovered from pyrra" 1 &&
	term_wait "lacks a window: cannot fire" 1 || return 1
	term_keys Escape
	term_keys PgDn
	term_wait "4 above · +492 more · j/k PgDn scroll · / filter" 3 &&
	# A long name shortens in its middle; the service and objective stay.
	term_wait ">fleet-4/api-004 a…lability 99.9%/30d" 1 &&
	term_wait " fleet-3/api-003 a…lability 99.9%/30d" 1 || return 1
	# The last: the SLO with no data at all. (tmux's Home and End are
	# not xterm's; PgDn past the end stops there.)
	term_keys $(yes NPage | head -130)
	term_wait ">inventory sync 99%/30d" 3 || return 1
	row 8 | grep -q "^>inventory sync 99%/30d sloth  *lacks  *lacks" &&
	term_wait "496 above · j/k PgDn scroll · / filter" 1 || { term_screen | sed 's/^/#   | /'; return 1; }
}
ok "500 SLOs at 80x24: worst first, +N more, focused j/k and PgDn to the end, Enter shows a lacking window" many_at_80x24

many_filter() {
	term_keys /
	term_keys "u(3" Enter
	term_wait "filter: missing closing parenthesis" 3 || return 1
	term_keys C-u "fleet-3|pay" Enter
	term_wait "/fleet-3|pay/ 51 of 500 SLOs · +47 more · Esc clears" 3 || return 1
	row 2 | grep -q "^>payments errors" &&
	row 4 | grep -q "^ fleet-3/api-003 a…lability" || { term_screen | sed 's/^/#   | /'; return 1; }
	# By endpoint too: none has one here.
	term_keys / C-u "prod-eu" Enter
	term_wait "no SLO matches /prod-eu/" 3 &&
	term_wait "/prod-eu/ 0 of 500 SLOs · Esc clears" 1 || return 1
	term_keys Escape
	term_wait "+496 more" 3 || return 1
	# An empty pattern clears too.
	term_keys / C-u "search" Enter
	term_wait "/search/ 1 of 500 SLOs" 3 || return 1
	term_keys / C-u Enter
	term_wait "+496 more" 3
}
ok "/ filters SLO BURN by a PCRE2 pattern with shown/total; a bad one is refused; Esc or an empty one clears" many_filter

many_pin_refused() {
	term_keys : "pin inventori" Enter
	term_wait 'pin refused: no SLO has the service "inventori" (services: checkout,' 3 || return 1
	term_keys Escape
	term_keys : "pin inventory" Enter
	term_wait "pinned service inventory" 3 || return 1
	# Pinned, the SLO with no data stands above the firing page.
	term_wait " ^inventory sync 99%/30d sloth" 3 &&
	row 2 | grep -q "^ ^inventory sync 99%/30d sloth  *lacks lacks" &&
	row 4 | grep -q "^ checkout availability" || { term_screen | sed 's/^/#   | /'; return 1; }
	term_keys : "unpin inventory" Enter
	term_wait "unpinned service inventory" 3 &&
	row 2 | grep -q "^ checkout availability"
}
ok ":pin puts a service's SLOs above all, a service no SLO has is refused by name, :unpin" many_pin_refused

many_at_200x50() {
	term_start 200 50 "$CMDR" drill "$WORK/many.json" -i "$(newdir)"
	term_wait "+489 more" 10 || return 1
	term_screen >"$WORK/screen"
	sed -n 2p "$WORK/screen" | grep -q "^ checkout availability 99.9%/30d  *50.0" &&
	sed -n 3p "$WORK/screen" | grep -q "P1h/5m FIRE P6h/30m ok T1d/2h ok T3d/6h ok" &&
	sed -n 4p "$WORK/screen" | grep -q "^ search latency" &&
	sed -n 6p "$WORK/screen" | grep -q "^ payments errors" &&
	sed -n 8p "$WORK/screen" | grep -q "^ ledger freshness 99.9%/30d pyrra" &&
	sed -n 9p "$WORK/screen" | grep -q "T3d/6h lacks" &&
	sed -n 10p "$WORK/screen" | grep -q "^ fleet-1/api-001 availability 99.9%/30d " &&
	grep -q "^ +489 more · Tab here: j/k scroll, / filter" "$WORK/screen" || { sed 's/^/#   | /' "$WORK/screen"; return 1; }
	term_keys Tab Tab / "fleet-7" Enter
	term_wait "/fleet-7/ 49 of 500 SLOs · +38 more · Esc clears" 3 &&
	row 2 | grep -q "^>fleet-7/api-007 availability"
}
ok "500 SLOs at 200x50: eleven, worst first, the rest counted, / filter" many_at_200x50

# Two consoles on one live incident: a pin made in one is journaled and
# shows in the other, and in cmdr status; unpinned from the other, gone
# from both. The source never answers: the SLOs are there, with no data.
cat >"$WORK/live.json" <<EOF
{
  "sources": { "prom": { "type": "prometheus", "url": "http://127.0.0.1:9", "refresh": "60s" } },
  "slos": [
    { "name": "chat availability", "service": "chat", "source": "prom", "objective": 0.999,
      "error_query": "x[{{window}}]", "total_query": "y[{{window}}]" },
    { "name": "search availability", "service": "search", "source": "prom", "objective": 0.999,
      "error_query": "x[{{window}}]", "total_query": "y[{{window}}]" },
    { "name": "answers grounded", "service": "search", "source": "prom", "objective": 0.99,
      "error_query": "x[{{window}}]", "total_query": "y[{{window}}]" }
  ]
}
EOF

pin_two_consoles() {
	dir=$(newdir)
	term_start 80 24 "$CMDR" -c "$WORK/live.json" -i "$dir" --as alice
	term_add bob 80 24 "$CMDR" -c "$WORK/live.json" -i "$dir" --as bob --role deputy
	# The source's failure first on both event lines: the pin is newer.
	term_wait "source prom: Failed" 5 || return 1
	TERM_ON=bob
	term_wait "source prom: Failed" 5 || return 1
	TERM_ON=main
	term_keys : "pin search" Enter
	term_wait "pinned service search" 3 || return 1
	journal_wait "$dir" 'any(.[]; .action == "pin" and .outcome == "pinned" and .params.service == "search" and .target == "service:search")' ||
		return 1
	TERM_ON=bob
	term_wait "alice: pinned service search" 5 || return 1
	row 2 | grep -q "^ ^search availability 99.9%/30d" &&
	row 4 | grep -q "^ ^search/answers grounded 99%/30d" &&
	row 6 | grep -q "^ chat availability" || { term_screen | sed 's/^/#   | /'; return 1; }
	"$CMDR" status --json -c "$WORK/live.json" -i "$dir" >"$WORK/status.json" 2>/dev/null
	jq_is "cmdr status lists the pin" '.pinned | join(",")' search || return 1
	term_keys : "unpin search" Enter
	term_wait "unpinned service search" 3 || return 1
	TERM_ON=main
	term_wait "bob: unpinned service search" 5 &&
	row 2 | grep -q "^ search availability 99.9%/30d"
}
ok "a pin made in one console shows in another on the incident and in cmdr status; unpinned there, gone" pin_two_consoles

ok "no sanitizer reports" sanitizer_clean
