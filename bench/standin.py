#!/usr/bin/env python3
"""Local stand-in for the CloudAct API and BigQuery's REST API, for the benchmark only.

It answers as the local sandbox does: from the packs' sandbox files (src/main/resources/packs/**/
*.sandbox.yaml, WireMock mappings in YAML: method + urlPath / urlPathPattern -> status + jsonBody),
and any other POST with 200 {} (the sandbox's answer for the call a route declares). On top of that,
for org-sync-all:

  GET  /admin/orgs?status=active[&page_token=K]  pages of --orgs synthetic orgs, --page-size each,
                                                 next_page_token until the last page
  POST /admin/orgs/{slug}/sync                   200 after --delay-ms (the fixed per-call latency)
  GET  /_bench/stats                             {"syncs": n, "max_in_flight": m, "connections": c}:
                                                 proof the job synced every org, how many calls were
                                                 in flight at most, how many connections it opened

Listens on 127.0.0.1 only and stops by itself after --max-seconds. Prints the port on stdout.
"""
import argparse
import json
import os
import pathlib
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SYNC_PATH = re.compile(r"^/admin/orgs/([^/]+)/sync$")


def load_stubs(folder):
    """(method, compiled path regex, status, body bytes) for each mapping of the sandbox files, by priority."""
    try:
        import yaml  # PyYAML: Debian's python3-yaml, or pip install pyyaml
    except ImportError:
        sys.exit("bench/standin.py reads the sandbox files with PyYAML: apt-get install python3-yaml (or pip install pyyaml)")
    stubs = []
    for path in sorted(pathlib.Path(folder).glob("**/*.sandbox.yaml")):
        for m in yaml.safe_load(path.read_text()) or []:
            stubs.append(stub(m))
    if not stubs:
        sys.exit(f"bench/standin.py: no *.sandbox.yaml under {folder}")
    stubs = [s for s in stubs if s]
    stubs.sort(key=lambda s: s[0])
    return stubs


def stub(m):
    """One mapping as (priority, method, path regex, status, body), or None without a path."""
    req, res = m["request"], m["response"]
    if "urlPath" in req:
        pattern = re.escape(req["urlPath"])
    elif "urlPathPattern" in req:
        pattern = req["urlPathPattern"]
    else:
        return None
    body = json.dumps(res.get("jsonBody", {})).encode()
    return (m.get("priority", 5), req.get("method", "ANY"), re.compile("^" + pattern + "$"),
            res.get("status", 200), body)


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 so the job's connection pool keeps its connections (as it would against the real API)
    protocol_version = "HTTP/1.1"

    # a kept-alive connection idle this long is closed, so a client that opens a connection per call
    # cannot pile up thousands of idle server threads
    timeout = 2

    def setup(self):
        super().setup()
        with self.server.lock:
            self.server.stats["connections"] += 1
        # headers and body go out in two writes: without this, Nagle's algorithm and the client's
        # delayed ACK add ~40 ms to every answer on a kept-alive connection
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):  # quiet: thousands of requests
        pass

    def _send(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drain(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def _handle(self, method):
        self._drain()
        cfg = self.server.cfg
        url = urlsplit(self.path)
        if method == "GET" and url.path == "/_bench/stats":
            return self._send(200, json.dumps(self.server.stats).encode())
        if method == "GET" and url.path == "/admin/orgs":
            return self._send(200, self._org_page(parse_qs(url.query)))
        m = SYNC_PATH.match(url.path)
        if method == "POST" and m:
            stats, lock = self.server.stats, self.server.lock
            with lock:
                stats["in_flight"] += 1
                stats["max_in_flight"] = max(stats["max_in_flight"], stats["in_flight"])
            time.sleep(cfg.delay_ms / 1000.0)
            with lock:
                stats["in_flight"] -= 1
                stats["syncs"] += 1
            return self._send(200, b'{"status":"ok"}')
        for _, want, pattern, status, body in self.server.stubs:
            if want in (method, "ANY") and pattern.match(url.path):
                return self._send(status, body)
        if method == "POST":
            return self._send(200, b"{}")
        self._send(404, b'{"error":"no stub"}')

    def _org_page(self, query):
        cfg = self.server.cfg
        start = int(query.get("page_token", ["0"])[0])
        end = min(start + cfg.page_size, cfg.orgs)
        page = {"orgs": [{"org_slug": "org-%06d" % i} for i in range(start, end)]}
        if end < cfg.orgs:
            page["next_page_token"] = str(end)
        return json.dumps(page).encode()


def stop_when_orphaned(server):
    """Stops with the benchmark even when it was killed before it could stop this server."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(1)
    server.shutdown()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mappings", required=True, help="folder searched for *.sandbox.yaml (the packs)")
    p.add_argument("--orgs", type=int, default=5)
    p.add_argument("--page-size", type=int, default=100)
    p.add_argument("--delay-ms", type=float, default=0)
    p.add_argument("--max-seconds", type=float, default=1800)
    cfg = p.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    server.cfg = cfg
    server.stubs = load_stubs(cfg.mappings)
    server.stats = {"syncs": 0, "in_flight": 0, "max_in_flight": 0, "connections": 0}
    server.lock = threading.Lock()
    print(server.server_address[1], flush=True)
    # bounded: never outlives the benchmark, even if the driver is killed
    timer = threading.Timer(cfg.max_seconds, server.shutdown)
    timer.daemon = True
    timer.start()
    threading.Thread(target=stop_when_orphaned, args=(server,), daemon=True).start()
    server.serve_forever()
    sys.exit(0)


if __name__ == "__main__":
    main()
