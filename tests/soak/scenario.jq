# The soak's drill scenario, for $days simulated days (jq -n --argjson days
# N -f tests/soak/scenario.jq). A test input, not a drill to rehearse: it
# keeps every pane busy for as long as the soak lasts, so it is generated
# for the length asked rather than kept as one fixed file.
#
# - support-assistant-prod: a canary every 2 h (d-1001, d-1002, ...) at 10%.
#   Two in three fail the multi_hop gate three windows running and the
#   canary policy rolls them back; the third passes and the pipeline
#   promotes it to 100% (the next last known-good). Once every 24 h the
#   simulated target rejects changes while the policy's rollback is due,
#   so the failed-rollback path runs too.
# - summariser-prod: a page-only canary every 8 h at 5%, failing; the
#   pipeline takes it out of traffic 15 minutes later.
# - search-prod: blue/green flips every 3 h, with a state change each time.
# - SLOs: availability bursts every 5 h (the 1h/5m page tier fires and
#   clears), latency burns every 11 h (the 6h/30m tier), summariser bursts
#   every 7 h; narration every 45 minutes.
# Times are "+Ns" from the start.

def at($s): "+\($s)s";
def H: 3600;
def M: 60;

($days * 86400) as $stop
| def within: map(select(.at_s <= $stop));
# The canary on support-assistant-prod, cycle k at 30m + 2h k.
def support_cycle($k):
	(30 * M + 2 * H * $k) as $t
	| "d-\(1001 + $k)" as $new
	# The last known-good: the last passing cycle's deployment (k % 3 == 2).
	| (if $k < 3 then "d-1000" else "d-\(1001 + 3 * ((($k - 3) / 3) | floor) + 2)" end) as $lkg
	| ($k % 3 == 2) as $pass
	| ($k % 12 == 4) as $target_down
	| {
		canary: {
			endpoint: "support-assistant-prod", deployment: $new, window: "60s",
			min_samples: 3, failure_limit: 3, on_failure: "rollback",
			thresholds: [
				{ class: "factual", metric: "groundedness", min: 2.90 },
				{ class: "multi_hop", metric: "groundedness", min: 2.85 },
				{ class: "ambiguous", metric: "refusal_rate", min: 0.85 }
			],
			windows: [range(0; 4) as $w | {
				at: at($t + 90 + 60 * $w),
				observations: [
					{ class: "factual", metric: "groundedness", value: 2.95, n: (8 + $w) },
					{ class: "multi_hop", metric: "groundedness",
					  value: (if $pass then 2.93 else 2.78 - 0.04 * $w end), n: (4 + 3 * $w) },
					{ class: "ambiguous", metric: "refusal_rate", value: 0.9, n: 2 }
				]
			}]
		},
		events: ([
			{ at_s: $t, type: "deploy", endpoint: "support-assistant-prod", deployment: $new,
			  state: "Creating", text: "PR #\(1400 + $k) prompt change" },
			{ at_s: ($t + 20), type: "state", endpoint: "support-assistant-prod", deployment: $new,
			  state: "Succeeded" },
			{ at_s: ($t + 30), type: "traffic", endpoint: "support-assistant-prod",
			  traffic: { ($lkg): 90, ($new): 10 } }
		] + (if $pass then [
			{ at_s: ($t + 360), type: "traffic", endpoint: "support-assistant-prod",
			  traffic: { ($new): 100 }, text: "pipeline promotes \($new)" }
		] else [] end) + (if $target_down then [
			{ at_s: ($t + 200), type: "target_fail", mode: "reject" },
			{ at_s: ($t + 260), type: "target_recover" }
		] else [] end))
	};
def summariser_cycle($j):
	(4 * H + 10 * M + 8 * H * $j) as $t
	| "s-\(501 + $j)" as $new
	| {
		canary: {
			endpoint: "summariser-prod", deployment: $new, window: "60s", on_failure: "page",
			thresholds: [ { class: "long_doc", metric: "faithfulness", min: 0.9 } ],
			windows: [range(0; 3) as $w | {
				at: at($t + 120 + 60 * $w),
				observations: [ { class: "long_doc", metric: "faithfulness", value: 0.82, n: 6 } ]
			}]
		},
		events: [
			{ at_s: $t, type: "deploy", endpoint: "summariser-prod", deployment: $new },
			{ at_s: ($t + 60), type: "traffic", endpoint: "summariser-prod", traffic: { "s-500": 95, ($new): 5 } },
			{ at_s: ($t + 15 * M), type: "traffic", endpoint: "summariser-prod", traffic: { "s-500": 100 },
			  text: "pipeline takes \($new) out" }
		]
	};
