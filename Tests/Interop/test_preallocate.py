"""`preallocate` (Kafka's topic config) against a real node: set and described through the Kafka admin API,
segment files written in full before use, records intact through a SIGKILL and a restart, the next segment
prepared ahead and put in place at the roll."""
import glob
import os
import signal
import tempfile
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

from conftest import Node

SEGMENT = 1 << 20


def consume_all(broker, topic, count):
    consumer = Consumer({"bootstrap.servers": broker, "group.id": "prealloc-check", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, 0)])
    got = []
    deadline = time.monotonic() + 30
    while len(got) < count and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is not None and not message.error():
            got.append((message.offset(), message.value()))
    consumer.close()
    return got


def test_preallocated_segments_are_written_ahead_and_survive_a_kill_and_the_roll():
    with tempfile.TemporaryDirectory(prefix="plexus-prealloc-") as data_dir:
        node = Node(data_dir)
        admin = AdminClient({"bootstrap.servers": node.kafka})
        config = {"preallocate": "true", "segment.bytes": str(SEGMENT)}
        admin.create_topics([NewTopic("pre", 1, config=config)])["pre"].result(30)
        described = admin.describe_configs([ConfigResource("topic", "pre")])
        entries = list(described.values())[0].result(30)
        assert entries["preallocate"].value == "true"
        partition = os.path.join(data_dir, "logs", "pre-0")
        first = os.path.join(partition, "00000000000000000000.log")
        assert os.path.getsize(first) == SEGMENT, "the first segment is written in full when the topic is made"

        producer = Producer({"bootstrap.servers": node.kafka, "linger.ms": 2})
        values = [f"record-{i:05d}-".encode() * 20 for i in range(2000)]  # ~320 KiB: under half a segment
        for value in values[:1000]:
            producer.produce("pre", value=value, partition=0)
        assert producer.flush(30) == 0
        assert os.path.getsize(first) == SEGMENT, "appends overwrite the zeros: the file does not grow"

        node.process.send_signal(signal.SIGKILL)  # acknowledged records must survive; the zeros are the end
        node.process.wait(timeout=30)
        node = Node(data_dir)
        try:
            assert [v for _, v in consume_all(node.kafka, "pre", 1000)] == values[:1000]
            assert os.path.getsize(first) < SEGMENT, "on open the unused zeros are cut"
            producer = Producer({"bootstrap.servers": node.kafka, "linger.ms": 2})
            for value in values[1000:]:
                producer.produce("pre", value=value, partition=0)
            assert producer.flush(30) == 0
            # Past half a segment the next one is written ahead (paced); once ready, the roll puts it in place.
            deadline = time.monotonic() + 60
            prepared = os.path.join(partition, "next.prealloc")
            while not (os.path.exists(prepared) and os.path.getsize(prepared) == SEGMENT) and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1)  # the last fdatasync of the preparation
            big = []
            while len(glob.glob(os.path.join(partition, "*.log"))) < 2 and len(big) < 2000:  # until it rolls once
                for _ in range(20):
                    big.append(bytes([len(big) % 251]) * 2000)
                    producer.produce("pre", value=big[-1], partition=0)
                assert producer.flush(30) == 0
            logs = sorted(glob.glob(os.path.join(partition, "*.log")))
            assert len(logs) == 2, logs
            assert os.path.getsize(logs[0]) < SEGMENT, "a closed segment is cut to what it holds"
            assert os.path.getsize(logs[-1]) == SEGMENT, "the new segment was prepared ahead"
            total = len(values) + len(big)
            got = consume_all(node.kafka, "pre", total)
            assert [o for o, _ in got] == list(range(total))
            assert [v for _, v in got] == values + big
        finally:
            node.stop()
        # After a clean restart nothing is lost or added either.
        node = Node(data_dir)
        try:
            assert [v for _, v in consume_all(node.kafka, "pre", total)] == values + big
        finally:
            node.stop()
