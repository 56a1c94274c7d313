"""`/metrics` of a real node, parsed by prometheus_client: counters move with Kafka and HTTP traffic, and the
scrape-time gauges (log size, consumer lag) are there."""
import json
import urllib.request

from confluent_kafka import Consumer, Producer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families


def scrape(node):
    with urllib.request.urlopen(f"{node.http}/metrics", timeout=30) as response:
        assert response.status == 200
        assert response.headers.get("content-type").startswith("text/plain")
        text = response.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):  # raises on malformed exposition text
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_follow_kafka_and_http_traffic(node):
    producer = Producer({"bootstrap.servers": node.kafka})
    for i in range(50):
        producer.produce("metered", value=b"x" * 100, partition=0)
    producer.flush(10)
    request = urllib.request.Request(
        f"{node.http}/topics/metered/events", method="POST", data=b"{}",
        headers={"ce-id": "1", "ce-source": "/s", "ce-type": "t", "ce-specversion": "1.0",
                 "content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 202

    consumer = Consumer({"bootstrap.servers": node.kafka, "group.id": "metered-group", "enable.auto.commit": False})
    consumer.assign([TopicPartition("metered", 0, 0)])
    got = 0
    for _ in range(100):
        message = consumer.poll(0.2)
        if message is not None and not message.error():
            got += 1
        if got == 51:
            break
    assert got == 51
    consumer.commit(offsets=[TopicPartition("metered", 0, 20)], asynchronous=False)
    consumer.close()

    with urllib.request.urlopen(f"{node.http}/topics/metered/events?offset=0&limit=5", timeout=30) as response:
        assert len(json.loads(response.read())) == 5
    samples = scrape(node)
    assert value(samples, "plexus_bytes_out_total", topic="metered", protocol="http") > 0
    assert value(samples, "plexus_records_in_total", topic="metered") == 51
    assert value(samples, "plexus_bytes_in_total", topic="metered") > 5000
    assert value(samples, "plexus_bytes_out_total", topic="metered", protocol="kafka") > 5000
    assert value(samples, "plexus_requests_total", protocol="kafka", api="Produce") >= 1
    assert value(samples, "plexus_requests_total", protocol="kafka", api="Fetch") >= 1
    assert value(samples, "plexus_log_size_bytes", topic="metered", partition="0") > 5000
    assert value(samples, "plexus_consumer_lag", group="metered-group", topic="metered", partition="0") == 31
    assert value(samples, "plexus_fsync_seconds_count") >= 1
    assert value(samples, "plexus_produce_latency_seconds_count", protocol="kafka") >= 1
    assert value(samples, "plexus_connections", protocol="kafka") >= 0
    # Sub-millisecond buckets: an fsync or a produce round trip of a few hundred microseconds is resolved, not
    # lumped into the library's first 5 ms bucket.
    assert ("plexus_fsync_seconds_bucket", (("le", "0.0001"),)) in samples
    assert ("plexus_fsync_seconds_bucket", (("le", "0.0005"),)) in samples
    assert value(samples, "plexus_produce_latency_seconds_bucket", protocol="kafka", le="10.0") >= 1
    assert value(samples, "plexus_connections", protocol="http") >= 1  # the scrape's own connection
    assert any(name.startswith("hb_request") for name, _ in samples), "HTTP request metrics"


def test_series_of_a_deleted_topic_leave_the_scrape(node):
    producer = Producer({"bootstrap.servers": node.kafka})
    producer.produce("fleeting", value=b"x", partition=0)
    producer.flush(10)
    assert value(scrape(node), "plexus_log_size_bytes", topic="fleeting", partition="0") > 0
    request = urllib.request.Request(f"{node.http}/api/v1/topics/fleeting", method="DELETE")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 204
    assert ("plexus_log_size_bytes", (("partition", "0"), ("topic", "fleeting"))) not in scrape(node)
