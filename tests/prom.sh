# A real Prometheus (Debian's prometheus) for the tests, sourced after
# tests/lib.sh (or with WORK set): its storage made with promtool from an
# OpenMetrics file, no scrape jobs, retention long enough for any test data.
#
# prom_start DIR OPENMETRICS-FILE: sets PROM_URL and PROM_PID
# prom_stop, prom_restart (same port, same data; PROM_FLAGS: more flags)
# prom_metric NAME [LABEL="VALUE"]: the sum of Prometheus's own series of
# that name (with that label) from one /metrics read, which is itself one
# connection and one request
PROM_PID=

prom_free_port() {
	# A port nobody listens on now; the start below retries on a clash.
	while :; do
		p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 20000 ))
		curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/"
		[ $? -eq 7 ] && { echo "$p"; return; }
	done
}

prom_launch() {
	prometheus --config.file="$PROM_DIR/prometheus.yml" --storage.tsdb.path="$PROM_DIR/data" \
		--storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$PROM_PORT" \
		--log.level=warn ${PROM_FLAGS:-} >>"$PROM_DIR/prometheus.log" 2>&1 &
	PROM_PID=$!
	PROM_URL="http://127.0.0.1:$PROM_PORT"
	i=0
	while [ $i -lt 300 ]; do
		if curl -sf "$PROM_URL/-/ready" >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$PROM_PID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	echo "#   Prometheus did not become ready on $PROM_URL; its log ends:"
	tail -5 "$PROM_DIR/prometheus.log" | sed 's/^/#   /'
	kill "$PROM_PID" 2>/dev/null
	PROM_PID=
	return 1
}

prom_start() {
	PROM_DIR=$1
	mkdir -p "$PROM_DIR"
	if [ ! -d "$PROM_DIR/data" ]; then
		if ! promtool tsdb create-blocks-from openmetrics "$2" "$PROM_DIR/data" >"$PROM_DIR/promtool.log" 2>&1; then
			echo "#   promtool could not load $2:"
			tail -5 "$PROM_DIR/promtool.log" | sed 's/^/#   /'
			return 1
		fi
	fi
	printf 'global:\n  scrape_interval: 1h\n' >"$PROM_DIR/prometheus.yml"
	for attempt in 1 2 3; do
		PROM_PORT=$(prom_free_port)
		prom_launch && return 0
	done
	return 1
}

prom_stop() {
	[ -n "$PROM_PID" ] || return 0
	kill "$PROM_PID" 2>/dev/null
	wait "$PROM_PID" 2>/dev/null
	PROM_PID=
}

prom_restart() {
	prom_stop
	prom_launch
}

prom_metric() {
	curl -s "$PROM_URL/metrics" | awk -v m="$1" -v l="${2:-}" '
		(index($0, m "{") == 1 || index($0, m " ") == 1) && index($0, l) { s += $NF }
		END { printf "%.10g\n", s }'
}
