"""Kafka consumer groups against a real Plexus node, with every client we test: confluent-kafka (range and
cooperative-sticky), kafka-python, aiokafka and sarama.

Each group member is a separate process (this file run as `python test_groups.py worker CLIENT ...`, or the
sarama_group Go program) that prints one JSON object a line: its whole assignment after every rebalance
callback, every record it hands to the application, client errors. Offsets are committed (synchronously,
explicitly, after each batch; sarama through its offset manager) only for records already printed, so
"printed" = "processed" and everything committed was seen by the test. Every wait is a bounded deadline
loop: a misbehaving broker fails the test, it never hangs it.

Scenarios, each for every client:
  1. three members over six partitions: each owns two, disjointly; 600 records consumed exactly once by
     the owners; DescribeGroups/ListGroups agree while Stable; after the members leave the group is Empty,
     DeleteGroups removes it with its offsets.
  2. a member SIGKILLed: after the session timeout (6 s, the broker's minimum) the survivors own all six
     partitions and consume everything, including what was produced after the kill; committed = end.
  3. a member commits part of the topic and leaves; the broker restarts (SIGTERM, same data dir and port);
     the committed offsets survived, and a new member resumes exactly there: nothing before them again,
     nothing after them skipped.
And once, with confluent-kafka and kafka-python's admin client: INVALID_SESSION_TIMEOUT below the minimum,
NON_EMPTY_GROUP and GROUP_SUBSCRIBED_TO_TOPIC while a member is subscribed, OffsetDelete of one partition
once empty, and the group still listed and described as Empty (with its offsets) after a restart.
"""
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

PARTITIONS = 6
SESSION_TIMEOUT_MS = 6000  # the broker's (and Kafka's) group.min.session.timeout.ms
HEARTBEAT_MS = 1000
CLIENTS = ["confluent-range", "confluent-cooperative", "kafka-python", "aiokafka", "sarama"]


# ----------------------------------------------------------------------------------------------------------
# Worker side: one group member, run in its own process.
# ----------------------------------------------------------------------------------------------------------

def _emit(event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def _worker_confluent(broker, topic, group, limit, strategy, stopping):
    from confluent_kafka import Consumer, KafkaException, TopicPartition

    cooperative = strategy == "cooperative-sticky"
    config = {
        "bootstrap.servers": broker, "group.id": group, "client.id": f"confluent-{strategy}",
        "partition.assignment.strategy": strategy, "auto.offset.reset": "earliest",
        "enable.auto.commit": False, "enable.partition.eof": False,
        "session.timeout.ms": SESSION_TIMEOUT_MS, "heartbeat.interval.ms": HEARTBEAT_MS,
        "fetch.wait.max.ms": 200, "log_level": 6,
    }
    if os.environ.get("PLEXUS_GROUP_DEBUG"):
        config["debug"] = "cgrp,protocol"
    owned = set()

    def on_assign(consumer, partitions):
        nonlocal owned
        got = {tp.partition for tp in partitions}
        owned = owned | got if cooperative else got
        _emit({"e": "assigned", "p": sorted(owned)})

    def on_revoke(consumer, partitions):
        nonlocal owned
        owned = owned - {tp.partition for tp in partitions}
        _emit({"e": "assigned", "p": sorted(owned)})

    def on_error(error):
        _emit({"e": "error", "msg": str(error)})

    config["error_cb"] = on_error
    consumer = Consumer(config)
    consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_revoke)
    count = 0
    while not stopping() and not (limit and count >= limit):
        offsets = {}
        for message in consumer.consume(num_messages=100, timeout=0.2):
            if message.error() is not None:
                _emit({"e": "error", "msg": str(message.error())})
                continue
            if limit and count >= limit:
                break
            _emit({"e": "rec", "p": message.partition(), "o": message.offset(),
                   "k": message.key().decode(), "v": message.value().decode()})
            offsets[message.partition()] = message.offset() + 1
            count += 1
        if offsets:
            try:
                consumer.commit(offsets=[TopicPartition(topic, p, o) for p, o in offsets.items()], asynchronous=False)
            except KafkaException as error:
                _emit({"e": "commit_error", "msg": str(error)})
    consumer.close()


