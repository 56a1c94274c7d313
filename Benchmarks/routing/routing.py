#!/usr/bin/env python3
"""Load generators of the routing benchmark (Benchmarks/routing/run.sh); standard library only.

  routing.py publish HOST:PORT TOPIC COUNT DATA_BYTES         POST structured batches of 500 events
  routing.py queue HOST:PORT QUEUE COUNT MAX WORKERS          receive?max=MAX -> ack, until COUNT acked
  routing.py poll HOST:PORT TOPIC PARTITIONS COUNT LIMIT WORKERS   GET /topics/T/events?limit=LIMIT
  routing.py fsync DIR SECONDS                                 4 KiB write + fdatasync, one writer

Each load command prints one line `records=N seconds=S rate=R calls=C` (calls: HTTP requests made).
"""
import http.client
import json
import os
import sys
import threading
import time

TYPES = ["com.example.orders.created", "com.example.orders.shipped", "com.example.payments.settled"]
REGIONS = ["eu-west", "eu-north", "us-east", "us-west"]


def connect(address):
    host, port = address.rsplit(":", 1)
    return http.client.HTTPConnection(host, int(port), timeout=120)


def request(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    if response.status >= 300:
        raise SystemExit(f"{method} {path}: {response.status} {data[:300]!r}")
    return data


def publish(address, topic, count, data_bytes):
    """Structured CloudEvents (binary mode once stored), round-robin over the topic's partitions."""
    filler = "x" * max(0, data_bytes - 40)
    conn = connect(address)
    sent = 0
    start = time.monotonic()
    while sent < count:
        batch = []
        for n in range(sent, min(count, sent + 500)):
            batch.append({
                "specversion": "1.0", "id": f"evt-{n}", "source": f"/shops/eu/{n % 50}",
                "type": TYPES[n % len(TYPES)], "subject": f"order-{100000 + n}",
                "time": "2026-11-23T12:00:00.000Z", "datacontenttype": "application/json",
                "region": REGIONS[n % len(REGIONS)], "priority": "normal",
                "data": {"order": n, "items": filler},
            })
        request(conn, "POST", f"/topics/{topic}/events", json.dumps(batch),
                {"Content-Type": "application/cloudevents-batch+json"})
        sent += len(batch)
    seconds = time.monotonic() - start
    print(f"records={sent} seconds={seconds:.3f} rate={sent / seconds:.0f} calls={(count + 499) // 500}")


def run_workers(workers, body):
    """Runs body(worker_index) on `workers` threads; returns the seconds they took together."""
    threads = [threading.Thread(target=body, args=(i,)) for i in range(workers)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - start


def queue(address, name, count, maximum, workers):
    """Workers loop: receive up to `maximum` records, acknowledge all their receipts."""
    lock = threading.Lock()
    totals = {"acked": 0, "calls": 0}

    def worker(_):
        conn = connect(address)
        calls = 0
        while True:
            with lock:
                if totals["acked"] >= count:
                    break
            messages = json.loads(request(conn, "POST", f"/queues/{name}/receive?max={maximum}&timeout_ms=200"))
            calls += 1
            receipts = [m["receipt"] for m in messages["messages"]]
            if not receipts:
                continue
            results = json.loads(request(conn, "POST", f"/queues/{name}/ack", json.dumps({"receipts": receipts}),
                                         {"Content-Type": "application/json"}))
            calls += 1
            ok = sum(1 for r in results["results"] if r["status"] == "ok")
            with lock:
                totals["acked"] += ok
        with lock:
            totals["calls"] += calls

    seconds = run_workers(workers, worker)
    acked = totals["acked"]
    print(f"records={acked} seconds={seconds:.3f} rate={acked / seconds:.0f} calls={totals['calls']}")


def poll(address, topic, partitions, count, limit, workers):
    """Reads `count` records (spread evenly over the partitions) with GET long polls of `limit` records;
    the partitions are shared out among the workers."""
    per_partition = count // partitions
    lock = threading.Lock()
    totals = {"records": 0, "calls": 0}

    def worker(index):
        conn = connect(address)
        mine = [p for p in range(partitions) if p % workers == index]
        offsets = {p: 0 for p in mine}
        records = calls = 0
        while mine:
            for p in list(mine):
                events = json.loads(request(
                    conn, "GET", f"/topics/{topic}/events?partition={p}&offset={offsets[p]}&limit={limit}&timeout_ms=200"))
                calls += 1
                take = min(len(events), per_partition - offsets[p])
                offsets[p] += take
                records += take
                if offsets[p] >= per_partition:
                    mine.remove(p)
        with lock:
            totals["records"] += records
            totals["calls"] += calls

    seconds = run_workers(workers, worker)
    records = totals["records"]
    print(f"records={records} seconds={seconds:.3f} rate={records / seconds:.0f} calls={totals['calls']}")


def fsync(directory, seconds):
    path = os.path.join(directory, "fsync-probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    block = b"\xa5" * 4096
    syncs = 0
    latencies = []
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        t = time.monotonic()
        os.write(fd, block)
        os.fdatasync(fd)
        latencies.append(time.monotonic() - t)
        syncs += 1
    elapsed = time.monotonic() - start
    os.close(fd)
    os.unlink(path)
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    print(f"syncs={syncs} seconds={elapsed:.3f} rate={syncs / elapsed:.0f} p99_ms={p99:.3f}")


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    command, args = argv[1], argv[2:]
    if command == "publish":
        publish(args[0], args[1], int(args[2]), int(args[3]))
    elif command == "queue":
        queue(args[0], args[1], int(args[2]), int(args[3]), int(args[4]))
    elif command == "poll":
        poll(args[0], args[1], int(args[2]), int(args[3]), int(args[4]), int(args[5]))
    elif command == "fsync":
        fsync(args[0], float(args[1]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
