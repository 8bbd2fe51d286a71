# A real Alertmanager (Debian's prometheus-alertmanager 0.25) for the
# tests, sourced after tests/lib.sh and tests/prom.sh (for a free port):
# its own storage, no clustering, one receiver that sends nothing, and an
# inhibition (a page mutes the tickets of its service).
#
# am_start DIR: sets AM_URL and AM_PID; am_stop
# am_post JSON: posts alerts (an array) as Prometheus would
AM_PID=

am_start() {
	AM_DIR=$1
	mkdir -p "$AM_DIR"
	cat >"$AM_DIR/am.yml" <<'YML'
route:
  receiver: none
  group_wait: 1h
receivers:
  - name: none
inhibit_rules:
  - source_matchers: [severity="page"]
    target_matchers: [severity="ticket"]
    equal: [service]
YML
	for attempt in 1 2 3; do
		port=$(prom_free_port)
		prometheus-alertmanager --config.file="$AM_DIR/am.yml" --storage.path="$AM_DIR/data" \
			--web.listen-address="127.0.0.1:$port" --cluster.listen-address= \
			--log.level=warn >>"$AM_DIR/am.log" 2>&1 &
		AM_PID=$!
		AM_URL="http://127.0.0.1:$port"
		i=0
		while [ $i -lt 100 ]; do
			curl -sf "$AM_URL/-/ready" >/dev/null 2>&1 && return 0
			kill -0 "$AM_PID" 2>/dev/null || break
			sleep 0.1
			i=$((i + 1))
		done
		kill "$AM_PID" 2>/dev/null
		wait "$AM_PID" 2>/dev/null
	done
	echo "#   Alertmanager did not become ready; its log ends:"
	tail -5 "$AM_DIR/am.log" | sed 's/^/#   /'
	AM_PID=
	return 1
}

am_stop() {
	[ -n "$AM_PID" ] || return 0
	kill "$AM_PID" 2>/dev/null
	wait "$AM_PID" 2>/dev/null
	AM_PID=
}

am_post() {
	curl -sf -XPOST -H 'Content-Type: application/json' "$AM_URL/api/v2/alerts" -d "$1" >/dev/null
}
