#!/bin/sh
# The canary judges on 20,000 simulated canaries a case (cmdr canary
# simulate, core/model/canary_sim.h): false alarms on healthy canaries and
# in a bad hour that hits both sides, detection and time to detect on seed
# 004's regression, each judge's row against the issue's goals.
set -u
: "${CMDR:?CMDR must be the absolute path of the cmdr binary}"
. "$(dirname "$0")/lib.sh"

RUNS=${CANARY_RUNS:-20000}
out=$(mktemp "${TMPDIR:-/tmp}/cmdr-bench-canary.XXXXXX") || exit 1
trap 'rm -f "$out"' EXIT
"$CMDR" canary simulate "$RUNS" >"$out" || { note "cmdr canary simulate failed"; exit 1; }

# field CASE JUDGE N: the Nth figure (1 alarms, 2 median, 3 p90) of a row.
field() {
	awk -v c="$1" -v j="$2" -v n="$3" '
		/^[a-z]/ && substr($0, 1, 24) ~ /[^ ]/ { case_ = substr($0, 1, 24); sub(/ +$/, "", case_) }
		{ judge = substr($0, 26, 15); sub(/ +$/, "", judge) }
		case_ == c && judge == j { split(substr($0, 41), f, " "); v = f[n]; sub(/%$/, "", v); print v; exit }' "$out"
}

# The goals are the compare judge's (issue 20): false alarms at most 1%
# and at most the threshold rule's, none in a bad hour, and a median
# detection a window before the threshold rule's, all with sd given.
n="$RUNS canaries"
t_fa=$(field healthy threshold 1)
t_med=$(field "regressed (seed 004)" threshold 2)
for j in threshold compare "compare, no sd"; do
	fa=$(field healthy "$j" 1)
	bad=$(field "bad hour for everyone" "$j" 1)
	det=$(field "regressed (seed 004)" "$j" 1)
	med=$(field "regressed (seed 004)" "$j" 2)
	p90=$(field "regressed (seed 004)" "$j" 3)
	if [ "$j" = compare ]; then
		g_fa="<= 1, <= $t_fa %"
		v_fa=$(awk -v v="$fa" -v t="$t_fa" 'BEGIN { print (v <= 1 && v <= t) ? "met" : "MISSED" }')
		g_bad="<= 1 %"; v_bad=$(verdict "$bad" "<=" 1)
		g_med="<= $((t_med - 1))"; v_med=$(verdict "$med" "<=" $((t_med - 1)))
	else
		g_fa="-"; v_fa="-"; g_bad="-"; v_bad="-"; g_med="-"; v_med="-"
	fi
	row "canary false alarms" "$j judge, healthy, seed spread, $n" "$fa %" "$g_fa" "$v_fa"
	row "canary bad-hour alarms" "$j judge, both sides 5% lower, $n" "$bad %" "$g_bad" "$v_bad"
	row "canary detection" "$j judge, multi_hop 2.95 -> 2.70 at 10%, $n" "$det %" "-" "-"
	row "canary windows to detect" "$j judge, median / p90 of the above" "$med / $p90" "$g_med" "$v_med"
done
for j in threshold compare; do
	fa=$(field "healthy, 5x spread" "$j" 1)
	med=$(field "regressed, 5x spread" "$j" 2)
	row "canary at 5x spread" "$j judge, false alarms / median windows to detect" "$fa % / $med" "-" "-"
done
