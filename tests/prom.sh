# A real Prometheus (Debian's prometheus) for the tests, sourced after
# tests/lib.sh (or with WORK set): its storage made with promtool from an
# OpenMetrics file, no scrape jobs, retention long enough for any test data.
#
# prom_start DIR OPENMETRICS-FILE: sets PROM_URL and PROM_PID
# prom_stop, prom_restart (same port, same data; PROM_FLAGS: more flags)
# prom_wait_ready: waits (30 s at most) until this Prometheus answers ready
# prom_has_block DIR: whether promtool wrote a TSDB block into DIR
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

# Ready, and this test's: the port may have been taken by another
# Prometheus (another test's, when suites run side by side) before this
# one bound it, or while prom_restart had let it go. That one is ready
# too, but holds none of this one's series: promtool's rule backfill
# then finds nothing and writes no block.
prom_ready() {
	curl -sf --max-time 2 "$PROM_URL/-/ready" >/dev/null 2>&1 &&
		curl -sf --max-time 2 "$PROM_URL/api/v1/status/flags" 2>/dev/null |
		grep -qF "\"storage.tsdb.path\":\"$PROM_DIR/data\""
}

prom_wait_ready() {
	i=0
	while [ $i -lt 300 ]; do
		prom_ready && return 0
		[ -n "$PROM_PID" ] && kill -0 "$PROM_PID" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

prom_has_block() {
	ls "$1"/*/meta.json >/dev/null 2>&1
}

prom_launch() {
	prometheus --config.file="$PROM_DIR/prometheus.yml" --storage.tsdb.path="$PROM_DIR/data" \
		--storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$PROM_PORT" \
		--log.level=warn ${PROM_FLAGS:-} >>"$PROM_DIR/prometheus.log" 2>&1 &
	PROM_PID=$!
	PROM_URL="http://127.0.0.1:$PROM_PORT"
	prom_wait_ready && return 0
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
		# A load that exits 0 with no block would leave a Prometheus
		# with no series, and every test on it failing for no reason
		# it could name: tried again, then said.
		for try in 1 2 3; do
			rm -rf "$PROM_DIR/data"
			if ! promtool tsdb create-blocks-from openmetrics "$2" "$PROM_DIR/data" \
				>>"$PROM_DIR/promtool.log" 2>&1; then
				echo "#   promtool could not load $2:"
				tail -5 "$PROM_DIR/promtool.log" | sed 's/^/#   /'
				return 1
			fi
			prom_has_block "$PROM_DIR/data" && break
			if [ $try -eq 3 ]; then
				echo "#   promtool wrote no block from $2 in 3 tries; its log ends:"
				tail -5 "$PROM_DIR/promtool.log" | sed 's/^/#   /'
				return 1
			fi
		done
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
