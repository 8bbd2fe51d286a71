#!/usr/bin/env python3
"""A scripted HTTP/1.1 server standing in for services that cannot run in
a test (Azure Monitor, Entra ID, IMDS, Azure ML, PagerDuty, Slack).

    python3 tests/stub_http.py SCRIPT.json PORTFILE LOGFILE

Listens on 127.0.0.1 on a free port and writes the port to PORTFILE once
it accepts connections. SCRIPT is a JSON list of exchanges, matched in
order; each request must match the next unused one:

    {"expect": {"method": "POST", "path": "/v1/workspaces/ws1/query",
                "query": {"api-version": "2018-02-01"},        exact
                "headers": {"Authorization": "Bearer tok"},    names any case, values exact
                                                    (null: the header is absent)
                "json": {...}        the body parsed as JSON equals this, or
                "json_has": {...}    contains this (objects recursively), or
                "json_re": {"a.0.b": "REGEX"}  (with json_has or alone) the string at
                                     each dotted path (list items by index) fully matches
                "form": {...}},      the urlencoded body equals this
     "respond": {"status": 200, "headers": {...},
                 "json": {...} | "body": "text" | "body_bytes": N ('x' * N, streamed),
                 "content_type": "application/json" (the default),
                 "delay": SECONDS,
                 "hang": true        read the request, never answer, keep the socket,
                 "truncate": N},     full Content-Length, N bytes of body, close
     "repeat": true,                 serves every request that matches it; the first
                                     one that does not, after it served once, moves on
     "group": "NAME",                consecutive exchanges with the same group match
                                     in any order (requests sent at once), each once
     "comment": "..."}

In a response, "{{stub}}" anywhere in a header value, "body" or a string
of "json" becomes the stub's own base URL (http://127.0.0.1:PORT): for the
URLs a service hands back (Azure-AsyncOperation, Location, nextLink).

With STUB_TLS_CERT (and STUB_TLS_KEY) set in the environment it serves
HTTPS with that certificate.

Every request goes to LOGFILE as "REQUEST METHOD PATH"; a request that does
not match gets a 599 whose body is the one line also logged:
"MISMATCH exchange K: expected X, got Y" (K counts from 1). The mismatched
exchange stays next. GET /__stub/status answers {"used", "total",
"requests", "mismatches", "unused"} without touching the script, and at
SIGTERM or SIGINT the log gets "STATUS used U of N exchanges, R requests,
M mismatches". Python 3 standard library only.
"""

import json
import re
import os
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EXCHANGE_KEYS = {"expect", "respond", "repeat", "group", "comment"}
EXPECT_KEYS = {"method", "path", "query", "headers", "json", "json_has", "json_re", "form"}
RESPOND_KEYS = {"status", "headers", "json", "body", "body_bytes", "content_type", "delay", "hang",
                "truncate"}
CHUNK = 65536


def compact(value):
    text = json.dumps(value, separators=(",", ":"), sort_keys=True)
    return text if len(text) <= 300 else text[:300] + "..."


def with_base(value, base):
    """value with every "{{stub}}" in its strings replaced by base."""
    if isinstance(value, str):
        return value.replace("{{stub}}", base)
    if isinstance(value, dict):
        return {k: with_base(v, base) for k, v in value.items()}
    if isinstance(value, list):
        return [with_base(v, base) for v in value]
    return value


def load_script(path):
    """The exchanges, checked for typos: a misspelt key would otherwise
    quietly match anything."""
    with open(path, encoding="utf-8") as f:
        script = json.load(f)
    if not isinstance(script, list):
        raise ValueError("the script must be a JSON list of exchanges")
    for k, ex in enumerate(script, 1):
        where = f"exchange {k}"
        if not isinstance(ex, dict):
            raise ValueError(f"{where}: expected an object")
        for key, allowed, what in ((None, EXCHANGE_KEYS, ex),
                                   ("expect", EXPECT_KEYS, ex.get("expect", {})),
                                   ("respond", RESPOND_KEYS, ex.get("respond", {}))):
            if not isinstance(what, dict):
                raise ValueError(f"{where}.{key}: expected an object")
            unknown = set(what) - allowed
            if unknown:
                name = f"{where}.{key}" if key else where
                raise ValueError(f"{name}: unknown key {sorted(unknown)[0]!r} "
                                 f"(expected one of: {', '.join(sorted(allowed))})")
        bodies = [b for b in ("json", "json_has", "form") if b in ex.get("expect", {})]
        if len(bodies) > 1:
            raise ValueError(f"{where}.expect: at most one of json, json_has, form")
    return script