def _worker_kafka_python(broker, topic, group, limit, stopping):
    from kafka import ConsumerRebalanceListener, KafkaConsumer, OffsetAndMetadata, TopicPartition
    from kafka.errors import KafkaError

    owned = set()

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            nonlocal owned
            owned = owned - {tp.partition for tp in revoked}
            _emit({"e": "assigned", "p": sorted(owned)})

        def on_partitions_assigned(self, assigned):
            nonlocal owned
            owned = {tp.partition for tp in assigned}
            _emit({"e": "assigned", "p": sorted(owned)})

    consumer = KafkaConsumer(
        bootstrap_servers=broker, group_id=group, client_id="kafka-python-group", auto_offset_reset="earliest",
        enable_auto_commit=False, session_timeout_ms=SESSION_TIMEOUT_MS, heartbeat_interval_ms=HEARTBEAT_MS,
        fetch_max_wait_ms=200,
    )
    consumer.subscribe([topic], listener=Listener())
    count = 0
    while not stopping() and not (limit and count >= limit):
        offsets = {}
        for tp, messages in consumer.poll(timeout_ms=200, max_records=100).items():
            for message in messages:
                if limit and count >= limit:
                    break
                _emit({"e": "rec", "p": message.partition, "o": message.offset,
                       "k": message.key.decode(), "v": message.value.decode()})
                offsets[message.partition] = message.offset + 1
                count += 1
        if offsets:
            try:
                consumer.commit({TopicPartition(topic, p): OffsetAndMetadata(o, "", -1) for p, o in offsets.items()})
            except KafkaError as error:
                _emit({"e": "commit_error", "msg": repr(error)})
    consumer.close()


def _worker_aiokafka(broker, topic, group, limit, stopping):
    from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener
    from aiokafka.errors import KafkaError
    from aiokafka.structs import TopicPartition

    owned = set()

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            nonlocal owned
            owned = owned - {tp.partition for tp in revoked}
            _emit({"e": "assigned", "p": sorted(owned)})

        def on_partitions_assigned(self, assigned):
            nonlocal owned
            owned = {tp.partition for tp in assigned}
            _emit({"e": "assigned", "p": sorted(owned)})

    async def run():
        consumer = AIOKafkaConsumer(
            bootstrap_servers=broker, group_id=group, client_id="aiokafka-group", auto_offset_reset="earliest",
            enable_auto_commit=False, session_timeout_ms=SESSION_TIMEOUT_MS, heartbeat_interval_ms=HEARTBEAT_MS,
            fetch_max_wait_ms=200,
        )
        await consumer.start()
        consumer.subscribe([topic], listener=Listener())
        count = 0
        while not stopping() and not (limit and count >= limit):
            offsets = {}
            for tp, messages in (await consumer.getmany(timeout_ms=200, max_records=100)).items():
                for message in messages:
                    if limit and count >= limit:
                        break
                    _emit({"e": "rec", "p": message.partition, "o": message.offset,
                           "k": message.key.decode(), "v": message.value.decode()})
                    offsets[message.partition] = message.offset + 1
                    count += 1
            if offsets:
                try:
                    await consumer.commit({TopicPartition(topic, p): o for p, o in offsets.items()})
                except KafkaError as error:
                    _emit({"e": "commit_error", "msg": repr(error)})
        await consumer.stop()

    asyncio.run(run())


