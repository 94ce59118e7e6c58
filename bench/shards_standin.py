#!/usr/bin/env python3
"""Stand-in API for bench/shards.py: standin.py's org list and sync endpoint, with every answer (the
org list pages too) after --delay-ms, and the proof that N shards synced every org exactly once:

  GET /_bench/stats  {"syncs": n, "distinct": d, "duplicates": k, "max_in_flight": m, "connections": c,
                      "pages": p}

Listens on 127.0.0.1 only, prints its port, stops with the benchmark.
"""
import argparse
import json
import os
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import standin  # noqa: E402  (the same handler, pages and counters as the main benchmark)


class Handler(standin.Handler):
    def _handle(self, method):
        url = urlsplit(self.path)
        if method == "GET" and url.path == "/_bench/stats":
            self._drain()
            with self.server.lock:
                stats = dict(self.server.stats)
                stats["distinct"] = len(self.server.seen)
                stats["duplicates"] = stats["syncs"] - stats["distinct"]
            return self._send(200, json.dumps(stats).encode())
        if method == "GET" and url.path == "/admin/orgs":
            self._drain()
            time.sleep(self.server.cfg.delay_ms / 1000.0)
            with self.server.lock:
                self.server.stats["pages"] += 1
            return self._send(200, self._org_page(parse_qs(url.query)))
        m = standin.SYNC_PATH.match(url.path)
        if method == "POST" and m:
            with self.server.lock:
                self.server.seen.add(m.group(1))
        return super()._handle(method)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--orgs", type=int, required=True)
    p.add_argument("--page-size", type=int, default=100)
    p.add_argument("--delay-ms", type=float, default=100)
    p.add_argument("--max-seconds", type=float, default=3600)
    cfg = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 256
    server.cfg = cfg
    server.stubs = []
    server.stats = {"syncs": 0, "in_flight": 0, "max_in_flight": 0, "connections": 0, "pages": 0}
    server.seen = set()
    server.lock = threading.Lock()
    print(server.server_address[1], flush=True)
    timer = threading.Timer(cfg.max_seconds, server.shutdown)
    timer.daemon = True
    timer.start()
    threading.Thread(target=standin.stop_when_orphaned, args=(server,), daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
