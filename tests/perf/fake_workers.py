"""Simulated workers for tests/perf/master_reports.sh: N ZeroMQ DEALER
sockets in one process that speak Locust's worker protocol (client_ready,
heartbeat every 1 s, spawning/spawning_complete, a stats report every 3 s
with ENTRIES entries, client_stopped) to a master, loadhost's or Locust's.
Each report adds the same known number of requests, so the driver knows at
every moment how many requests it has sent; it asks the master's
/stats/requests every POLL seconds how many it has merged, and the lag is
how long ago the driver had sent that many.

    /usr/bin/python3 tests/perf/fake_workers.py --master-port P --web URL \
        --workers 1000 --entries 50 --seconds 30 --flavour loadhost|locust \
        --version VERSION --master-pid PID

Prints one JSON line: reports sent in the measured window, the master's CPU
seconds over it (from /proc), CPU per report, and the lag's median and max.
Needs Debian's python3-zmq and python3-msgpack (/usr/bin/python3).
"""
import argparse
import json
import os
import statistics
import sys
import time
import urllib.parse
import urllib.request

import msgpack
import zmq

REPORT_INTERVAL = 3.0
HEARTBEAT_INTERVAL = 1.0
REQUESTS_PER_ENTRY = 20  # per report: each of the 20 histogram buckets holds one


def entry(name, now):
    """One stats entry as Locust 2.12's StatsEntry.serialize() writes it."""
    return {
        "name": name, "method": "GET",
        "last_request_timestamp": now, "start_time": now - 3,
        "num_requests": REQUESTS_PER_ENTRY, "num_none_requests": 0, "num_failures": 0,
        "total_response_time": sum(range(1, REQUESTS_PER_ENTRY + 1)),
        "max_response_time": REQUESTS_PER_ENTRY, "min_response_time": 1,
        "total_content_length": 17 * REQUESTS_PER_ENTRY,
        "response_times": {ms: 1 for ms in range(1, REQUESTS_PER_ENTRY + 1)},
        "num_reqs_per_sec": {int(now): REQUESTS_PER_ENTRY}, "num_fail_per_sec": {},
    }


def with_histogram(e):
    """A loadhost worker's entry adds its exact histogram (core/distributed/
    stats_wire.cpp): [count, sum_us, min_us, max_us, [gap, n, ...]]. The
    buckets are synthetic but valid: 20 adjacent buckets of one sample."""
    buckets = [100, 1] + [1, 1] * (REQUESTS_PER_ENTRY - 1)
    e = dict(e)
    e["loadhost_histogram"] = [REQUESTS_PER_ENTRY, e["total_response_time"] * 1000, 1000,
                               REQUESTS_PER_ENTRY * 1000, buckets]
    return e