def worker_main(argv):
    client, broker, topic, group, limit = argv[0], argv[1], argv[2], argv[3], int(argv[4])
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if client == "confluent-range":
        _worker_confluent(broker, topic, group, limit, "range", stop.is_set)
    elif client == "confluent-cooperative":
        _worker_confluent(broker, topic, group, limit, "cooperative-sticky", stop.is_set)
    elif client == "kafka-python":
        _worker_kafka_python(broker, topic, group, limit, stop.is_set)
    elif client == "aiokafka":
        _worker_aiokafka(broker, topic, group, limit, stop.is_set)
    else:
        raise SystemExit(f"unknown client {client}")
    _emit({"e": "closed"})


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "worker":
    worker_main(sys.argv[2:])
    sys.exit(0)


# ----------------------------------------------------------------------------------------------------------
# Test side.
# ----------------------------------------------------------------------------------------------------------

import pytest  # noqa: E402
from confluent_kafka import Consumer, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

from conftest import plexus_binary  # noqa: E402

SARAMA_SOURCE = os.path.join(HERE, "sarama_group")
SARAMA_BINARY = os.path.join(ROOT, ".build", "sarama-group")
_sarama_built = False


def sarama_binary():
    global _sarama_built
    if not _sarama_built:
        env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode",
                   GOCACHE=os.path.join(ROOT, ".build", "gocache"))
        subprocess.run(["go", "build", "-o", SARAMA_BINARY, "."], cwd=SARAMA_SOURCE, env=env, check=True,
                       capture_output=True, timeout=600)
        _sarama_built = True
    return SARAMA_BINARY


