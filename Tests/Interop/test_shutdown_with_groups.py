"""Graceful shutdown does not wait for a rebalance: a JoinGroup parked while another member is stalled is
answered at once, and the node exits well before the members' session timeout."""
import signal
import time

from confluent_kafka import Consumer
from confluent_kafka.admin import AdminClient, NewTopic


def test_sigterm_with_a_join_waiting_for_a_rebalance_exits_promptly(node):
    admin = AdminClient({"bootstrap.servers": node.kafka})
    [f.result() for f in admin.create_topics([NewTopic("parked", 4, 1)]).values()]
    first = Consumer({"bootstrap.servers": node.kafka, "group.id": "parked-group",
                      "session.timeout.ms": 30000, "auto.offset.reset": "earliest"})
    first.subscribe(["parked"])
    deadline = time.time() + 20
    while not first.assignment() and time.time() < deadline:
        first.poll(0.2)
    assert first.assignment()
    second = Consumer({"bootstrap.servers": node.kafka, "group.id": "parked-group", "session.timeout.ms": 30000})
    second.subscribe(["parked"])
    for _ in range(15):
        second.poll(0.2)  # its JoinGroup now waits for `first`, which is not polled (stalled)
    started = time.time()
    node.process.send_signal(signal.SIGTERM)
    code = node.process.wait(timeout=25)
    elapsed = time.time() - started
    assert code == 0
    assert elapsed < 15, f"shutdown took {elapsed:.1f} s (the session timeout is 30 s)"
