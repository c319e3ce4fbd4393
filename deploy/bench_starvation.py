#!/usr/bin/env python3
"""Starvation figure (issue 10): how long a small host takes beside a big host's long queue.

Runs the real workers (one store, parser and crawler) twice on the shared RabbitMQ and Postgres:
  solo   — the small host's pages alone;
  beside — the big host's pages enqueued first, then the small host's.
Prints the small host's time from enqueue to its last page, the ratio beside/solo, the big host's
requests served meanwhile, and the smallest gap between two requests to one host (each test
server logs its own request times). The target: beside ≤ 2 × solo, every gap ≥ the interval.

    deploy/bench_starvation.py [--bin target/release/newspipe] [--interval-ms 100]
                               [--big 5000] [--small 30]
Not run by the test suite.
"""

import argparse
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid

PG = os.environ.get("PGURL", "postgres://postgres@127.0.0.1:5432")
AMQP = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2f")


class Host:
    """A test server on 127.0.0.x that serves /<name>/<i> and records each request's time."""

    def __init__(self, addr, name):
        self.times = []
        self.name = name
        lock = threading.Lock()
        times = self.times

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with lock:
                    times.append((time.time(), self.path))
                if self.path == "/robots.txt":
                    body, status = b"User-agent: *\nAllow: /\n", 200
                else:
                    body = f"<html><head><title>{self.path}</title></head><body><p>page {self.path}</p></body></html>".encode()
                    status = 200
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8" if status == 200 and self.path != "/robots.txt" else "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer((addr, 0), Handler)
        self.base = f"http://{addr}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def pages(self):
        return sum(1 for _, p in self.times if p.startswith(f"/{self.name}/"))

    def min_gap_ms(self):
        ts = sorted(t for t, _ in self.times)
        return min((b - a) * 1000 for a, b in zip(ts, ts[1:])) if len(ts) > 1 else None


def run(args, solo):
    big = Host("127.0.0.2", "big")
    small = Host("127.0.0.3", "small")
    tag = uuid.uuid4().hex[:8]
    db, prefix = f"bench_starve_{tag}", f"bench_starve_{tag}"
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"{PG}/{db}",
        "AMQP_URL": AMQP,
        "NEWSPIPE__AMQP__PREFIX": prefix,
        "NEWSPIPE__CRAWLER__ALLOW_PRIVATE_NETWORKS": "true",
        "NEWSPIPE__POLITENESS__MIN_INTERVAL_MS": str(args.interval_ms),
        "NEWSPIPE__FRONTIER__MAX_DEPTH": "0",
        "NEWSPIPE__REVISIT__ENABLED": "false",
        "RUST_LOG": "warn",
    })
    logs = tempfile.mkdtemp(prefix="starve-")
    subprocess.run([args.bin, "migrate"], env=env, check=True, capture_output=True)
    workers = [
        subprocess.Popen([args.bin, role], env=env, stdout=subprocess.DEVNULL,
                         stderr=open(f"{logs}/{role}.log", "w"))
        for role in ("store", "parser", "crawler")
    ]
    try:
        urls = [] if solo else [f"{big.base}/big/{i}" for i in range(args.big)]
        urls += [f"{small.base}/small/{i}" for i in range(args.small)]
        t0 = time.time()
        subprocess.run([args.bin, "enqueue", "-"], env=env, input="\n".join(urls).encode(),
                       check=True, capture_output=True)
        while small.pages() < args.small:
            if time.time() - t0 > 600:
                sys.exit(f"small host: {small.pages()} of {args.small} pages after 600 s (logs: {logs})")
            time.sleep(0.05)
        done = max(t for t, p in small.times if p.startswith("/small/")) - t0
        return done, big.pages(), small.min_gap_ms(), big.min_gap_ms()
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=30)
        big.server.shutdown()
        small.server.shutdown()
        subprocess.run(["psql", "-q", f"{PG}/postgres", "-c", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"],
                       capture_output=True)
        listed = subprocess.run(["rabbitmqctl", "-q", "list_queues", "name"], capture_output=True, text=True)
        for q in listed.stdout.split():
            if q.startswith(prefix + "."):
                subprocess.run(["rabbitmqctl", "-q", "delete_queue", q], capture_output=True)
        shutil.rmtree(logs, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "newspipe"))
    ap.add_argument("--interval-ms", type=int, default=100)
    ap.add_argument("--big", type=int, default=5000)
    ap.add_argument("--small", type=int, default=30)
    args = ap.parse_args()
    print(f"bench_starvation: {os.cpu_count()} cores, {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}, "
          f"interval {args.interval_ms} ms, big {args.big}, small {args.small}, bin {args.bin}")
    solo, _, gap_s, _ = run(args, solo=True)
    print(f"solo:   small host done in {solo:.2f} s (min gap {gap_s:.1f} ms)")
    beside, big_done, gap_s2, gap_b = run(args, solo=False)
    print(f"beside: small host done in {beside:.2f} s while the big host served {big_done} of {args.big} "
          f"(min gap small {gap_s2:.1f} ms, big {gap_b:.1f} ms)")
    print(f"ratio beside/solo: {beside / solo:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