class RestartableNode:
    """A `plexus serve` that can be stopped and started again on the same data dir and port."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.process = None
        self.port = 0
        self.start()

    def start(self):
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [plexus_binary(), "serve", "--data-dir", self.data_dir, "--kafka", f"127.0.0.1:{self.port}", "--http", "127.0.0.1:0",
             "--log-level", "warning"],
            stdout=subprocess.PIPE, stderr=self.stderr, text=True,
        )
        line = self.process.stdout.readline()
        match = re.search(r"kafka=([\d.]+):(\d+)", line)
        if not match:
            self.process.kill()
            self.stderr.seek(0)
            raise RuntimeError(f"no ready line: {line!r} {self.stderr.read()}")
        self.port = int(match.group(2))
        self.kafka = f"{match.group(1)}:{self.port}"

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.stderr.seek(0)
        assert code == 0, self.stderr.read()

    def restart(self):
        self.stop()
        deadline = time.time() + 20
        while True:  # the port is ours: retry only if the old listener's socket is not gone yet
            try:
                self.start()
                return
            except RuntimeError:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)


@pytest.fixture
def restartable_node():
    with tempfile.TemporaryDirectory(prefix="plexus-groups-") as data_dir:
        node = RestartableNode(data_dir)
        try:
            yield node
        finally:
            if node.process.poll() is None:
                node.stop()


class Worker:
    """One group member process and the events it printed."""

    def __init__(self, client, broker, topic, group, limit=0):
        self.client = client
        if client == "sarama":
            command = [sarama_binary(), broker, topic, group, str(limit)]
        else:
            command = [sys.executable, os.path.abspath(__file__), "worker", client, broker, topic, group, str(limit)]
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self.stderr, text=True, cwd=HERE)
        self.lock = threading.Lock()
        self.events = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                event = {"e": "junk", "line": line}
            event["at"] = time.time()  # when the test saw it
            with self.lock:
                self.events.append(event)

    def snapshot(self):
        with self.lock:
            return list(self.events)

    def assignment(self):
        """The member's assignment after its last rebalance callback (None before the first)."""
        assigned = [e["p"] for e in self.snapshot() if e["e"] == "assigned"]
        return set(assigned[-1]) if assigned else None

    def records(self):
        return [(e["p"], e["o"], e["k"], e["v"]) for e in self.snapshot() if e["e"] == "rec"]

    def problems(self):
        return [e for e in self.snapshot() if e["e"] in ("error", "commit_error", "junk")]

    def log(self, lines=40):
        self.stderr.seek(0)
        tail = self.stderr.read().splitlines()[-lines:]
        events = [e for e in self.snapshot() if e["e"] != "rec"][-lines:]
        return f"--- {self.client} pid {self.process.pid} exit {self.process.poll()}\nevents: {events}\nstderr:\n" + \
            "\n".join(tail)

    def terminate(self, timeout=30):
        """SIGTERM: the member commits, leaves the group and exits; returns its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def wait(self, timeout):
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            raise AssertionError(f"member did not exit within {timeout}s\n{self.log()}")
        self.reader.join(timeout=5)
        return code

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self.reader.join(timeout=5)


@pytest.fixture
def workers():
    started = []

    def start(*args, **kwargs):
        worker = Worker(*args, **kwargs)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()


def terminate_all(members):
    """SIGTERM every member at once (so the group does not rebalance once per leaver); all must exit 0."""
    for member in members:
        if member.process.poll() is None:
            member.process.send_signal(signal.SIGTERM)
    for member in members:
        assert member.wait(30) == 0, member.log()


def describe(workers_):
    return "\n".join(w.log() for w in workers_)


def wait_for(condition, timeout, what, workers_=()):
    deadline = time.time() + timeout
    while time.time() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{describe(workers_)}")


def create_topic(broker, partitions=PARTITIONS):
    topic = f"groups-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": broker, "log_level": 2})
    for future in admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)]).values():
        assert future.result(15) is None
    return topic


def produce(broker, topic, tag, per_partition):
    """Produces per_partition records to each partition; returns {(partition, offset): (key, value)}."""
    producer = Producer({"bootstrap.servers": broker, "log_level": 2, "linger.ms": 5, "enable.idempotence": False})
    sent = {}
    failures = []

    def delivered(error, message):
        if error is not None:
            failures.append(error)
        else:
            sent[(message.partition(), message.offset())] = (message.key().decode(), message.value().decode())

    for i in range(per_partition * PARTITIONS):
        producer.produce(topic, key=f"{tag}-k{i}", value=f"{tag}-v{i}", partition=i % PARTITIONS, on_delivery=delivered)
    assert producer.flush(30) == 0 and not failures, failures
    assert len(sent) == per_partition * PARTITIONS
    return sent


def committed_offsets(broker, group, topic):
    """OffsetFetch for every partition (-1001 = none committed); the consumer never joins the group."""
    consumer = Consumer({"bootstrap.servers": broker, "group.id": group, "log_level": 2,
                         "enable.auto.commit": False})
    try:
        partitions = consumer.committed([TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=10)
        for tp in partitions:
            assert tp.error is None, tp.error
        return {tp.partition: tp.offset for tp in partitions}
    finally:
        consumer.close()


def end_offsets(sent):
    ends = {p: 0 for p in range(PARTITIONS)}
    for p, o in sent:
        ends[p] = max(ends[p], o + 1)
    return ends


def balanced(members, partitions=PARTITIONS):
    """Each live member owns partitions/len(members) partitions, disjointly, covering them all."""
    assignments = [m.assignment() for m in members]
    if any(a is None or len(a) != partitions // len(members) for a in assignments):
        return None
    union = set().union(*assignments)
    if union != set(range(partitions)) or sum(len(a) for a in assignments) != partitions:
        return None
    return assignments


def wait_balanced(members, timeout, settle=1.0):
    """Waits for a balanced assignment that then holds for `settle` seconds (no rebalance still pending)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        first = wait_for(lambda: balanced(members), max(0.1, deadline - time.time()), "a balanced group", members)
        time.sleep(settle)
        if balanced(members) == first:
            return first
    raise AssertionError(f"the group did not settle within {timeout}s\n{describe(members)}")


def consumed(members):
    records = []
    for m in members:
        records += m.records()
    return records


def all_consumed(members, sent):
    return {(p, o) for p, o, _, _ in consumed(members)} >= set(sent)


def check_payloads(records, sent):
    wrong = [r for r in records if (r[0], r[1]) not in sent or sent[(r[0], r[1])] != (r[2], r[3])]
    assert not wrong, f"records that were never produced there: {wrong[:10]}"


