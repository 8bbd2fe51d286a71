# A real HAProxy (Debian's haproxy) for the tests, sourced after tests/lib.sh
# (or with WORK and TESTS_DIR set): a frontend on a free 127.0.0.1 port in
# front of backend be_chat (balance roundrobin) with servers `stable` and
# `canary`, weights 90 and 10, which are two small python3 HTTP servers that
# answer with their deployment's name (d-1427 and d-1428). A backend
# be_static (balance static-rr) has the same two servers. The runtime API:
# $WORK/admin.sock (level admin), $WORK/user.sock (level user) and
# 127.0.0.1:$HX_API_PORT (level admin).
#
# $WORK/haproxy.extra.cfg, when a test writes one, is added to the config
# with @STABLE@ and @CANARY@ standing for the two servers' ports.
#
# hx_start: sets HX_FRONT (http://127.0.0.1:PORT), HX_API_PORT, HX_PID
# hx_stop, hx_restart (same ports; weights back to the config's)
# hx_cmd COMMAND [SOCKET-PATH | HOST:PORT]: the runtime API's answer
# hx_weights [BACKEND]: "stable=W canary=W" as HAProxy has them
# hx_reset: weights back to 90/10
# hx_requests N: the answers of N requests through the frontend, counted
# hx_cleanup: stops everything (call it from the test's EXIT trap)
# hx_prom_start OPENMETRICS: Prometheus with the file loaded, then HAProxy
HX_PID=
HX_APP_PIDS=
# The interpreter itself, not a version manager's shim in front of it
# (pyenv's adds a second to every call).
HX_PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
: "${HX_PY:=python3}"

hx_free_port() {
	# A port nobody listens on now; hx_start retries on a clash.
	while :; do
		p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 20000 ))
		curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/"
		[ $? -eq 7 ] && { echo "$p"; return; }
	done
}

# hx_app NAME: an HTTP server on a port of its own choosing that answers
# every GET with NAME; sets HX_APP_PORT.
hx_app() {
	rm -f "$WORK/app-$1.port"
	"$HX_PY" -c '
import http.server, sys
name = sys.argv[1].encode()
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(name) + 1))
        self.end_headers()
        self.wfile.write(name + b"\n")
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
import os
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
s.serve_forever()
' "$1" "$WORK/app-$1.port" >/dev/null 2>>"$WORK/app.err" &
	HX_APP_PIDS="$HX_APP_PIDS $!"
	i=0
	while [ ! -s "$WORK/app-$1.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	HX_APP_PORT=$(cat "$WORK/app-$1.port" 2>/dev/null)
}

hx_write_config() {
	cat >"$WORK/haproxy.cfg" <<EOF
global
	stats socket $WORK/admin.sock level admin
	stats socket $WORK/user.sock level user
	stats socket 127.0.0.1:$HX_API_PORT level admin

defaults
	mode http
	timeout connect 2s
	timeout client 10s
	timeout server 10s

frontend fe_chat
	bind 127.0.0.1:$HX_FRONT_PORT
	default_backend be_chat

backend be_chat
	balance roundrobin
	server stable 127.0.0.1:$HX_STABLE_PORT weight 90
	server canary 127.0.0.1:$HX_CANARY_PORT weight 10

backend be_static
	balance static-rr
	server stable 127.0.0.1:$HX_STABLE_PORT weight 90
	server canary 127.0.0.1:$HX_CANARY_PORT weight 10
EOF
	# A test's own backends, on the same two servers.
	[ ! -f "$WORK/haproxy.extra.cfg" ] ||
		sed -e "s/@STABLE@/$HX_STABLE_PORT/g" -e "s/@CANARY@/$HX_CANARY_PORT/g" \
			"$WORK/haproxy.extra.cfg" >>"$WORK/haproxy.cfg"
}

