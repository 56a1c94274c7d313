"""Queues (share groups over a stream) against a real node: competing consumer processes with leases and a
consumer killed while holding leases, stale receipts, release with a delay, reject and max-deliveries dead
letters, multicast to two queues, filters, delayed delivery, durable queue state and the admin API."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime

from conftest import Node
from sinks import call, call_json, create_topic, problem_code, publish, publish_batch, read_events, rfc3339, wait_until

API = "/api/v1/queues"


def create(node, name, topic, **fields):
    status, _, body = call_json("POST", f"{node.http}{API}", {"name": name, "topic": topic, **fields})
    assert status == 201, (status, body)
    return body


def receive(node, queue, max=10, timeout_ms=0, lease_ms=None):
    url = f"{node.http}/queues/{queue}/receive?max={max}&timeout_ms={timeout_ms}"
    if lease_ms is not None:
        url += f"&lease_ms={lease_ms}"
    status, _, body = call_json("POST", url, timeout=timeout_ms / 1000 + 30)
    assert status == 200, (status, body)
    return body["messages"]


def receive_until(node, queue, count, timeout=20.0, lease_ms=None):
    """Receives until `count` messages arrived (without settling them)."""
    deadline = time.monotonic() + timeout
    messages = []
    while len(messages) < count and time.monotonic() < deadline:
        messages += receive(node, queue, max=count - len(messages), timeout_ms=500, lease_ms=lease_ms)
    return messages


def settle(node, queue, action, receipts, **extra):
    status, _, body = call_json("POST", f"{node.http}/queues/{queue}/{action}", {"receipts": receipts, **extra})
    assert status == 200, (status, body)
    return [result["status"] for result in body["results"]]


def queue_status(node, name):
    status, _, body = call_json("GET", f"{node.http}{API}/{name}")
    assert status == 200, (status, body)
    return body


def drained(node, name):
    """True when every record of every partition is settled and nothing is leased."""
    partitions = queue_status(node, name)["status"]["partitions"]
    return bool(partitions) and all(p["settled"] == p["end"] and p["leased"] == 0 for p in partitions)


def epoch(rfc3339_text):
    return datetime.fromisoformat(rfc3339_text.replace("Z", "+00:00")).timestamp()


# MARK: Competing consumers

# A consumer process: receives, acks at once, prints one JSON line per ack result; stops when the stop file
# exists. As the victim (`hold`), it receives once, prints what it holds and sleeps until it is killed.
CONSUMER = textwrap.dedent("""
    import json, os, sys, time, urllib.request
    base, queue, mode, stop = sys.argv[1:5]

    def post(path, body=None):
        data = json.dumps(body).encode() if body is not None else b""
        request = urllib.request.Request(base + path, data=data, method="POST",
                                         headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    if mode == "hold":
        messages = []
        while len(messages) < 20:
            messages += post(f"/queues/{queue}/receive?max={20 - len(messages)}&timeout_ms=1000")["messages"]
        print(json.dumps([{"id": m["event"]["id"], "leaseExpiresAt": m["leaseExpiresAt"],
                           "at": time.time()} for m in messages]), flush=True)
        time.sleep(3600)
    while not os.path.exists(stop):
        messages = post(f"/queues/{queue}/receive?max=10&timeout_ms=300")["messages"]
        if not messages:
            continue
        received = time.time()
        results = post(f"/queues/{queue}/ack", {"receipts": [m["receipt"] for m in messages]})["results"]
        for message, result in zip(messages, results):
            print(json.dumps({"id": message["event"]["id"], "deliveryCount": message["deliveryCount"],
                              "status": result["status"], "at": received}), flush=True)
""")


def test_competing_consumers_share_the_work_and_a_killed_consumers_leases_come_back(node, tmp_path):
    create_topic(node, "jobs", 3)
    create(node, "workers", "jobs", lease="PT2S")
    ids = [f"job-{i:03d}" for i in range(300)]
    for chunk in range(0, 300, 100):
        publish_batch(node, "jobs", [{"id": i, "partitionkey": f"k{i}"} for i in ids[chunk:chunk + 100]])
    script = tmp_path / "consumer.py"
    script.write_text(CONSUMER)
    stop = tmp_path / "stop"

    def start(mode):
        return subprocess.Popen([sys.executable, str(script), node.http, "workers", mode, str(stop)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    victim = start("hold")
    try:
        held = json.loads(victim.stdout.readline())
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
    assert len(held) == 20
    workers = [start("ack"), start("ack")]
    try:
        wait_until(lambda: drained(node, "workers"), 90, 0.25, "every job settled")
    finally:
        stop.write_text("stop")
        outputs = []
        for worker in workers:
            out, err = worker.communicate(timeout=60)
            assert worker.returncode == 0, err
            outputs.append([json.loads(line) for line in out.splitlines() if line.strip()])

    acked = [entry for output in outputs for entry in output if entry["status"] == "ok"]
    assert sorted(entry["id"] for entry in acked) == ids  # every job acked exactly once
    by_id = {entry["id"]: entry for entry in acked}
    for holding in held:
        again = by_id[holding["id"]]
        assert again["deliveryCount"] >= 2
        assert again["at"] >= epoch(holding["leaseExpiresAt"]) - 0.25, "redelivered before the lease expired"
    assert read_events(node, "workers.dlq", 1, timeout=1) == []


# MARK: Settling


def test_a_receipt_is_stale_once_its_lease_expired_and_the_record_was_redelivered(node):
    create(node, "leases", "lease-in")
    publish(node, "lease-in", "l-1")
    [first] = receive_until(node, "leases", 1, lease_ms=300)
    assert first["deliveryCount"] == 1 and first["event"]["id"] == "l-1"
    assert first["partition"] == 0 and first["offset"] == 0
    [second] = receive_until(node, "leases", 1, timeout=10)  # after the 300 ms lease ran out
    assert second["event"]["id"] == "l-1" and second["deliveryCount"] == 2
    assert second["receipt"] != first["receipt"]
    assert settle(node, "leases", "ack", [first["receipt"]]) == ["stale"]
    assert settle(node, "leases", "ack", [second["receipt"], "no-such-receipt"]) == ["ok", "unknown"]
    assert receive(node, "leases", timeout_ms=500) == []
    wait_until(lambda: drained(node, "leases"), 10, 0.1, "the queue settled")


def test_release_with_a_delay_makes_the_record_available_again_later(node):
    create(node, "relay", "relay-in")
    publish(node, "relay-in", "r-1")
    [message] = receive_until(node, "relay", 1)
    released_at = time.monotonic()
    assert settle(node, "relay", "release", [message["receipt"]], delay_ms=1500) == ["ok"]
    assert receive(node, "relay", timeout_ms=500) == []
    [again] = receive_until(node, "relay", 1, timeout=10)
    assert time.monotonic() - released_at >= 1.4
    assert again["event"]["id"] == "r-1" and again["deliveryCount"] == 2
    # A release without a delay is available at once.
    assert settle(node, "relay", "release", [again["receipt"]]) == ["ok"]
    [third] = receive(node, "relay", timeout_ms=2000)
    assert third["deliveryCount"] == 3
    assert settle(node, "relay", "ack", [third["receipt"]]) == ["ok"]


def test_reject_and_exhausted_deliveries_go_to_the_dead_letter_topic(node):
    create(node, "picky", "picky-in", maxDeliveries=2)
    publish(node, "picky-in", "bad-1", type_="job.bad", data=b'{"x":1}')
    publish(node, "picky-in", "flaky-1", type_="job.flaky")
    messages = receive_until(node, "picky", 2)
    by_id = {m["event"]["id"]: m for m in messages}
    assert settle(node, "picky", "reject", [by_id["bad-1"]["receipt"]]) == ["ok"]
    assert settle(node, "picky", "release", [by_id["flaky-1"]["receipt"]]) == ["ok"]
    [again] = receive_until(node, "picky", 1)
    assert again["event"]["id"] == "flaky-1" and again["deliveryCount"] == 2
    assert settle(node, "picky", "release", [again["receipt"]]) == ["ok"]  # the second delivery: exhausted
    assert receive(node, "picky", timeout_ms=1000) == []
    dead = {event["id"]: event for event in read_events(node, "picky.dlq", 2)}
    rejected, exhausted = dead["bad-1"], dead["flaky-1"]
    assert rejected["plexuserrorcode"] == "rejected" and int(rejected["plexuserrorattempts"]) == 1
    assert rejected["plexusqueue"] == "picky" and rejected["plexusorigin"] == "picky-in/0/0"
    assert rejected["type"] == "job.bad" and rejected["data"] == {"x": 1}
    assert exhausted["plexuserrorcode"] == "max-deliveries" and int(exhausted["plexuserrorattempts"]) == 2
    assert exhausted["plexusorigin"] == "picky-in/0/1"
    wait_until(lambda: drained(node, "picky"), 10, 0.1, "the queue settled")


def test_an_expired_lease_counts_as_a_delivery_towards_max_deliveries(node):
    create(node, "expiring", "exp-in", maxDeliveries=2, lease="PT0.3S", deadLetterTopic="exp-dead")
    publish(node, "exp-in", "e-1")
    [first] = receive_until(node, "expiring", 1)
    [second] = receive_until(node, "expiring", 1, timeout=10)
    assert second["deliveryCount"] == 2
    [dead] = read_events(node, "exp-dead", 1, timeout=15)  # the second lease expires too
    assert dead["id"] == "e-1" and dead["plexuserrorcode"] == "max-deliveries"
    # Too late to ack: the record is settled (dead-lettered), so no unsettled hand-out matches the receipt.
    assert settle(node, "expiring", "ack", [second["receipt"]]) == ["unknown"]
    assert receive(node, "expiring", timeout_ms=500) == []


# MARK: Fan-out, filters, delay


def test_two_queues_on_one_topic_each_get_every_event_and_filters_apply(node):
    create(node, "billing", "orders")
    create(node, "shipping", "orders")
    create(node, "eu-only", "orders", filters=[{"exact": {"subject": "eu"}}])
    for i in range(5):
        publish(node, "orders", f"o-{i}", subject="eu" if i % 2 == 0 else "us")
    for queue in ("billing", "shipping"):
        messages = receive_until(node, queue, 5)
        assert sorted(m["event"]["id"] for m in messages) == [f"o-{i}" for i in range(5)], queue
        assert settle(node, queue, "ack", [m["receipt"] for m in messages]) == ["ok"] * 5
    messages = receive_until(node, "eu-only", 3)
    assert sorted(m["event"]["id"] for m in messages) == ["o-0", "o-2", "o-4"]
    assert settle(node, "eu-only", "ack", [m["receipt"] for m in messages]) == ["ok"] * 3
    assert receive(node, "eu-only", timeout_ms=500) == []
    for queue in ("billing", "shipping", "eu-only"):
        wait_until(lambda: drained(node, queue), 10, 0.1, f"{queue} settled")


def test_a_queue_starts_at_the_end_of_its_stream_unless_asked_for_the_earliest(node):
    publish(node, "backlog", "before-1")
    publish(node, "backlog", "before-2")
    create(node, "fresh", "backlog")
    create(node, "replay", "backlog", startFrom="earliest")
    publish(node, "backlog", "after-1")
    fresh = receive_until(node, "fresh", 1)
    replay = receive_until(node, "replay", 3)
    assert [m["event"]["id"] for m in fresh] == ["after-1"]
    assert sorted(m["event"]["id"] for m in replay) == ["after-1", "before-1", "before-2"]
    assert receive(node, "fresh", timeout_ms=500) == []


def test_a_record_with_notbefore_is_not_received_before_that_time(node):
    create(node, "patient", "patient-in")
    due_wall = time.time() + 2.0
    due = time.monotonic() + 2.0
    publish(node, "patient-in", "n-1", notbefore=rfc3339(due_wall))
    publish(node, "patient-in", "n-2")
    got = {}
    deadline = time.monotonic() + 15
    while len(got) < 2 and time.monotonic() < deadline:
        for message in receive(node, "patient", max=10, timeout_ms=300):
            got[message["event"]["id"]] = time.monotonic()
            assert settle(node, "patient", "ack", [message["receipt"]]) == ["ok"]
    assert set(got) == {"n-1", "n-2"}
    assert got["n-1"] >= due - 0.1, f"received {due - got['n-1']:.3f}s before notbefore"
    assert got["n-1"] <= due + 5.0


# MARK: Durability


def test_queue_state_survives_a_restart(tmp_path):
    data_dir = str(tmp_path / "data")
    os.makedirs(data_dir)
    first = Node(data_dir)
    try:
        create(first, "durable", "durable-in", lease="PT1S")
        ids = [f"d-{i}" for i in range(6)]
        publish_batch(first, "durable-in", [{"id": i} for i in ids])
        messages = receive_until(first, "durable", 6)
        assert sorted(m["event"]["id"] for m in messages) == ids
        acked = [m for m in messages if m["event"]["id"] in ("d-0", "d-2", "d-4")]
        assert settle(first, "durable", "ack", [m["receipt"] for m in acked]) == ["ok"] * 3
    finally:
        first.stop()
    second = Node(data_dir)
    try:
        assert queue_status(second, "durable")["lease"] == "PT1S"
        again = receive_until(second, "durable", 3, timeout=20)
        assert sorted(m["event"]["id"] for m in again) == ["d-1", "d-3", "d-5"]
        assert settle(second, "durable", "ack", [m["receipt"] for m in again]) == ["ok"] * 3
        assert receive(second, "durable", timeout_ms=1500) == []  # the acked ones never come back
    finally:
        second.stop()


# MARK: Admin API


def test_queue_crud_with_defaults_status_and_errors(node):
    created = create(node, "crudq", "crudq-in")
    assert created == {"name": "crudq", "topic": "crudq-in", "maxDeliveries": 5, "lease": "PT30S",
                       "deadLetterTopic": "crudq.dlq", "startFrom": "latest"}
    status, headers, problem = call_json("POST", f"{node.http}{API}", {"name": "crudq", "topic": "crudq-in"})
    assert status == 409 and problem_code(headers, problem) == "already-exists"
    for bad in ({"name": "b1", "topic": "t", "lease": "PT0.05S"}, {"name": "b2", "topic": "t", "leese": "PT1S"},
                {"name": "b3", "topic": "t", "maxDeliveries": 0}, {"name": "b4", "topic": "t", "lease": "soon"},
                {"name": "b5", "topic": "t", "filters": [{"cesql": "subject ="}]}):
        status, headers, problem = call_json("POST", f"{node.http}{API}", bad)
        assert status == 400 and problem_code(headers, problem) == "invalid-definition", bad

    create(node, "crudq-2", "crudq-in", startFrom="earliest", maxDeliveries=3, lease="PT5S", deadLetterTopic="dead")
    status, _, listing = call_json("GET", f"{node.http}{API}")
    assert status == 200 and sorted(q["name"] for q in listing["queues"]) == ["crudq", "crudq-2"]

    publish(node, "crudq-in", "c-1")
    publish(node, "crudq-in", "c-2")
    [message] = receive_until(node, "crudq", 1)
    view = queue_status(node, "crudq")
    [partition] = view["status"]["partitions"]
    assert partition["partition"] == 0 and partition["end"] == 2 and partition["leased"] == 1
    assert partition["settled"] == 0 and partition["waiting"] == 1
    assert settle(node, "crudq", "ack", [message["receipt"]]) == ["ok"]
    assert queue_status(node, "crudq")["status"]["partitions"][0]["settled"] == 1

    status, _, _ = call("DELETE", f"{node.http}{API}/crudq")
    assert status == 204
    status, headers, problem = call_json("GET", f"{node.http}{API}/crudq")
    assert status == 404 and problem_code(headers, problem) == "queue-not-found"
    status, headers, problem = call_json("POST", f"{node.http}/queues/crudq/receive?max=1")
    assert status == 404 and problem_code(headers, problem) == "queue-not-found"
    status, headers, problem = call_json("POST", f"{node.http}/queues/crudq/ack", {"receipts": []})
    assert status == 404 and problem_code(headers, problem) == "queue-not-found"
    status, _, listing = call_json("GET", f"{node.http}{API}")
    assert [q["name"] for q in listing["queues"]] == ["crudq-2"]


def test_large_rejected_records_all_reach_the_dead_letter_topic(node):
    # Eight records of 200 KB: together far above max.message.bytes (1 MiB), each one below it.
    create(node, "big", "big-in", startFrom="earliest")
    for i in range(8):
        publish(node, "big-in", f"big-{i}", data=b"x" * 200_000, content_type="application/octet-stream")
    messages = receive_until(node, "big", 8)
    assert len(messages) == 8
    assert settle(node, "big", "reject", [m["receipt"] for m in messages]) == ["ok"] * 8
    letters = read_events(node, "big.dlq", 8)
    assert sorted(e["id"] for e in letters) == [f"big-{i}" for i in range(8)]
    assert all(e["plexuserrorcode"] == "rejected" for e in letters)
    wait_until(lambda: drained(node, "big"), message="the queue settled after dead-lettering")


def test_a_long_poll_of_a_replaced_queue_is_not_served_by_the_old_queue(node):
    create(node, "swap", "swap-in")
    results = {}

    def poll():
        url = f"{node.http}/queues/swap/receive?max=5&timeout_ms=8000"
        results["poll"] = call_json("POST", url, timeout=30)

    import threading
    thread = threading.Thread(target=poll)
    thread.start()
    time.sleep(0.5)
    # Replaced while the long poll waits: a different lease, the same stream.
    status, _, body = call_json("PUT", f"{node.http}{API}/swap", {"name": "swap", "topic": "swap-in", "lease": "PT5S"})
    assert status == 200, body
    publish(node, "swap-in", "after-swap")
    thread.join(timeout=30)
    status, _, polled = results["poll"]
    assert status == 200, polled
    fresh = receive(node, "swap", max=5, timeout_ms=2000)
    handed = [m["receipt"] for m in polled["messages"]] + [m["receipt"] for m in fresh]
    # Exactly one receiver holds the record, under the new queue's lease.
    assert len(handed) == 1, (polled, fresh)
    message = (polled["messages"] + fresh)[0]
    assert message["event"]["id"] == "after-swap" and message["deliveryCount"] == 1
    assert settle(node, "swap", "ack", handed) == ["ok"]