def duplicates(records):
    seen, dups = set(), []
    for r in records:
        if (r[0], r[1]) in seen:
            dups.append(r)
        seen.add((r[0], r[1]))
    return dups


def group_description(broker, group):
    admin = AdminClient({"bootstrap.servers": broker, "log_level": 2})
    return admin.describe_consumer_groups([group], request_timeout=15)[group].result(20)


# ----------------------------------------------------------------------------------------------------------
# 1. Three members, six partitions: balanced ownership, exactly once, admin views, leave and delete.
# ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("client", CLIENTS)
def test_three_members_split_six_partitions_and_consume_exactly_once(node, workers, client):
    from confluent_kafka import ConsumerGroupState

    topic = create_topic(node.kafka)
    group = f"g1-{client}-{uuid.uuid4().hex[:8]}"
    members = [workers(client, node.kafka, topic, group) for _ in range(3)]
    assignments = wait_balanced(members, timeout=45)

    description = group_description(node.kafka, group)
    assert description.state == ConsumerGroupState.STABLE, description
    assert len(description.members) == 3, description
    assert {m.host for m in description.members} == {"/127.0.0.1"}, description  # the peer, as Kafka shows it
    described = sorted(sorted(tp.partition for tp in m.assignment.topic_partitions) for m in description.members)
    assert described == sorted(sorted(a) for a in assignments), (description, assignments)
    admin = AdminClient({"bootstrap.servers": node.kafka, "log_level": 2})
    listed = admin.list_consumer_groups(request_timeout=15).result(20)
    assert group in {g.group_id for g in listed.valid}, listed.valid

    sent = produce(node.kafka, topic, "one", per_partition=100)
    wait_for(lambda: all_consumed(members, sent), 45, "all 600 records consumed", members)
    wait_for(lambda: committed_offsets(node.kafka, group, topic) == end_offsets(sent), 20,
             "committed offsets at the end of every partition", members)
    time.sleep(0.5)  # anything delivered twice would show up now
    records = consumed(members)
    check_payloads(records, sent)
    assert not duplicates(records), f"delivered twice in a stable group: {duplicates(records)[:10]}"
    assert len(records) == len(sent)
    for member, owned in zip(members, assignments):
        assert {p for p, _, _, _ in member.records()} <= owned, f"consumed a partition it does not own\n{member.log()}"
        assert member.assignment() == owned, f"the assignment changed in a stable group\n{member.log()}"
        assert not member.problems(), member.log()

    terminate_all(members)
    description = group_description(node.kafka, group)
    assert description.state == ConsumerGroupState.EMPTY and not description.members, description
    assert committed_offsets(node.kafka, group, topic) == end_offsets(sent), "leaving lost the committed offsets"
    deleted = admin.delete_consumer_groups([group], request_timeout=15)[group]
    assert deleted.result(20) is None
    assert set(committed_offsets(node.kafka, group, topic).values()) == {-1001}, "the deleted group kept offsets"