hx_launch() {
	rm -f "$WORK/admin.sock" "$WORK/user.sock"
	haproxy -f "$WORK/haproxy.cfg" -db >>"$WORK/haproxy.log" 2>&1 &
	HX_PID=$!
	i=0
	while [ $i -lt 100 ]; do
		if [ -S "$WORK/admin.sock" ] && hx_cmd "show servers state be_chat" 2>/dev/null | grep -q stable; then
			return 0
		fi
		kill -0 "$HX_PID" 2>/dev/null || break
		sleep 0.05
		i=$((i + 1))
	done
	echo "#   HAProxy did not start; its log ends:"
	tail -5 "$WORK/haproxy.log" | sed 's/^/#   /'
	kill "$HX_PID" 2>/dev/null
	wait "$HX_PID" 2>/dev/null
	HX_PID=
	return 1
}

hx_start() {
	hx_app d-1427
	HX_STABLE_PORT=$HX_APP_PORT
	hx_app d-1428
	HX_CANARY_PORT=$HX_APP_PORT
	[ -n "$HX_STABLE_PORT" ] && [ -n "$HX_CANARY_PORT" ] ||
		{ echo "#   the HTTP servers did not start: $(cat "$WORK/app.err")"; return 1; }
	for attempt in 1 2 3; do
		HX_FRONT_PORT=$(hx_free_port)
		HX_API_PORT=$(hx_free_port)
		[ "$HX_FRONT_PORT" != "$HX_API_PORT" ] || continue
		HX_FRONT="http://127.0.0.1:$HX_FRONT_PORT"
		hx_write_config
		hx_launch && return 0
	done
	return 1
}

hx_stop() {
	[ -n "$HX_PID" ] || return 0
	kill "$HX_PID" 2>/dev/null
	wait "$HX_PID" 2>/dev/null
	HX_PID=
}

hx_restart() {
	hx_stop
	hx_launch
}

hx_cleanup() {
	hx_stop
	for p in $HX_APP_PIDS; do kill "$p" 2>/dev/null; done
	for p in $HX_APP_PIDS; do wait "$p" 2>/dev/null; done
	HX_APP_PIDS=
}

# hx_prom_start OPENMETRICS: a live console's world, a real Prometheus
# holding the file's series (tests/prom.sh, sourced first) and HAProxy.
# Either failing is said as one "not ok" line and the test ends there;
# sets the EXIT trap that stops both and any console.
hx_prom_start() {
	if ! prom_start "$WORK/prom" "$1"; then
		echo "not ok - a real Prometheus starts with $(basename "$1") loaded"
		exit 0
	fi
	if ! hx_start; then
		echo "not ok - a real HAProxy starts in front of two HTTP servers"
		prom_stop
		hx_cleanup
		exit 0
	fi
	trap 'prom_stop; hx_cleanup; term_end; rm -rf "$WORK"' EXIT INT TERM
}

hx_cmd() {
	"$HX_PY" - "$1" "${2:-$WORK/admin.sock}" <<'EOF'
import socket, sys
cmd, where = sys.argv[1], sys.argv[2]
if where.startswith("/"):
    s = socket.socket(socket.AF_UNIX)
    s.connect(where)
else:
    host, port = where.rsplit(":", 1)
    s = socket.create_connection((host, int(port)))
s.settimeout(5)
s.sendall(cmd.encode() + b"\n")
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
sys.stdout.write(out.decode())
EOF
}

hx_weights() {
	hx_cmd "show servers state ${1:-be_chat}" | awk '
		NR == 2 { for (i = 2; i <= NF; i++) col[$i] = i - 1 }
		NR > 2 && NF > 2 { printf "%s%s=%s", sep, $col["srv_name"], $col["srv_uweight"]; sep = " " }
		END { print "" }'
}

hx_reset() {
	hx_cmd "set server be_chat/stable weight 90" >/dev/null &&
	hx_cmd "set server be_chat/canary weight 10" >/dev/null
}

hx_requests() {
	"$HX_PY" - "$HX_FRONT_PORT" "$1" <<'EOF'
import collections, http.client, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
seen = collections.Counter()
for _ in range(n):
    # A connection each, as separate clients would come.
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        c.request("GET", "/", headers={"Connection": "close"})
        r = c.getresponse()
        seen[r.read().decode().strip() if r.status == 200 else "HTTP-%d" % r.status] += 1
    except OSError:
        seen["error"] += 1
    c.close()
print(" ".join("%s=%d" % kv for kv in sorted(seen.items())))
EOF
}
