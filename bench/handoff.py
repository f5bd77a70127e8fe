#!/usr/bin/env python3
"""Event to delivered webhook, under load: the demo workspace (release build) served by
`leadgate serve`, with a webhook to a receiver on loopback. Events are POSTed to
/api/events at RATE a second for SECONDS, one item a call, on keep-alive connections:
mostly page views of the blog (they rescore the lead they touch), and every SHARE-th a demo
request of a lead that has no task yet — a hand raised, which the server turns into an
IntentShown event, a task for the rep and a signed webhook delivery. For each demo
request, the time from just before its POST to the webhook's arrival at the receiver is
one measurement; the figures are its median, p90, p99 and slowest, with the POSTs' own
times and how many arrived.

    bench/handoff.py [--backend sqlite|postgres] [--rate 500] [--seconds 60] [--share 10]
                     [--scale 20] [--batch 1] [--no-email]

--batch N posts N events a call (the API takes batches, as a tag manager or a CDP sends
them); --no-email leaves out the e-mail alerts, so that only the webhooks go.

Needs only the Python standard library. On PostgreSQL the demo is built in the database
leadgate_bench on 127.0.0.1:5432 (dropped and made afresh).
"""

import argparse
import http.client
import http.server
import json
import os
import queue
import random
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEADGATE = os.path.join(ROOT, "target", "release", "leadgate")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args, **kw):
    return subprocess.run([LEADGATE, *args], check=True, capture_output=True, text=True, **kw).stdout


class Receiver(http.server.BaseHTTPRequestHandler):
    """Keeps each delivery's arrival time with the lead's address it is about."""

    arrivals = {}
    lock = threading.Lock()

    def do_POST(self):
        at = time.monotonic()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()
        try:
            email = json.loads(body)["lead"]["email"]
        except (ValueError, KeyError, TypeError):
            return
        with Receiver.lock:
            Receiver.arrivals.setdefault(email, at)

    def log_message(self, *args):
        pass


def quantile(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, round((len(values) - 1) * q))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--rate", type=int, default=500)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--share", type=int, default=10, help="every SHARE-th event is a demo request")
    ap.add_argument("--scale", type=int, default=20)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--no-email", action="store_true", help="webhooks only: no e-mail alerts")
    ap.add_argument("--batch", type=int, default=1, help="events per POST (the API takes batches)")
    ap.add_argument("--leadgate", help="a leadgate binary to measure (another build); not built")
    ap.add_argument("--loops", type=int, default=None,
                    help="the server's worker loops ([worker] concurrency; the default when not given)")
    args = ap.parse_args()

    global LEADGATE
    if args.leadgate:
        LEADGATE = os.path.abspath(args.leadgate)
    else:
        subprocess.run(["cargo", "build", "--release", "-p", "leadgate", "--bin", "leadgate", "--quiet"],
                       cwd=ROOT, check=True)
    work = os.path.join(ROOT, "target", "bench-handoff")
    ws = os.path.join(work, f"demo-{args.backend}")
    shutil.rmtree(ws, ignore_errors=True)
    os.makedirs(work, exist_ok=True)
    demo = ["demo", "--walkthrough", "--no-serve", "--dir", ws, "--scale", str(args.scale)]
    if args.backend == "postgres":
        base = "postgres://postgres@127.0.0.1:5432"
        for sql in ["DROP DATABASE IF EXISTS leadgate_bench", "CREATE DATABASE leadgate_bench"]:
            subprocess.run(["psql", f"{base}/postgres", "-qc", sql], check=True)
        demo += ["--database-url", f"{base}/leadgate_bench"]
    started = time.monotonic()
    run(*demo)
    built = time.monotonic() - started

    # The receiver, and the webhook to it.
    receiver_port = free_port()
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", receiver_port), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    config = os.path.join(ws, "leadgate.toml")
    with open(config, "a") as f:
        f.write(f'\n[[handoff.webhooks]]\nurl = "http://127.0.0.1:{receiver_port}/hook"\n')
    if args.loops is not None:
        with open(config) as f:
            text = f.read()
        with open(config, "w") as f:
            text = re.sub(r"\nconcurrency = \d+\n", "\n", text)
            f.write(text.replace("\n[worker]\n", f"\n[worker]\nconcurrency = {args.loops}\n", 1))
    if args.no_email:
        with open(config) as f:
            text = f.read()
        with open(config, "w") as f:
            f.write(text.replace('\n[handoff]\n', '\n[handoff]\nemail_alerts = false\n', 1))

    leads = json.loads(run("-w", ws, "leads", "list", "--json"))
    tasks = json.loads(run("-w", ws, "tasks", "list", "--all", "--json"))
    taken = {t["contact_id"] for t in tasks}
    raisers = [l["email"] for l in leads if l.get("email") and l["id"] not in taken]
    random.Random(7).shuffle(raisers)
    visitors = [l["email"] for l in leads if l.get("email")]
    total = args.rate * args.seconds
    wanted = total // args.share
    if len(raisers) < wanted:
        sys.exit(f"only {len(raisers)} leads without a task for {wanted} demo requests: raise --scale")
    token = run("-w", ws, "token", "create", "--as", "otto", "--name", "bench").strip().split()[-1]

    port = free_port()
    log = open(os.path.join(ws, "serve.log"), "w")
    server = subprocess.Popen([LEADGATE, "-w", ws, "serve", "--bind", f"127.0.0.1:{port}"],
                              stdout=log, stderr=log)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        measure(args, port, token, raisers, visitors, total, wanted, built, ws)
    finally:
        server.terminate()
        server.wait()
        receiver.shutdown()