# ----------------------------------------------------------------------------------------------------------
# 2. A member SIGKILLed: the survivors take its partitions after the session timeout; nothing is lost.
# ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("client", CLIENTS)
def test_a_killed_member_is_expelled_and_its_partitions_taken_over(node, workers, client):
    topic = create_topic(node.kafka)
    group = f"g2-{client}-{uuid.uuid4().hex[:8]}"
    members = [workers(client, node.kafka, topic, group) for _ in range(3)]
    wait_balanced(members, timeout=45)

    before = produce(node.kafka, topic, "before", per_partition=50)
    wait_for(lambda: all_consumed(members, before), 45, "the records produced before the kill", members)
    wait_for(lambda: committed_offsets(node.kafka, group, topic) == end_offsets(before), 20,
             "commits of the records produced before the kill", members)
    records_before = consumed(members)
    assert not duplicates(records_before), duplicates(records_before)[:10]

    victim, survivors = members[0], members[1:]
    orphaned = victim.assignment()
    victim.kill()
    killed_at = time.time()
    after = produce(node.kafka, topic, "after", per_partition=50)

    wait_balanced(survivors, timeout=SESSION_TIMEOUT_MS / 1000 + 40)
    first_change = min(e["at"] for s in survivors for e in s.snapshot() if e["e"] == "assigned" and e["at"] > killed_at)
    expelled_after = first_change - killed_at
    # Its last heartbeat was at most one interval before the kill: the session cannot have expired sooner.
    assert expelled_after >= (SESSION_TIMEOUT_MS - HEARTBEAT_MS) / 1000 - 0.5, \
        f"the group rebalanced {expelled_after:.1f}s after the kill, before the session timeout\n{describe(survivors)}"
    taken_over = {p for s in survivors for p in s.assignment()} & orphaned
    assert taken_over == orphaned
    sent = {**before, **after}
    wait_for(lambda: all_consumed(survivors + [victim], sent), 45, "every record, including after the kill",
             survivors)
    wait_for(lambda: committed_offsets(node.kafka, group, topic) == end_offsets(sent), 20,
             "committed offsets at the end of every partition", survivors)
    records = consumed(members)
    check_payloads(records, sent)
    dups = duplicates(records)
    # The victim had committed everything it printed before the kill, so its partitions resume exactly
    # there; a duplicate is only possible for a survivor whose commit raced the rebalance.
    assert not [d for d in dups if d[3].startswith("before-")], dups[:10]
    orphan_records = sorted((p, o) for p, o, _, _ in consumed(survivors) if p in orphaned and (p, o) in after)
    assert orphan_records and all(o >= end_offsets(before)[p] for p, o in orphan_records)
    terminate_all(survivors)
    print(f"{client}: rebalanced {expelled_after:.1f}s after the kill; {len(dups)} duplicates: {dups[:5]}")


# ----------------------------------------------------------------------------------------------------------
# 3. Commit, restart the broker, resume exactly after the committed offsets.
# ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("client", CLIENTS)
def test_committed_offsets_survive_a_restart_and_a_new_member_resumes_there(restartable_node, workers, client):
    node = restartable_node
    topic = create_topic(node.kafka)
    group = f"g3-{client}-{uuid.uuid4().hex[:8]}"
    sent = produce(node.kafka, topic, "first", per_partition=100)

    first = workers(client, node.kafka, topic, group, limit=250)
    assert first.wait(timeout=60) == 0, first.log()
    taken = first.records()
    assert len(taken) == 250 and not duplicates(taken), first.log()
    check_payloads(taken, sent)
    expected = {p: -1001 for p in range(PARTITIONS)}
    for p in range(PARTITIONS):
        offsets = sorted(o for q, o, _, _ in taken if q == p)
        assert offsets == list(range(len(offsets))), f"partition {p} was not consumed from 0 in order: {offsets}"
        if offsets:
            expected[p] = len(offsets)
    assert committed_offsets(node.kafka, group, topic) == expected, first.log()

    node.restart()
    assert committed_offsets(node.kafka, group, topic) == expected, "committed offsets lost in the restart"
    more = produce(node.kafka, topic, "second", per_partition=10)
    sent.update(more)

    second = workers(client, node.kafka, topic, group)
    rest = {key: value for key, value in sent.items() if key not in {(p, o) for p, o, _, _ in taken}}
    wait_for(lambda: all_consumed([second], rest), 60, "the records after the committed offsets", [second])
    wait_for(lambda: committed_offsets(node.kafka, group, topic) == end_offsets(sent), 20,
             "committed offsets at the end of every partition", [second])
    time.sleep(0.5)
    resumed = second.records()
    check_payloads(resumed, sent)
    again = sorted({(p, o) for p, o, _, _ in resumed} & {(p, o) for p, o, _, _ in taken})
    assert not again, f"re-delivered records before the committed offsets: {again[:10]}\n{second.log()}"
    assert not duplicates(resumed), duplicates(resumed)[:10]
    for p in range(PARTITIONS):
        offsets = [o for q, o, _, _ in resumed if q == p]
        start = max(expected[p], 0)
        assert offsets == list(range(start, end_offsets(sent)[p])), f"partition {p}: {offsets[:5]}... from {start}"
    assert second.terminate() == 0, second.log()


