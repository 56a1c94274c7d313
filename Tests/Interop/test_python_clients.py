"""confluent-kafka (librdkafka 2.16), kafka-python 3.0 and aiokafka 0.14 against a real Plexus node."""
import asyncio
import time
import uuid

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def consume_assigned(node, topic, partitions, count, timeout=60):
    consumer = Consumer({
        "bootstrap.servers": node.kafka, "log_level": 2,
        "group.id": "interop-assign",
        "enable.auto.commit": False,
        "enable.partition.eof": False,
    })
    consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
    messages = []
    deadline = time.time() + timeout
    while len(messages) < count and time.time() < deadline:
        for message in consumer.consume(num_messages=10000, timeout=1.0):
            assert message.error() is None, message.error()
            messages.append(message)
    consumer.close()
    return messages


def test_admin_creates_lists_and_deletes_topics(node):
    admin = AdminClient({"bootstrap.servers": node.kafka, "log_level": 2})
    name = f"admin-{uuid.uuid4().hex[:8]}"
    for future in admin.create_topics([NewTopic(name, num_partitions=3, replication_factor=1)]).values():
        assert future.result(15) is None
    metadata = admin.list_topics(timeout=15)
    assert len(metadata.topics[name].partitions) == 3
    duplicate = admin.create_topics([NewTopic(name, num_partitions=1, replication_factor=1)])[name]
    with pytest.raises(Exception) as error:
        duplicate.result(15)
    assert "TOPIC_ALREADY_EXISTS" in str(error.value)
    for future in admin.delete_topics([name]).values():
        assert future.result(15) is None
    assert name not in admin.list_topics(timeout=15).topics


@pytest.mark.parametrize("codec", ["none", "gzip", "snappy", "lz4", "zstd"])
def test_confluent_producer_per_codec_and_consumer_by_assignment(node, codec):
    topic = f"ck-{codec}-{uuid.uuid4().hex[:6]}"
    producer = Producer({"bootstrap.servers": node.kafka, "log_level": 2, "compression.type": codec, "linger.ms": 5,
                         "enable.idempotence": False})
    for i in range(3000):
        producer.produce(topic, key=f"k{i}", value=f"{codec}-{i}", partition=0, headers=[("n", str(i).encode())])
    assert producer.flush(30) == 0
    messages = consume_assigned(node, topic, [0], 3000)
    assert [m.value().decode() for m in messages] == [f"{codec}-{i}" for i in range(3000)]
    assert [m.offset() for m in messages] == list(range(3000))
    assert messages[7].headers() == [("n", b"7")]


def test_100k_records_round_trip_byte_exact_with_keys_headers_and_timestamps(node):
    topic = f"exact-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": node.kafka, "log_level": 2})
    for future in admin.create_topics([NewTopic(topic, num_partitions=4, replication_factor=1)]).values():
        future.result(15)
    producer = Producer({"bootstrap.servers": node.kafka, "log_level": 2, "linger.ms": 20, "compression.type": "lz4",
                         "enable.idempotence": False})
    base = 1_700_000_000_000
    sent = {}
    for i in range(100_000):
        key = f"key-{i}".encode()
        value = bytes((i * 7 + j) % 256 for j in range(i % 50))
        headers = [("i", str(i).encode()), ("dup", b"a"), ("dup", b"b")]
        partition = i % 4
        producer.produce(topic, key=key, value=value, partition=partition, headers=headers, timestamp=base + i)
        sent.setdefault(partition, []).append((key, value, headers, base + i))
        if i % 10_000 == 0:
            producer.poll(0)
    assert producer.flush(60) == 0
    messages = consume_assigned(node, topic, range(4), 100_000, timeout=120)
    assert len(messages) == 100_000
    got = {}
    for m in messages:
        got.setdefault(m.partition(), []).append((m.key(), m.value() or b"", m.headers(), m.timestamp()[1]))
    for partition in range(4):
        assert got[partition] == sent[partition]


def test_kafka_python_producer_and_consumer(node):
    from kafka import KafkaConsumer, KafkaProducer
    from kafka import TopicPartition as KTP

    topic = f"kp-{uuid.uuid4().hex[:8]}"
    producer = KafkaProducer(bootstrap_servers=node.kafka, compression_type="gzip", enable_idempotence=False)
    for i in range(500):
        producer.send(topic, key=f"k{i}".encode(), value=f"v{i}".encode(), headers=[("h", b"y")])
    producer.flush()
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=node.kafka, enable_auto_commit=False, consumer_timeout_ms=5000)
    consumer.assign([KTP(topic, 0)])
    consumer.seek_to_beginning()
    records = list(consumer)
    consumer.close()
    assert [r.value for r in records] == [f"v{i}".encode() for i in range(500)]
    assert records[0].headers == [("h", b"y")]


