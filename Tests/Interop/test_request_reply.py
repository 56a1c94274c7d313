"""Request/reply over HTTP against a real node: POST /topics/{t}/requests publishes the request with
correlationid and replyto; a confluent-kafka responder answers on the reply stream; the node answers the
HTTP call with the correlated reply in binary mode, or 504 reply-timeout."""
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

from sinks import call, call_json, create_topic, problem_code


class Responder:
    """Consumes requests from `topic` (partition 0, from the start) and produces a reply to each one's
    ce_replyto with the same ce_correlationid; records the request headers it saw."""

    def __init__(self, node, topic, reply_partition=None):
        self.seen = []
        self._reply_partition = reply_partition
        self._stop = threading.Event()
        self._consumer = Consumer({"bootstrap.servers": node.kafka, "group.id": f"responder-{topic}",
                                   "enable.auto.commit": False})
        self._consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        self._producer = Producer({"bootstrap.servers": node.kafka, "linger.ms": 0})
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            message = self._consumer.poll(0.1)
            if message is None or message.error():
                continue
            headers = {name: value.decode() for name, value in (message.headers() or []) if value is not None}
            self.seen.append(headers)
            request = json.loads(message.value() or b"null")
            reply = json.dumps({"echo": request, "by": "responder"}).encode()
            where = {} if self._reply_partition is None else {"partition": self._reply_partition}
            self._producer.produce(headers["ce_replyto"], value=reply, **where, headers=[
                ("ce_specversion", b"1.0"), ("ce_id", f"reply-{headers['ce_id']}".encode()),
                ("ce_source", b"/responder"), ("ce_type", b"rpc.reply"),
                ("ce_correlationid", headers["ce_correlationid"].encode()),
                ("content-type", b"application/json"),
            ])
            self._producer.flush(10)

    def close(self):
        self._stop.set()
        self._thread.join(timeout=10)
        self._consumer.close()


def request(node, topic, headers, body, timeout_ms=15000):
    started = time.monotonic()
    status, response_headers, raw = call("POST", f"{node.http}/topics/{topic}/requests?timeout_ms={timeout_ms}",
                                         body, headers, timeout=timeout_ms / 1000 + 30)
    return status, response_headers, raw, time.monotonic() - started


def binary_request(event_id, data, **extensions):
    headers = {"ce-specversion": "1.0", "ce-id": event_id, "ce-source": "/client", "ce-type": "rpc.request",
               "content-type": "application/json"}
    headers.update({f"ce-{name}": value for name, value in extensions.items()})
    return headers, json.dumps(data).encode()


def test_a_request_is_answered_with_the_responders_correlated_reply(node):
    create_topic(node, "rpc", 1)
    responder = Responder(node, "rpc")
    try:
        headers, body = binary_request("req-1", {"q": 1})
        status, reply_headers, raw, _ = request(node, "rpc", headers, body)
        assert status == 200, raw
        assert reply_headers["ce-correlationid"] == "req-1"
        assert reply_headers["ce-id"] == "reply-req-1" and reply_headers["ce-type"] == "rpc.reply"
        assert reply_headers["ce-source"] == "/responder" and reply_headers["ce-specversion"] == "1.0"
        assert reply_headers["content-type"].startswith("application/json")
        assert json.loads(raw) == {"echo": {"q": 1}, "by": "responder"}
        [seen] = responder.seen
        assert seen["ce_id"] == "req-1" and seen["ce_correlationid"] == "req-1"
        assert seen["ce_replyto"] == "rpc.replies" and seen["ce_type"] == "rpc.request"

        # Structured mode, with a correlation id and a reply stream of the client's choosing.
        event = {"specversion": "1.0", "id": "req-2", "source": "/client", "type": "rpc.request",
                 "correlationid": "corr-9", "replyto": "rpc.custom-replies", "datacontenttype": "application/json",
                 "data": {"q": 2}}
        status, reply_headers, raw, _ = request(node, "rpc", {"content-type": "application/cloudevents+json"},
                                                json.dumps(event).encode())
        assert status == 200, raw
        assert reply_headers["ce-correlationid"] == "corr-9" and json.loads(raw)["echo"] == {"q": 2}
        assert responder.seen[1]["ce_replyto"] == "rpc.custom-replies"
    finally:
        responder.close()


def test_concurrent_requests_each_get_their_own_reply(node):
    create_topic(node, "rpc-many", 1)
    responder = Responder(node, "rpc-many")
    try:
        def one(i):
            headers, body = binary_request(f"many-{i}", {"i": i})
            status, reply_headers, raw, _ = request(node, "rpc-many", headers, body)
            return i, status, reply_headers.get("ce-correlationid"), raw

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(one, range(8)))
        for i, status, correlation, raw in results:
            assert status == 200, raw
            assert correlation == f"many-{i}" and json.loads(raw)["echo"] == {"i": i}
    finally:
        responder.close()


def test_a_reply_in_a_partition_added_to_the_reply_stream_later_is_found(node):
    from confluent_kafka.admin import AdminClient, NewPartitions

    create_topic(node, "rpc-grow", 1)
    create_topic(node, "rpc-grow.replies", 1)
    first = Responder(node, "rpc-grow")
    try:  # the reply stream's follower starts with the one partition there is
        headers, body = binary_request("grow-1", {"q": 1})
        status, _, raw, _ = request(node, "rpc-grow", headers, body)
        assert status == 200, raw
    finally:
        first.close()
    admin = AdminClient({"bootstrap.servers": node.kafka})
    admin.create_partitions([NewPartitions("rpc-grow.replies", 2)])["rpc-grow.replies"].result(20)
    second = Responder(node, "rpc-grow", reply_partition=1)
    try:
        headers, body = binary_request("grow-2", {"q": 2})
        status, reply_headers, raw, _ = request(node, "rpc-grow", headers, body, timeout_ms=10000)
        assert status == 200, raw
        assert reply_headers["ce-correlationid"] == "grow-2" and json.loads(raw)["echo"] == {"q": 2}
    finally:
        second.close()


def test_a_request_without_a_responder_times_out_with_504(node):
    headers, body = binary_request("lonely-1", {"q": 0})
    status, response_headers, raw, elapsed = request(node, "void", headers, body, timeout_ms=1500)
    assert status == 504
    assert problem_code(response_headers, json.loads(raw)) == "reply-timeout"
    assert 1.4 <= elapsed <= 1.5 + 5.0, f"answered after {elapsed:.3f}s"
    # The request itself was published, with its correlation attributes.
    status, _, events = call_json("GET", f"{node.http}/topics/void/events?partition=0&offset=0&timeout_ms=1000")
    assert status == 200 and [e["id"] for e in events] == ["lonely-1"]
    assert events[0]["correlationid"] == "lonely-1" and events[0]["replyto"] == "void.replies"


def test_an_invalid_request_is_refused(node):
    status, headers, raw, _ = request(node, "rpc-bad", {"ce-specversion": "1.0", "ce-id": "x", "ce-source": "/s"},
                                      b"{}", timeout_ms=1000)
    assert status == 400 and headers["content-type"].startswith("application/problem+json"), raw