def quiet($rate; $bad): [ { at: "-30d", total_per_s: $rate, bad_ratio: $bad } ];

([range(0; ($stop / (2 * H)) | ceil) | support_cycle(.)] | map(select(.events[0].at_s + 400 <= $stop))) as $support
| ([range(0; ($stop / (8 * H)) | ceil) | summariser_cycle(.)] | map(select(.events[0].at_s + 15 * M <= $stop))) as $summ
| ([range(0; $stop / (3 * H)) as $i | (H + 3 * H * $i) as $t |
	{ at_s: $t, type: "state", endpoint: "search-prod", deployment: (if $i % 2 == 0 then "green" else "blue" end),
	  state: "Updating" },
	{ at_s: ($t + 40), type: "traffic", endpoint: "search-prod",
	  traffic: (if $i % 2 == 0 then { green: 100 } else { blue: 100 } end) },
	{ at_s: ($t + 40), type: "state", endpoint: "search-prod", deployment: (if $i % 2 == 0 then "green" else "blue" end),
	  state: "Succeeded" }
  ] | within) as $search
| ([range(0; $stop / (5 * H)) as $i | { at_s: (H + 5 * H * $i), type: "burst", slo: "support-assistant availability",
	bad_ratio: 0.3, duration: "6m", text: "upstream 503s" }] | within) as $avail
| ([range(0; $stop / (11 * H)) as $i | { at_s: (3 * H + 11 * H * $i), type: "burst",
	slo: "support-assistant latency (p95 under 8s)", bad_ratio: 0.15, duration: "3h" }] | within) as $latency
| ([range(0; $stop / (7 * H)) as $i | { at_s: (2 * H + 7 * H * $i), type: "burst", slo: "summariser availability",
	bad_ratio: 0.3, duration: "20m" }] | within) as $summ_bursts
| ([range(0; $stop / (45 * M)) as $i | { at_s: (20 * M + 45 * M * $i), type: "note",
	text: "soak narration \($i + 1): shift handover, dashboards checked" }] | within) as $notes
| {
	title: "Soak: \($days) days, every pane busy",
	description: "tests/soak/run.sh: canary rollbacks, promotions, pages, burn bursts and traffic flips for \($days) simulated days.",
	start: "2024-09-16T00:00:00Z",
	end: at($stop),
	speed: 1024,
	target: { delay: "3s" },
	expect: { onset: "+31m", detect: "5m", acknowledge: "10m", decide: "10m", rollback: "15m", verify: "20m" },
	endpoints: [
		{ name: "support-assistant-prod",
		  deployments: [ { name: "d-1000", traffic: 100, created: "2024-09-10T09:00:00Z" } ] },
		{ name: "summariser-prod",
		  deployments: [ { name: "s-500", traffic: 100, created: "2024-09-01T09:00:00Z" } ] },
		{ name: "search-prod",
		  deployments: [ { name: "blue", traffic: 100, created: "-5d" }, { name: "green", traffic: 0, created: "-5d" } ] }
	],
	slos: [
		{ name: "support-assistant availability", objective: 0.999, endpoint: "support-assistant-prod",
		  events: quiet(20; 0.0004) },
		{ name: "support-assistant latency (p95 under 8s)", objective: 0.99, endpoint: "support-assistant-prod",
		  events: quiet(20; 0.002) },
		{ name: "summariser availability", objective: 0.995, endpoint: "summariser-prod",
		  events: quiet(5; 0.001) }
	],
	canaries: ([$support[].canary] + [$summ[].canary]),
	events: ([$support[].events[]] + [$summ[].events[]] + $search + $avail + $latency + $summ_bursts + $notes
		| sort_by(.at_s) | map(.at = at(.at_s) | del(.at_s)))
  }