def same(want, got):
    """JSON equality, where true is not 1 (Python's == says it is)."""
    if isinstance(want, bool) or isinstance(got, bool):
        return type(want) is type(got) and want == got
    if isinstance(want, dict):
        return isinstance(got, dict) and want.keys() == got.keys() and all(
            same(v, got[k]) for k, v in want.items())
    if isinstance(want, list):
        return (isinstance(got, list) and len(want) == len(got)
                and all(same(w, g) for w, g in zip(want, got)))
    return want == got


def subset(want, got):
    """want is contained in got: objects by their keys, recursively; lists
    element by element at the same length; anything else as in same()."""
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and subset(v, got[k]) for k, v in want.items())
    if isinstance(want, list):
        return (isinstance(got, list) and len(want) == len(got)
                and all(subset(w, g) for w, g in zip(want, got)))
    return same(want, got)


def as_lists(d):
    return {k: v if isinstance(v, list) else [v] for k, v in d.items()}


def at_path(value, path):
    """The value at a dotted path ("attachments.0.content"), or None."""
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def mismatch(expect, req):
    """None when req matches, else "expected X, got Y"."""
    if "method" in expect and expect["method"] != req.method:
        return f"expected method {expect['method']}, got {req.method} {req.path_only}"
    if "path" in expect and expect["path"] != req.path_only:
        return f"expected path {expect['path']}, got {req.method} {req.path_only}"
    if "query" in expect:
        got = urllib.parse.parse_qs(req.query, keep_blank_values=True)
        if as_lists(expect["query"]) != got:
            return f"expected query {compact(expect['query'])}, got {compact(got)}"
    for name, value in expect.get("headers", {}).items():
        got = req.headers.get(name)
        if got != value:
            shown = "none" if got is None else repr(got)
            return f"expected header {name}: {value!r}, got {shown}"
    if "json" in expect or "json_has" in expect or "json_re" in expect:
        try:
            body = json.loads(req.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            return f"expected a JSON body, got {req.body[:80]!r} ({e})"
        if "json" in expect and not same(expect["json"], body):
            return f"expected JSON body {compact(expect['json'])}, got {compact(body)}"
        if "json_has" in expect and not subset(expect["json_has"], body):
            return f"expected JSON body with {compact(expect['json_has'])}, got {compact(body)}"
        for path, pattern in expect.get("json_re", {}).items():
            got = at_path(body, path)
            if not isinstance(got, str) or not re.fullmatch(pattern, got):
                return f"expected {path} to match {pattern!r}, got {compact(got)}"
    if "form" in expect:
        try:
            got = urllib.parse.parse_qs(req.body.decode("utf-8"), keep_blank_values=True,
                                        strict_parsing=bool(req.body))
        except (UnicodeDecodeError, ValueError) as e:
            return f"expected a form body, got {req.body[:80]!r} ({e})"
        if as_lists(expect["form"]) != got:
            return f"expected form {compact(expect['form'])}, got {compact(got)}"
    return None


class Stub:
    def __init__(self, script, log_path):
        self.script = script
        self.pos = 0
        self.used = set()
        self.requests = 0
        self.mismatches = 0
        self.lock = threading.Lock()
        self.log_file = open(log_path, "a", encoding="utf-8")

    def log(self, line):
        with self.lock:
            self.log_file.write(line + "\n")
            self.log_file.flush()

    def take(self, req):
        """The exchange that answers req, or (None, the mismatch line)."""
        with self.lock:
            self.requests += 1
            while True:
                if self.pos >= len(self.script):
                    why = (f"expected no more requests (the script has {len(self.script)}), "
                           f"got {req.method} {req.path}")
                    break
                ex = self.script[self.pos]
                if ex.get("group") is not None:
                    return self.take_group(req, ex["group"])
                why = mismatch(ex.get("expect", {}), req)
                if why is None:
                    self.used.add(self.pos)
                    if not ex.get("repeat"):
                        self.pos += 1
                    return ex, None
                if ex.get("repeat") and self.pos in self.used:
                    self.pos += 1
                    continue
                break
            self.mismatches += 1
            return None, f"MISMATCH exchange {self.pos + 1}: {why}"

    def take_group(self, req, group):
        """Under the lock: the first unused exchange of the group at pos
        that matches req; pos then moves past the group's used head."""
        first_why = None
        k = self.pos
        while k < len(self.script) and self.script[k].get("group") == group:
            if k not in self.used:
                why = mismatch(self.script[k].get("expect", {}), req)
                if why is None:
                    self.used.add(k)
                    while (self.pos < len(self.script) and self.pos in self.used
                           and self.script[self.pos].get("group") == group):
                        self.pos += 1
                    return self.script[k], None
                first_why = first_why or why
            k += 1
        self.mismatches += 1
        return None, f"MISMATCH exchange {self.pos + 1} (group {group}): {first_why}"

    def status(self):
        with self.lock:
            return {"used": len(self.used), "total": len(self.script), "requests": self.requests,
                    "mismatches": self.mismatches,
                    "unused": [k + 1 for k in range(len(self.script)) if k not in self.used]}

    def report(self):
        s = self.status()
        self.log(f"STATUS used {s['used']} of {s['total']} exchanges, {s['requests']} requests, "
                 f"{s['mismatches']} mismatches")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "stub_http"
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def handle_any(self):
        stub = self.server.stub
        split = urllib.parse.urlsplit(self.path)
        self.path_only, self.query = split.path, split.query
        self.body = self.read_body()
        if self.path_only == "/__stub/status" and self.command == "GET":
            self.send_body(200, [], "application/json", json.dumps(stub.status()).encode())
            return
        self.method = self.command
        stub.log(f"REQUEST {self.command} {self.path}")
        ex, why = stub.take(self)
        if why:
            stub.log(why)
            self.send_body(599, [], "text/plain; charset=utf-8", (why + "\n").encode())
            return
        r = with_base(ex.get("respond", {}), self.server.base)
        if r.get("hang"):
            # The socket stays open, unanswered, until the server exits.
            threading.Event().wait()
        if r.get("delay"):
            time.sleep(float(r["delay"]))
        if "json" in r:
            body = json.dumps(r["json"]).encode()
        elif "body" in r:
            body = r["body"].encode()
        elif "body_bytes" in r:
            body = int(r["body_bytes"])
        else:
            body = b""
        self.send_body(int(r.get("status", 200)), list(r.get("headers", {}).items()),
                       r.get("content_type", "application/json"), body, r.get("truncate"))

    def send_body(self, status, headers, content_type, body, truncate=None):
        """body is bytes, or a count of 'x' bytes to stream."""
        length = body if isinstance(body, int) else len(body)
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for name, value in headers:
                self.send_header(name, str(value))
            self.send_header("Content-Length", str(length))
            if truncate is not None:
                self.send_header("Connection", "close")
            self.end_headers()
            n = length if truncate is None else min(int(truncate), length)
            if isinstance(body, int):
                block = b"x" * CHUNK
                sent = 0
                while sent < n:
                    k = min(CHUNK, n - sent)
                    self.wfile.write(block[:k])
                    sent += k
            else:
                self.wfile.write(body[:n])
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        if truncate is not None:
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


def main(argv):
    if len(argv) != 4:
        print("usage: stub_http.py SCRIPT.json PORTFILE LOGFILE", file=sys.stderr)
        return 2
    try:
        script = load_script(argv[1])
    except (OSError, ValueError) as e:
        print(f"stub_http: {argv[1]}: {e}", file=sys.stderr)
        return 2
    stub = Stub(script, argv[3])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # HTTPS when STUB_TLS_CERT (and STUB_TLS_KEY) name a certificate: for
    # the tests of TLS verification and ca_file.
    if os.environ.get("STUB_TLS_CERT"):
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.environ["STUB_TLS_CERT"], os.environ.get("STUB_TLS_KEY"))
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    scheme = "https" if os.environ.get("STUB_TLS_CERT") else "http"
    server.base = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    server.stub = stub

    def stop(signum, frame):
        stub.report()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Written whole, then renamed: a reader never sees half a port.
    tmp = argv[2] + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{server.server_address[1]}\n")
    os.replace(tmp, argv[2])
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