def report_payload(node_id, entries, flavour, users):
    now = time.time()
    rows = [entry(f"/item/{k}", now) for k in range(entries)]
    total = entry("Aggregated", now)
    total["num_requests"] = REQUESTS_PER_ENTRY * entries
    total["response_times"] = {ms: entries for ms in range(1, REQUESTS_PER_ENTRY + 1)}
    total["total_response_time"] *= entries
    total["num_reqs_per_sec"] = {int(now): REQUESTS_PER_ENTRY * entries}
    if flavour == "loadhost":
        rows = [with_histogram(r) for r in rows]
        total = with_histogram(total)
        total["loadhost_histogram"] = [REQUESTS_PER_ENTRY * entries, total["total_response_time"] * 1000, 1000,
                                       REQUESTS_PER_ENTRY * 1000, [100, entries] + [1, entries] * (REQUESTS_PER_ENTRY - 1)]
    data = {"stats": rows, "stats_total": total, "errors": {}, "user_count": users,
            "user_classes_count": {"Hello": users}}
    return msgpack.packb(("stats", data, node_id))


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def merged_requests(web):
    with urllib.request.urlopen(web + "/stats/requests", timeout=5) as r:
        body = json.load(r)
    total = [s for s in body["stats"] if s["name"] == "Aggregated"]
    return total[0]["num_requests"] if total else 0, len(body.get("workers", []))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--master-port", type=int, required=True)
    ap.add_argument("--web", required=True)
    ap.add_argument("--workers", type=int, default=1000)
    ap.add_argument("--entries", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--flavour", choices=["loadhost", "locust"], default="loadhost")
    ap.add_argument("--version", default="2.12.1")
    ap.add_argument("--master-pid", type=int, required=True)
    ap.add_argument("--poll", type=float, default=0.25)
    a = ap.parse_args()

    ctx = zmq.Context(io_threads=1)
    ctx.setsockopt(zmq.MAX_SOCKETS, a.workers + 64)
    poller = zmq.Poller()
    workers = []
    for i in range(a.workers):
        s = ctx.socket(zmq.DEALER)
        node_id = f"fake_{i}_{os.getpid()}"
        s.setsockopt(zmq.IDENTITY, node_id.encode())
        s.setsockopt(zmq.LINGER, 0)
        s.connect(f"tcp://127.0.0.1:{a.master_port}")
        s.send(msgpack.packb(("client_ready", a.version, node_id)))
        poller.register(s, zmq.POLLIN)
        workers.append({"socket": s, "id": node_id, "users": 0, "state": "ready", "payload": None,
                        "next_heartbeat": time.monotonic() + HEARTBEAT_INTERVAL * i / a.workers,
                        "next_report": None})
    by_socket = {w["socket"]: w for w in workers}

    # Wait until the master lists every worker, then start the test from its
    # HTTP API (the same POST /swarm on both masters).
    deadline = time.monotonic() + 60
    sent = 0        # requests in reports sent so far
    sent_at = []    # (monotonic time, cumulative requests sent) per report
    reports_in_window = 0
    lags = []
    started = measuring = None
    cpu_start = None
    next_poll = time.monotonic()
    swarmed = False
    while True:
        now = time.monotonic()
        for sock, _ in poller.poll(timeout=10):
            w = by_socket[sock]
            while True:
                try:
                    raw = sock.recv(zmq.NOBLOCK)
                except zmq.Again:
                    break
                kind, data, _ = msgpack.unpackb(raw, raw=False, strict_map_key=False)
                if kind == "spawn":
                    w["users"] = sum(data["user_classes_count"].values())
                    w["state"] = "running"
                    sock.send(msgpack.packb(("spawning", None, w["id"])))
                    sock.send(msgpack.packb(("spawning_complete", {"user_classes_count": data["user_classes_count"],
                                                                   "user_count": w["users"]}, w["id"])))
                    w["payload"] = report_payload(w["id"], a.entries, a.flavour, w["users"])
                    if w["next_report"] is None:
                        w["next_report"] = now + REPORT_INTERVAL * (workers.index(w) + 1) / a.workers
                elif kind == "stop":
                    w["state"], w["users"], w["next_report"] = "ready", 0, None
                    sock.send(msgpack.packb(("client_stopped", None, w["id"])))
                    sock.send(msgpack.packb(("client_ready", a.version, w["id"])))
                elif kind == "quit":
                    w["state"] = "quit"
        now = time.monotonic()
        for w in workers:
            if w["state"] == "quit":
                continue
            if now >= w["next_heartbeat"]:
                w["next_heartbeat"] += HEARTBEAT_INTERVAL
                w["socket"].send(msgpack.packb(("heartbeat", {"state": w["state"], "current_cpu_usage": 1.5,
                                                              "current_memory_usage": 30_000_000}, w["id"])))
            if w["next_report"] is not None and now >= w["next_report"]:
                w["next_report"] += REPORT_INTERVAL
                w["socket"].send(w["payload"])
                sent += REQUESTS_PER_ENTRY * a.entries
                sent_at.append((now, sent))
                if measuring is not None:
                    reports_in_window += 1
        if now >= next_poll:
            next_poll = now + a.poll
            try:
                merged, listed = merged_requests(a.web)
            except Exception as e:  # the master is busy or gone: say so, and retry
                merged, listed = None, 0
                print(f"fake_workers: /stats/requests failed: {e}", file=sys.stderr)
            if not swarmed:
                if listed >= a.workers:
                    form = urllib.parse.urlencode({"user_count": a.workers, "spawn_rate": a.workers}).encode()
                    urllib.request.urlopen(a.web + "/swarm", data=form, timeout=10).read()
                    swarmed, started = True, now
                elif now > deadline:
                    sys.exit(f"fake_workers: the master lists {listed} of {a.workers} workers after 60 s")
            elif merged is not None:
                # Measure after one full report cycle, once every worker reports.
                if measuring is None and now - started > 2 * REPORT_INTERVAL:
                    measuring, cpu_start, reports_in_window = now, cpu_seconds(a.master_pid), 0
                if measuring is not None:
                    # The lag: how long ago had the driver sent what the master shows?
                    reached = next((t for t, c in sent_at if c >= merged), None)
                    lags.append(now - reached if reached is not None else 0.0)
                    if now - measuring >= a.seconds:
                        break
    cpu = cpu_seconds(a.master_pid) - cpu_start
    window = time.monotonic() - measuring
    urllib.request.urlopen(a.web + "/stop", timeout=10).read()
    print(json.dumps({
        "workers": a.workers, "entries": a.entries, "flavour": a.flavour,
        "window_s": round(window, 1), "reports": reports_in_window,
        "master_cpu_s": round(cpu, 2), "master_core_share": round(cpu / window, 3),
        "cpu_ms_per_report": round(cpu / max(reports_in_window, 1) * 1000, 3),
        "lag_median_s": round(statistics.median(lags), 3), "lag_max_s": round(max(lags), 3),
        "merged_requests": merged, "sent_requests": sent,
    }))


if __name__ == "__main__":
    main()