def test_aiokafka_producer_and_consumer(node):
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
    from aiokafka.structs import TopicPartition as ATP

    topic = f"aio-{uuid.uuid4().hex[:8]}"

    async def run():
        producer = AIOKafkaProducer(bootstrap_servers=node.kafka, compression_type="gzip")
        await producer.start()
        for i in range(300):
            await producer.send(topic, key=f"k{i}".encode(), value=f"v{i}".encode())
        await producer.stop()
        consumer = AIOKafkaConsumer(bootstrap_servers=node.kafka, enable_auto_commit=False)
        await consumer.start()
        consumer.assign([ATP(topic, 0)])
        await consumer.seek_to_beginning(ATP(topic, 0))
        got = []
        while len(got) < 300:
            batch = await consumer.getmany(timeout_ms=3000)
            if not batch:
                break
            for messages in batch.values():
                got += messages
        await consumer.stop()
        return got

    got = asyncio.run(run())
    assert [m.value for m in got] == [f"v{i}".encode() for i in range(300)]


def test_a_long_poll_fetch_is_woken_by_a_produce(node):
    topic = f"poll-{uuid.uuid4().hex[:8]}"
    producer = Producer({"bootstrap.servers": node.kafka, "log_level": 2, "enable.idempotence": False})
    producer.produce(topic, value=b"first", partition=0)
    producer.flush(15)
    consumer = Consumer({"bootstrap.servers": node.kafka, "group.id": "poll", "enable.auto.commit": False,
                         "fetch.wait.max.ms": 5000})
    consumer.assign([TopicPartition(topic, 0, 1)])
    consumer.poll(0.5)  # the fetch at offset 1 now waits on the broker
    started = time.time()
    producer.produce(topic, value=b"second", partition=0)
    producer.flush(15)
    message = None
    while message is None and time.time() - started < 10:
        message = consumer.poll(0.2)
    consumer.close()
    assert message is not None and message.value() == b"second"


def test_idempotent_producers_of_every_client(node):
    from kafka import KafkaProducer

    topic = f"idem-{uuid.uuid4().hex[:8]}"
    producer = Producer({"bootstrap.servers": node.kafka, "log_level": 2, "enable.idempotence": True, "linger.ms": 5})
    for i in range(2000):
        producer.produce(topic, value=f"c{i}".encode(), partition=0)
    assert producer.flush(30) == 0
    kp = KafkaProducer(bootstrap_servers=node.kafka)  # kafka-python 3 is idempotent by default
    for i in range(500):
        kp.send(topic, value=f"k{i}".encode(), partition=0)
    kp.flush()
    kp.close()
    values = [m.value().decode() for m in consume_assigned(node, topic, [0], 2500)]
    assert values == [f"c{i}" for i in range(2000)] + [f"k{i}" for i in range(500)]


def test_admin_configs_and_partitions(node):
    from confluent_kafka.admin import AlterConfigOpType, ConfigEntry, ConfigResource, NewPartitions

    admin = AdminClient({"bootstrap.servers": node.kafka, "log_level": 2})
    name = f"cfg-{uuid.uuid4().hex[:8]}"
    topic = NewTopic(name, num_partitions=1, replication_factor=1, config={"retention.ms": "60000"})
    for future in admin.create_topics([topic]).values():
        future.result(15)
    resource = ConfigResource(ConfigResource.Type.TOPIC, name)
    configs = admin.describe_configs([resource])[resource].result(15)
    assert configs["retention.ms"].value == "60000"
    assert not configs["retention.ms"].is_default
    assert configs["segment.bytes"].is_default
    alter = ConfigResource(ConfigResource.Type.TOPIC, name, incremental_configs=[
        ConfigEntry("retention.bytes", "123456", incremental_operation=AlterConfigOpType.SET),
        ConfigEntry("retention.ms", None, incremental_operation=AlterConfigOpType.DELETE),
    ])
    admin.incremental_alter_configs([alter])[alter].result(15)
    configs = admin.describe_configs([resource])[resource].result(15)
    assert configs["retention.bytes"].value == "123456"
    assert configs["retention.ms"].is_default
    bad = ConfigResource(ConfigResource.Type.TOPIC, name, incremental_configs=[
        ConfigEntry("retention.bytes", "lots", incremental_operation=AlterConfigOpType.SET)])
    with pytest.raises(Exception) as error:
        admin.incremental_alter_configs([bad])[bad].result(15)
    assert "INVALID_CONFIG" in str(error.value)
    for future in admin.create_partitions([NewPartitions(name, 4)]).values():
        future.result(15)
    assert len(admin.list_topics(timeout=15).topics[name].partitions) == 4
    assert admin.describe_cluster().result(15).controller.id == 1