def measure(args, port, token, raisers, visitors, total, wanted, built, ws):
    now = lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    work = queue.Queue()
    sent = {}
    post_times = []
    failures = []
    lock = threading.Lock()

    def poster():
        conn = http.client.HTTPConnection("127.0.0.1", port)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        while True:
            item = work.get()
            if item is None:
                return
            due, events = item
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            t0 = time.monotonic()
            with lock:
                for event in events:
                    if event["kind"] == "demo_request":
                        sent[event["email"]] = t0
            conn.request("POST", "/api/events", json.dumps(events), headers)
            response = conn.getresponse()
            response.read()
            t1 = time.monotonic()
            with lock:
                post_times.extend([t1 - t0] * len(events))
                if response.status != 201:
                    failures.extend([response.status] * len(events))

    threads = [threading.Thread(target=poster) for _ in range(args.connections)]
    for t in threads:
        t.start()
    start = time.monotonic() + 0.5
    rng = random.Random(11)
    raised = iter(raisers)
    batch = []
    for i in range(total):
        if i % args.share == 0:
            event = {"kind": "demo_request", "email": next(raised), "at": now(),
                     "detail": "Book a demo form"}
        else:
            event = {"kind": "page_view", "email": rng.choice(visitors), "at": now(),
                     "url": "https://routewise.example/blog/lead-routing"}
        batch.append(event)
        if len(batch) == args.batch or i == total - 1:
            work.put((start + (i + 1 - len(batch)) / args.rate, batch))
            batch = []
    for _ in threads:
        work.put(None)
    for t in threads:
        t.join()
    finished = time.monotonic()
    # Webhooks still on their way: wait a little for the last ones.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with Receiver.lock:
            if all(e in Receiver.arrivals for e in sent):
                break
        time.sleep(0.05)
    with Receiver.lock:
        latencies = [Receiver.arrivals[e] - t0 for e, t0 in sent.items() if e in Receiver.arrivals]
    ms = lambda s: round(s * 1000, 1)
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(json.dumps({
        "backend": args.backend,
        "machine": f"{os.cpu_count()} cores, {cpu}, load {load}",
        "demo_scale": args.scale,
        "events_per_post": args.batch,
        "email_alerts": not args.no_email,
        "worker_loops": args.loops,
        "demo_built_s": round(built, 1),
        "events_posted": len(post_times),
        "events_refused": len(failures),
        "achieved_rate_per_s": round(len(post_times) / (finished - start), 1),
        "post_ms": {"median": ms(quantile(post_times, 0.5)), "p99": ms(quantile(post_times, 0.99))},
        "demo_requests": len(sent),
        "webhooks_delivered": len(latencies),
        "event_to_webhook_ms": {
            "median": ms(quantile(latencies, 0.5)),
            "p90": ms(quantile(latencies, 0.9)),
            "p99": ms(quantile(latencies, 0.99)),
            "max": ms(max(latencies) if latencies else float("nan")),
        },
    }, indent=2))


if __name__ == "__main__":
    main()
