#!/bin/sh
# Rollback latency against a real local HAProxy (tests/haproxy.sh): the
# live console in a pseudo-terminal, r, a typed reason, then the time from
# writing the Enter that confirms it to (a) HAProxy's runtime API showing
# be_chat at 100/0 and (b) the journal's `verified` outcome (cmdr has read
# it back). RUNS runs, each a fresh console and incident directory with the
# weights reset to 90/10 through the runtime API. Prints median and 99th
# percentile in the style of tests/bench/run.sh. Each figure is when the
# bench first saw it, looking at both about every millisecond, so (a) can
# come out a little later than (b). Env: BUILD, CMDR, BENCH_ROLLBACK_RUNS.
set -u
: "${BUILD:=build}"
: "${CMDR:?CMDR must be the absolute path of the cmdr binary}"
top=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${BENCH_ROLLBACK_RUNS:-40}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cmdr-bench-rollback.XXXXXX") || exit 1
TESTS_DIR=$top/tests
. "$top/tests/haproxy.sh"
trap 'hx_cleanup; rm -rf "$WORK"' EXIT INT TERM

hx_start >"$WORK/start.log" || { cat "$WORK/start.log" >&2; echo "bench: HAProxy did not start" >&2; exit 1; }
cat >"$WORK/config.json" <<EOF
{ "endpoints": [ { "name": "chat", "target": { "type": "haproxy", "socket": "$WORK/admin.sock",
    "backend": "be_chat", "servers": { "d-1427": "stable", "d-1428": "canary" } } } ] }
EOF

"$HX_PY" - "$CMDR" "$WORK" "$RUNS" >"$WORK/result" 2>"$WORK/err" <<'EOF'
import os, pty, re, select, socket, struct, sys, fcntl, termios, time

cmdr, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
sock = os.path.join(work, "admin.sock")
ESC = re.compile(rb"\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][0-9A-Za-z]|.)")

def api(cmd):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.sendall(cmd.encode() + b"\n")
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    s.close()
    return out.decode()

def weights():
    lines = api("show servers state be_chat").splitlines()
    col = {n: i - 1 for i, n in enumerate(lines[1].split())}
    return {f[col["srv_name"]]: int(f[col["srv_uweight"]]) for f in (l.split() for l in lines[2:] if l.strip())}

class Console:
    def __init__(self, incident):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ.update(TERM="xterm-256color", LANG="C.UTF-8")
            os.execv(cmdr, [cmdr, "-c", os.path.join(work, "config.json"), "-i", incident, "--as", "bench"])
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.text = b""

    def pump(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return False
        self.text += ESC.sub(b"", data)
        return bool(data)

    def wait_for(self, needle, limit=10.0):
        end = time.monotonic() + limit
        while needle not in self.text:
            if time.monotonic() > end:
                raise SystemExit("bench: %r never appeared" % needle)
            self.pump(0.05)
        self.text = b""

    def quiet(self, ms):
        while self.pump(ms / 1000.0):
            pass

    def close(self):
        os.write(self.fd, b"q")
        end = time.monotonic() + 2
        while time.monotonic() < end:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                break
            self.pump(0.02)
        else:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        os.close(self.fd)

def journal_verified(path):
    try:
        with open(path, "rb") as f:
            return b'"outcome":"verified"' in f.read()
    except FileNotFoundError:
        return False

to_haproxy, to_verified = [], []
for run in range(runs):
    api("set server be_chat/stable weight 90")
    api("set server be_chat/canary weight 10")
    incident = os.path.join(work, "incident-%d" % run)
    os.mkdir(incident)
    c = Console(incident)
    c.wait_for(b"90%")        # the first reading from HAProxy is on screen
    c.quiet(100)
    os.write(c.fd, b"r")
    c.wait_for(b"d-1427=100 d-1428=0")
    os.write(c.fd, b"bench run %d" % run)
    c.quiet(50)
    journal = os.path.join(incident, "journal.jsonl")
    t0 = time.monotonic()
    os.write(c.fd, b"\r")
    t_api = t_ver = None
    while t_ver is None or t_api is None:
        now = time.monotonic()
        if now - t0 > 10:
            raise SystemExit("bench: run %d not verified within 10 s" % run)
        if t_api is None and weights() == {"stable": 100, "canary": 0}:
            t_api = time.monotonic()
        if t_ver is None and journal_verified(journal):
            t_ver = time.monotonic()
        # A short nap between looks: a busy poller would take the CPU
        # cmdr and HAProxy need on a small machine.
        c.pump(0.0005)
    to_haproxy.append((t_api - t0) * 1000)
    to_verified.append((t_ver - t0) * 1000)
    c.close()

def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]

for name, v in (("haproxy", to_haproxy), ("verified", to_verified)):
    print("%s_p50_ms=%.1f" % (name, pct(v, 50)))
    print("%s_p99_ms=%.1f" % (name, pct(v, 99)))
print("runs=%d" % runs)
EOF
rc=$?
if [ $rc -ne 0 ]; then
	echo "bench: the rollback runs failed (status $rc):" >&2
	cat "$WORK/err" >&2
	exit 1
fi

get() { sed -n "s/^$1=//p" "$WORK/result"; }
. "$top/tests/bench/lib.sh"
n=$(get runs)
row "rollback to HAProxy p50" "Enter to 100/0 in the runtime API, x $n" "$(get haproxy_p50_ms) ms" "-" "-"
row "rollback to HAProxy p99" "Enter to 100/0 in the runtime API, x $n" "$(get haproxy_p99_ms) ms" "-" "-"
row "rollback verified p50" "Enter to journaled verified, local HAProxy" "$(get verified_p50_ms) ms" "-" "-"
row "rollback verified p99" "Enter to journaled verified, local HAProxy" "$(get verified_p99_ms) ms" "< 50 ms" \
	"$(verdict "$(get verified_p99_ms)" '<' 50)"