# ----------------------------------------------------------------------------------------------------------
# 4. Group administration edge cases (one client is enough: these are broker answers, not client logic).
# ----------------------------------------------------------------------------------------------------------

def test_group_admin_errors_offset_delete_and_groups_after_a_restart(restartable_node, workers):
    from confluent_kafka import ConsumerGroupState, KafkaError
    from kafka import KafkaAdminClient
    from kafka import TopicPartition as KTP

    node = restartable_node
    topic = create_topic(node.kafka)
    group = f"g4-{uuid.uuid4().hex[:8]}"
    sent = produce(node.kafka, topic, "admin", per_partition=5)

    # A session timeout below group.min.session.timeout.ms is refused.
    errors = []
    small = Consumer({"bootstrap.servers": node.kafka, "group.id": f"{group}-small", "log_level": 2,
                      "session.timeout.ms": 3000, "heartbeat.interval.ms": 1000,
                      "error_cb": lambda error: errors.append(error)})
    small.subscribe([topic])
    deadline = time.time() + 20
    while time.time() < deadline and not any(e.code() == KafkaError.INVALID_SESSION_TIMEOUT for e in errors):
        message = small.poll(0.2)
        if message is not None and message.error() is not None:
            errors.append(message.error())
    small.close()
    assert any(e.code() == KafkaError.INVALID_SESSION_TIMEOUT for e in errors), errors

    member = workers("confluent-range", node.kafka, topic, group)
    wait_for(lambda: member.assignment() == set(range(PARTITIONS)), 30, "the only member owning everything", [member])
    wait_for(lambda: all_consumed([member], sent), 30, "the records", [member])
    wait_for(lambda: committed_offsets(node.kafka, group, topic) == end_offsets(sent), 20, "the commits", [member])

    admin = KafkaAdminClient(bootstrap_servers=node.kafka, request_timeout_ms=15000)
    try:
        # DeleteGroups of a group with members: NON_EMPTY_GROUP.
        assert admin.delete_groups([group]) == {group: "NonEmptyGroupError"}
        # OffsetDelete of a topic the group is subscribed to: GROUP_SUBSCRIBED_TO_TOPIC for the partition.
        refused = admin.delete_group_offsets(group, [KTP(topic, 0)])
        assert {tp: e.__name__ for tp, e in refused.items()} == {KTP(topic, 0): "GroupSubscribedToTopicError"}
        assert committed_offsets(node.kafka, group, topic) == end_offsets(sent)

        assert member.terminate() == 0, member.log()
        # Now empty: offsets of one partition can be deleted, the others stay.
        deleted = admin.delete_group_offsets(group, [KTP(topic, 0)])
        assert {tp: e.__name__ for tp, e in deleted.items()} == {KTP(topic, 0): "NoError"}
        left = committed_offsets(node.kafka, group, topic)
        assert left == {**end_offsets(sent), 0: -1001}, left
    finally:
        admin.close()

    # After a restart the group (no members, committed offsets) is still there: listed, Empty, its offsets.
    node.restart()
    confluent_admin = AdminClient({"bootstrap.servers": node.kafka, "log_level": 2})
    listed = confluent_admin.list_consumer_groups(request_timeout=15).result(20)
    assert group in {g.group_id for g in listed.valid}, listed.valid
    description = group_description(node.kafka, group)
    assert description.state == ConsumerGroupState.EMPTY, description
    assert committed_offsets(node.kafka, group, topic) == {**end_offsets(sent), 0: -1001}
    unknown = group_description(node.kafka, f"never-{uuid.uuid4().hex[:8]}")
    assert unknown.state == ConsumerGroupState.DEAD and not unknown.members, unknown
