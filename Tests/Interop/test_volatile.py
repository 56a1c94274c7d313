"""Volatile streams (`delivery.mode=volatile`): a bounded ring in memory, never written to disk, delivered only
to those online — with Kafka clients (confluent-kafka) and HTTP against a real node."""
import os
import tempfile
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from conftest import Node
from sinks import Sink, always, call_json, publish, problem_code, wait_until


def files_under(path):
    found = []
    for root, _, names in os.walk(path):
        found += [os.path.join(root, name) for name in names]
    return found


def consume_all(node, topic, expected, timeout=20.0):
    consumer = Consumer({"bootstrap.servers": node.kafka, "group.id": f"v-{time.monotonic_ns()}",
                         "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    values = []
    deadline = time.monotonic() + timeout
    while len(values) < expected and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is not None and message.error() is None:
            values.append(message.value())
    consumer.close()
    return values


def test_a_volatile_stream_serves_kafka_and_http_clients_writes_nothing_to_disk_and_restarts_empty():
    with tempfile.TemporaryDirectory(prefix="plexus-volatile-") as data_dir:
        node = Node(data_dir)
        try:
            admin = AdminClient({"bootstrap.servers": node.kafka})
            futures = admin.create_topics([NewTopic("ticks", 1, 1, config={
                "delivery.mode": "volatile", "retention.bytes": "300000", "segment.bytes": "60000"})])
            futures["ticks"].result(timeout=20)
            producer = Producer({"bootstrap.servers": node.kafka, "linger.ms": 0})
            for i in range(1000):
                producer.produce("ticks", value=b"%04d" % i + b"x" * 996)
                if i % 100 == 99:
                    producer.flush(10)
            assert producer.flush(20) == 0
            # The ring keeps the newest records only: under retention.bytes plus the oldest kept segment and the
            # one being filled (each at most segment.bytes plus one producer batch of ~100 KB) — not the 1 MB sent.
            status, _, detail = call_json("GET", f"{node.http}/api/v1/topics/ticks")
            partition = detail["partitions"][0]
            assert partition["highWatermark"] == 1000
            assert partition["logStartOffset"] > 0
            assert partition["sizeBytes"] <= 300000 + 2 * (60000 + 110000)
            kept = 1000 - partition["logStartOffset"]
            values = consume_all(node, "ticks", kept)
            assert len(values) == kept
            assert values[-1].startswith(b"0999") and values[0].startswith(b"%04d" % partition["logStartOffset"])
            # Nothing of it is on disk: no partition directory, no segment, index or snapshot.
            assert not [f for f in files_under(os.path.join(data_dir, "logs")) if "ticks" in f]
            # A queue needs a durable stream.
            status, headers, problem = call_json("POST", f"{node.http}/api/v1/queues", {"name": "q", "topic": "ticks"})
            assert status == 400 and problem_code(headers, problem) == "invalid-definition"
            # Its mode is fixed.
            status, headers, problem = call_json("PATCH", f"{node.http}/api/v1/topics/ticks",
                                                 {"config": {"delivery.mode": "replayable"}})
            assert status == 400, problem
        finally:
            node.stop()
        node = Node(data_dir)
        try:
            status, _, detail = call_json("GET", f"{node.http}/api/v1/topics/ticks")
            assert status == 200 and detail["config"]["delivery.mode"] == "volatile"
            assert detail["partitions"][0]["highWatermark"] == 0, "a volatile stream starts empty"
            assert not [f for f in files_under(os.path.join(data_dir, "logs")) if "ticks" in f]
        finally:
            node.stop()


def test_a_push_subscription_gets_volatile_events_published_while_it_is_online(node):
    status, _, body = call_json("POST", f"{node.http}/api/v1/topics",
                                {"name": "pulse", "config": {"delivery.mode": "volatile"}})
    assert status == 201, body
    publish(node, "pulse", "before")  # nobody is subscribed yet: nobody gets it
    sink = Sink(always(200))
    try:
        status, _, body = call_json("POST", f"{node.http}/api/v1/subscriptions",
                                    {"name": "pulse-sub", "topics": ["pulse"], "sink": {"uri": sink.url}})
        assert status == 201, body
        for i in range(5):
            publish(node, "pulse", f"live-{i}")
        wait_until(lambda: len(sink.requests) >= 5, message="5 live events pushed")
        time.sleep(0.5)
        assert [r.id for r in sink.requests] == [f"live-{i}" for i in range(5)]
    finally:
        sink.close()
