"""CloudEvents over HTTP against a real node: the CloudEvents Python SDK posts binary, structured and batch
events; a Kafka consumer reads them back and the SDK's Kafka binding decodes them; a record produced over
Kafka reads over HTTP GET and Server-Sent Events (curl) as a CloudEvent."""
import base64
import json
import subprocess
import urllib.error
import urllib.request
import warnings

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

warnings.simplefilter("ignore")  # the SDK's v1 API warns that it is deprecated
from cloudevents.v1 import http as ce_http  # noqa: E402
from cloudevents.v1 import kafka as ce_kafka  # noqa: E402


def post(url, headers, body):
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("content-type"), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type"), json.loads(error.read())


def read_back(node, topic, count):
    consumer = Consumer({"bootstrap.servers": node.kafka, "group.id": f"readback-{topic}",
                         "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    messages = []
    try:
        for _ in range(200):
            message = consumer.poll(0.2)
            if message is None or message.error():
                if len(messages) >= count:
                    break
                continue
            messages.append(message)
    finally:
        consumer.close()
    return messages


def as_sdk_event(message):
    headers = {name: value for name, value in (message.headers() or [])}
    return ce_kafka.from_binary(ce_kafka.KafkaMessage(headers=headers, key=message.key(), value=message.value()))


def as_json(data):
    """The SDK's Kafka binding gives JSON data already decoded, or bytes."""
    return data if isinstance(data, (dict, list)) else json.loads(data)


def test_sdk_events_in_every_http_mode_are_stored_with_the_kafka_binding(node):
    url = f"{node.http}/topics/ce-in/events"
    binary = ce_http.CloudEvent({"type": "order.created", "source": "/shop", "id": "b-1", "partitionkey": "cust-9"},
                                {"total": 12})
    headers, body = ce_http.to_binary(binary)
    status, _, placed = post(url, {**headers, "content-type": "application/json"}, body)
    assert status == 202 and placed == {"partition": 0, "offset": 0}

    structured = ce_http.CloudEvent({"type": "order.paid", "source": "/shop", "id": "s-1", "subject": "o-1"}, "paid")
    headers, body = ce_http.to_structured(structured)
    status, _, placed = post(url, headers, body)
    assert status == 202 and placed["offset"] == 1

    batch = [json.loads(ce_http.to_json(ce_http.CloudEvent({"type": "t.batch", "source": "/b", "id": f"x-{i}"},
                                                           {"i": i}))) for i in range(3)]
    status, _, placed = post(url, {"content-type": "application/cloudevents-batch+json"}, json.dumps(batch).encode())
    assert status == 202 and [p["offset"] for p in placed] == [2, 3, 4]

    messages = read_back(node, "ce-in", 5)
    events = [as_sdk_event(m) for m in messages]
    assert [e["id"] for e in events] == ["b-1", "s-1", "x-0", "x-1", "x-2"]
    assert messages[0].key() == b"cust-9"  # the partitionkey extension is the record key
    assert events[0]["type"] == "order.created" and as_json(events[0].data) == {"total": 12}
    assert events[1]["subject"] == "o-1"
    assert as_json(events[4].data) == {"i": 2}


def test_an_invalid_event_or_batch_is_refused_with_problem_json_and_nothing_is_stored(node):
    url = f"{node.http}/topics/ce-bad/events"
    status, content_type, problem = post(url, {"ce-specversion": "1.0", "ce-id": "1", "ce-source": "/s"}, b"x")
    assert status == 400 and content_type == "application/problem+json"
    assert "type" in problem["detail"]
    good = {"specversion": "1.0", "id": "ok", "source": "/s", "type": "t"}
    bad = {"specversion": "0.3", "id": "no", "source": "/s", "type": "t"}
    status, _, problem = post(url, {"content-type": "application/cloudevents-batch+json"},
                              json.dumps([good, bad]).encode())
    assert status == 400 and problem["status"] == 400
    status, _, events = get_json(f"{node.http}/topics/ce-bad/events?offset=0")
    assert status == 404 or events == []  # the topic may not even exist: nothing was written


def get_json(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers.get("content-type"), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type"), json.loads(error.read())


def test_a_kafka_record_reads_over_http_get_and_sse_as_a_cloudevent(node):
    producer = Producer({"bootstrap.servers": node.kafka})
    producer.produce("plain", key=b"k1", value=b'{"n":1}', headers=[("content-type", b"application/json")],
                     partition=0)
    producer.produce("plain", value=b"\x00\x01", partition=0)
    producer.flush(10)
    status, _, events = get_json(f"{node.http}/topics/plain/events?partition=0&offset=0&timeout_ms=1000")
    assert status == 200 and len(events) == 2
    first, second = events
    assert (first["id"], first["source"], first["type"]) == ("plain/0/0", "/plexus/topics/plain", "plexus.record")
    assert first["partition"] == 0 and first["offset"] == 0 and first["partitionkey"] == "k1"
    assert first["datacontenttype"] == "application/json" and first["data"] == {"n": 1}
    assert base64.b64decode(second["data_base64"]) == b"\x00\x01"
    # The SDK accepts the structured form (without our two position members).
    sdk = ce_http.from_json(json.dumps({k: v for k, v in first.items() if k not in ("partition", "offset")}))
    assert sdk["id"] == "plain/0/0"

    # SSE from the start, with curl; then resume after the first event with Last-Event-ID.
    out = subprocess.run(["curl", "-s", "-N", "--max-time", "2", f"{node.http}/topics/plain/stream?from=earliest"],
                         capture_output=True, text=True)
    frames = [f for f in out.stdout.split("\n\n") if f.startswith("id:")]
    assert len(frames) == 2
    first_id = frames[0].split("\n")[0][len("id: "):]
    assert first_id == "0:1"
    data = json.loads(frames[0].split("data: ", 1)[1])
    assert data["id"] == "plain/0/0"
    out = subprocess.run(["curl", "-s", "-N", "--max-time", "2", "-H", f"Last-Event-ID: {first_id}",
                          f"{node.http}/topics/plain/stream"], capture_output=True, text=True)
    frames = [f for f in out.stdout.split("\n\n") if f.startswith("id:")]
    assert [json.loads(f.split("data: ", 1)[1])["offset"] for f in frames] == [1]


def test_an_sse_stream_ends_when_its_topic_is_deleted(node):
    code = urllib.request.urlopen(urllib.request.Request(
        f"{node.http}/api/v1/topics", method="POST", data=b'{"name":"doomed"}',
        headers={"content-type": "application/json"}), timeout=30).status
    assert code == 201
    stream = subprocess.Popen(["curl", "-s", "-N", "--max-time", "20", f"{node.http}/topics/doomed/stream"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert stream.stdout.readline().startswith(": plexus stream")
        urllib.request.urlopen(urllib.request.Request(f"{node.http}/api/v1/topics/doomed", method="DELETE"),
                               timeout=30)
        # The stream ends promptly (no busy loop waiting for a client that never gets a byte).
        assert stream.wait(timeout=10) == 0
    finally:
        stream.kill()
