"""Push subscriptions against a real node: a recording HTTP sink (sinks.Sink) plays the subscriber and
checks CloudEvents binary-mode delivery, the retry schedule (exponential, linear, Retry-After, timeouts),
dead letters in a topic, replies, Knative filters and CESQL, ordering and concurrency, topic sinks and glob
sources, durable progress across a SIGKILL, delayed delivery, and the admin API."""
import json
import socket
import tempfile
import time
import urllib.parse

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

from conftest import Node
from sinks import (Answer, Sink, always, call, call_json, create_topic, fail_then_ok, hang, problem_code, publish,
                   publish_batch, read_events, reply_with, retry_after, rfc3339, slow, wait_until)

API = "/api/v1/subscriptions"


def create(node, name, topics, sink, **fields):
    """Creates a subscription (`sink` a URL or {"topic": …}); asserts 201 and returns the definition."""
    definition = {"name": name, "topics": topics if isinstance(topics, list) else [topics],
                  "sink": sink if isinstance(sink, dict) else {"uri": sink}, **fields}
    status, _, body = call_json("POST", f"{node.http}{API}", definition)
    assert status == 201, (status, body)
    return body


def subscription(node, name):
    status, _, body = call_json("GET", f"{node.http}{API}/{name}")
    assert status == 200, (status, body)
    return body


def counters(node, name):
    return subscription(node, name)["status"]["counters"]


def wait_counters(node, name, timeout=30.0, **expected):
    """Waits until the subscription's counters reach at least `expected`; returns them."""
    def reached():
        now = counters(node, name)
        return now if all(now[key] >= value for key, value in expected.items()) else None
    return wait_until(reached, timeout, 0.1, f"{name} counters {expected}")


def gaps(requests):
    return [later.at - earlier.at for earlier, later in zip(requests, requests[1:])]


def assert_gap(observed, expected, what):
    assert 0.8 * expected <= observed <= expected + 2.0, f"{what}: gap {observed:.3f}s, expected ~{expected}s"


def kafka_records(node, topic, count, timeout=20.0):
    """Reads `count` records of partition 0 from the start with a Kafka consumer."""
    consumer = Consumer({"bootstrap.servers": node.kafka, "group.id": f"check-{topic}", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    got = []
    deadline = time.monotonic() + timeout
    try:
        while len(got) < count and time.monotonic() < deadline:
            message = consumer.poll(0.2)
            if message is not None and not message.error():
                got.append(message)
    finally:
        consumer.close()
    return got


def closed_port_url():
    """A URL on a port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/nobody"


def no_events(node, topic):
    status, _, body = call_json("GET", f"{node.http}/topics/{topic}/events?partition=0&offset=0&timeout_ms=200")
    return status == 404 or body == []


# MARK: Retries and dead letters


def test_a_failing_sink_is_retried_with_exponential_backoff_then_the_event_is_delivered_once(node):
    with Sink(fail_then_ok(2, status=500)) as sink:
        create(node, "exp", "exp-in", sink.url,
               delivery={"retry": 3, "backoffDelay": "PT0.3S", "deadLetterSink": {"topic": "exp-dlq"}})
        publish(node, "exp-in", "e-1", type_="order.created", data=b'{"n":1}', subject="o-1")
        wait_counters(node, "exp", delivered=1)
        time.sleep(0.5)  # room for a (wrong) fourth attempt to show up
        requests = sink.snapshot()
        assert [r.attempt for r in requests] == [1, 2, 3]
        first = requests[0]
        # CloudEvents HTTP binary mode plus the Plexus delivery headers.
        assert (first.headers["ce-id"], first.headers["ce-type"], first.headers["ce-source"]) == \
            ("e-1", "order.created", "/tests")
        assert first.headers["ce-specversion"] == "1.0" and first.headers["ce-subject"] == "o-1"
        assert first.headers["content-type"].startswith("application/json") and first.body == b'{"n":1}'
        assert first.headers["plexus-subscription"] == "exp"
        assert first.headers["plexus-origin"] == "exp-in/0/0"
        assert all(r.id == "e-1" and r.method == "POST" for r in requests)
        first_gap, second_gap = gaps(requests)
        assert_gap(first_gap, 0.3, "before retry 1")
        assert_gap(second_gap, 0.6, "before retry 2")
        now = counters(node, "exp")
        assert now["delivered"] == 1 and now["retried"] == 2
        assert now["deadLettered"] == 0 and now["dropped"] == 0 and now["inFlight"] == 0
        assert no_events(node, "exp-dlq")


def test_linear_backoff_exhausts_the_retries_and_dead_letters_the_event_with_the_error(node):
    with Sink(always(500, body="database down: code 17", headers={"content-type": "text/plain"})) as sink:
        create(node, "lin", "lin-in", sink.url,
               delivery={"retry": 3, "backoffPolicy": "linear", "backoffDelay": "PT0.3S",
                         "deadLetterSink": {"topic": "lin-dlq"}})
        publish(node, "lin-in", "e-7", type_="order.paid", data=b'{"n":7}')
        [dead] = read_events(node, "lin-dlq", 1, timeout=30)
        requests = sink.snapshot()
        assert [r.attempt for r in requests] == [1, 2, 3, 4]
        for k, gap in enumerate(gaps(requests), start=1):
            assert_gap(gap, 0.3 * k, f"before retry {k}")
        assert (dead["id"], dead["type"], dead["source"]) == ("e-7", "order.paid", "/tests")
        assert dead["data"] == {"n": 7}
        assert dead["plexuserrorcode"] == "500"
        assert int(dead["plexuserrorattempts"]) == 4
        assert "database down: code 17" in dead["plexuserrordata"]
        assert dead["plexuserrordest"] == sink.url
        assert dead["plexussubscription"] == "lin"
        assert dead["plexusorigin"] == "lin-in/0/0"
        # Stored in the Kafka binary binding: attributes as ce_ headers, the data as the value.
        [record] = kafka_records(node, "lin-dlq", 1)
        headers = {name: value.decode() for name, value in record.headers()}
        assert headers["ce_id"] == "e-7" and headers["ce_type"] == "order.paid"
        assert headers["ce_plexuserrorcode"] == "500" and headers["ce_plexuserrorattempts"] == "4"
        assert headers["ce_plexusorigin"] == "lin-in/0/0" and record.value() == b'{"n":7}'
        now = wait_counters(node, "lin", deadLettered=1)
        assert now["delivered"] == 0 and now["dropped"] == 0
        time.sleep(0.5)
        assert len(sink.snapshot()) == 4  # no attempts after the dead letter


def test_retry_after_is_honoured_and_capped_by_retry_after_max(node):
    honoured, capped, dated = Sink(retry_after(2)), Sink(retry_after(10)), Sink(retry_after("date:3", status=503))
    short = Sink(retry_after(0))
    with honoured, capped, dated, short:
        create(node, "ra-short", "ra-short-in", short.url, delivery={"backoffDelay": "PT1S"})
        publish(node, "ra-short-in", "d")
        create(node, "ra-2", "ra-2-in", honoured.url, delivery={"backoffDelay": "PT0.1S"})
        create(node, "ra-cap", "ra-cap-in", capped.url, delivery={"backoffDelay": "PT0.1S", "retryAfterMax": "PT0.5S"})
        create(node, "ra-date", "ra-date-in", dated.url, delivery={"backoffDelay": "PT0.1S"})
        publish(node, "ra-2-in", "a")
        publish(node, "ra-cap-in", "b")
        publish(node, "ra-date-in", "c")
        for sink in (honoured, capped, dated):
            sink.wait_count(2, timeout=30)
        [gap] = gaps(honoured.snapshot()[:2])
        assert 1.8 <= gap <= 2.0 + 2.0, f"Retry-After: 2 gave a gap of {gap:.3f}s"
        [gap] = gaps(capped.snapshot()[:2])
        assert_gap(gap, 0.5, "Retry-After: 10 capped by retryAfterMax PT0.5S")
        # An HTTP-date three seconds ahead (second resolution: the wait is between 2 and 3 s).
        [gap] = gaps(dated.snapshot()[:2])
        assert 1.5 <= gap <= 3.0 + 2.0, f"Retry-After as an HTTP-date gave a gap of {gap:.3f}s"
        # Retry-After: 0 with a 1 s backoff: the backoff is the longer wait.
        [gap] = gaps(short.wait_count(2, timeout=30)[:2])
        assert_gap(gap, 1.0, "Retry-After: 0 under a PT1S backoff")
        for name in ("ra-2", "ra-cap", "ra-date", "ra-short"):
            wait_counters(node, name, delivered=1)


def test_a_sink_that_answers_too_late_times_out_and_the_event_is_dead_lettered(node):
    with Sink(hang(3.0)) as sink:
        create(node, "slowpoke", "slow-in", sink.url,
               delivery={"retry": 1, "timeout": "PT0.5S", "backoffDelay": "PT0.1S",
                         "deadLetterSink": {"topic": "slow-dlq"}})
        started = time.monotonic()
        publish(node, "slow-in", "t-1", data=b'"x"')
        [dead] = read_events(node, "slow-dlq", 1, timeout=30)
        # Two attempts cut at 0.5 s each: the dead letter comes long before the sink's 3 s answers would.
        assert time.monotonic() - started < 2.9 + 3.0
        requests = sink.snapshot()
        assert [r.attempt for r in requests] == [1, 2]
        assert gaps(requests)[0] >= 0.8 * (0.5 + 0.1)
        assert dead["id"] == "t-1" and dead["plexuserrorcode"] == "timeout"
        assert int(dead["plexuserrorattempts"]) == 2
        wait_counters(node, "slowpoke", deadLettered=1)


def test_the_attempt_timeout_covers_a_response_body_that_stalls(node):
    # A sink that sends its status line and headers at once, then 3 of the 100 body bytes, then nothing.
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []

    def serve():
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            accepted.append(connection)
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")

    import threading
    threading.Thread(target=serve, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.getsockname()[1]}/stall"
        create(node, "stall", "stall-in", url,
               delivery={"retry": 1, "timeout": "PT1S", "backoffDelay": "PT0.1S",
                         "deadLetterSink": {"topic": "stall-dlq"}})
        publish(node, "stall-in", "s-1")
        [dead] = read_events(node, "stall-dlq", 1, timeout=30)
        assert dead["id"] == "s-1" and dead["plexuserrorcode"] == "timeout"
        assert int(dead["plexuserrorattempts"]) == 2
    finally:
        server.close()
        for connection in accepted:
            connection.close()


def test_a_permanent_refusal_dead_letters_at_once_and_without_a_dead_letter_sink_drops(node):
    with Sink(always(400, body="schema mismatch")) as bad, Sink(always(422)) as unprocessable:
        create(node, "perm", "perm-in", bad.url,
               delivery={"retry": 5, "backoffDelay": "PT0.1S", "deadLetterSink": {"topic": "perm-dlq"}})
        create(node, "perm-422", "perm-422-in", unprocessable.url,
               delivery={"retry": 5, "backoffDelay": "PT0.1S", "deadLetterSink": {"topic": "perm-422-dlq"}})
        create(node, "perm-drop", "perm-in", bad.url, delivery={"retry": 5, "backoffDelay": "PT0.1S"})
        publish(node, "perm-in", "p-1")
        publish(node, "perm-422-in", "p-2")
        [dead] = read_events(node, "perm-dlq", 1, timeout=30)
        assert dead["id"] == "p-1" and dead["plexuserrorcode"] == "400"
        assert int(dead["plexuserrorattempts"]) == 1 and "schema mismatch" in dead["plexuserrordata"]
        [dead] = read_events(node, "perm-422-dlq", 1, timeout=30)
        assert dead["id"] == "p-2" and dead["plexuserrorcode"] == "422"
        # No dead-letter sink: dropped, and counted.
        now = wait_counters(node, "perm-drop", dropped=1)
        assert now["deadLettered"] == 0 and now["delivered"] == 0
        time.sleep(0.5)
        assert [r.headers["plexus-subscription"] for r in bad.snapshot()].count("perm") == 1
        assert [r.headers["plexus-subscription"] for r in bad.snapshot()].count("perm-drop") == 1
        assert len(unprocessable.snapshot()) == 1
        assert counters(node, "perm")["deadLettered"] == 1


def test_which_answers_are_retried_and_which_are_permanent(node):
    retried, permanent = (404, 408, 409, 503, 502), (403, 405, 410)
    sinks = {code: Sink(always(code)) for code in retried + permanent}
    try:
        for code, sink in sinks.items():
            create(node, f"code-{code}", f"code-{code}-in", sink.url,
                   delivery={"retry": 1, "backoffDelay": "PT0.1S", "deadLetterSink": {"topic": f"code-{code}-dlq"}})
            publish(node, f"code-{code}-in", f"c-{code}")
        for code, sink in sinks.items():
            [dead] = read_events(node, f"code-{code}-dlq", 1, timeout=30)
            assert dead["plexuserrorcode"] == str(code)
            attempts = 2 if code in retried else 1
            assert int(dead["plexuserrorattempts"]) == attempts, code
            assert [r.attempt for r in sink.snapshot()] == list(range(1, attempts + 1)), code
    finally:
        for sink in sinks.values():
            sink.close()


def test_an_unreachable_sink_is_retried_and_dead_lettered_as_a_connection_error(node):
    url = closed_port_url()
    create(node, "nowhere", "nowhere-in", url,
           delivery={"retry": 2, "backoffDelay": "PT0.1S", "deadLetterSink": {"topic": "nowhere-dlq"}})
    started = time.monotonic()
    publish(node, "nowhere-in", "n-1")
    [dead] = read_events(node, "nowhere-dlq", 1, timeout=45)
    elapsed = time.monotonic() - started
    assert dead["id"] == "n-1" and dead["plexuserrorcode"] == "connection"
    assert int(dead["plexuserrorattempts"]) == 3 and dead["plexuserrordest"] == url
    now = wait_counters(node, "nowhere", deadLettered=1)
    assert now["retried"] == 2
    # A refused connection fails the attempt at once: three attempts 0.1 s and 0.2 s apart take well under
    # the 30 s attempt timeout, and not one HTTP client connect timeout each.
    assert elapsed < 8.0, f"three attempts on a refused port took {elapsed:.1f}s"


def test_a_dead_letter_sink_can_be_an_http_sink_and_the_error_body_is_cut_to_1_kib(node):
    long_body = "".join(f"line {i:04d} of a very long error\n" for i in range(200)).encode()  # ~6 KiB
    with Sink(always(400, body=long_body, headers={"content-type": "text/plain"})) as refusing, Sink() as dead_sink:
        create(node, "dl-http", "dl-http-in", refusing.url,
               delivery={"deadLetterSink": {"uri": dead_sink.url}})
        publish(node, "dl-http-in", "h-1", type_="thing.done", data=b'{"k":"v"}')
        [dead] = dead_sink.wait_count(1, timeout=30)
        assert dead.headers["ce-id"] == "h-1" and dead.headers["ce-type"] == "thing.done"
        assert dead.body == b'{"k":"v"}'
        assert dead.headers["ce-plexuserrorcode"] == "400"
        assert dead.headers["ce-plexuserrorattempts"] == "1"
        assert dead.headers["ce-plexussubscription"] == "dl-http"
        assert dead.headers["ce-plexusorigin"] == "dl-http-in/0/0"
        # Header values are percent-encoded (CloudEvents HTTP binding, 3.1.3.2).
        data = urllib.parse.unquote(dead.headers["ce-plexuserrordata"])
        assert 0 < len(data.encode()) <= 1024
        # CloudEvents strings hold no control characters: the newlines may come out as spaces.
        assert long_body.decode().replace("\n", " ").startswith(data.replace("\n", " ").rstrip())
        assert data.startswith("line 0000 of a very long error")
        wait_counters(node, "dl-http", deadLettered=1)


def test_start_from_latest_skips_old_events_and_earliest_reads_them(node):
    publish(node, "history", "old-1")
    publish(node, "history", "old-2")
    with Sink() as sink:
        create(node, "from-latest", "history", sink.url)
        create(node, "from-earliest", "history", sink.url, startFrom="earliest")
        publish(node, "history", "new-1")
        wait_counters(node, "from-latest", delivered=1)
        wait_counters(node, "from-earliest", delivered=3)
        time.sleep(0.5)
        by_subscription = {}
        for request in sink.snapshot():
            by_subscription.setdefault(request.headers["plexus-subscription"], []).append(request.id)
        assert by_subscription == {"from-latest": ["new-1"], "from-earliest": ["old-1", "old-2", "new-1"]}


# MARK: Replies


def test_a_cloudevent_in_the_sinks_answer_is_published_to_the_reply_topic(node):
    def script(request, sink):
        if request.id == "q-binary":
            return reply_with(lambda r: ({"id": "r-binary", "source": "/responder", "type": "reply.binary",
                                          "correlation": r.id}, b'{"ok":true}', "application/json"))(request, sink)
        if request.id == "q-structured":
            event = {"specversion": "1.0", "id": "r-structured", "source": "/responder", "type": "reply.structured",
                     "datacontenttype": "text/plain", "data": "fine"}
            return Answer(200, {"content-type": "application/cloudevents+json"}, json.dumps(event))
        return Answer(200, {"content-type": "text/plain"}, b"just ok, no event")

    with Sink(script) as sink:
        create(node, "rep", "rep-in", sink.url, reply={"topic": "rep-out"})
        for event_id in ("q-binary", "q-structured", "q-plain"):
            publish(node, "rep-in", event_id)
        wait_counters(node, "rep", delivered=3)
        replies = read_events(node, "rep-out", 2, timeout=20)
        assert [r["id"] for r in replies] == ["r-binary", "r-structured"]
        binary, structured = replies
        assert binary["type"] == "reply.binary" and binary["source"] == "/responder"
        assert binary["data"] == {"ok": True} and binary["correlation"] == "q-binary"
        assert structured["type"] == "reply.structured" and structured["data"] == "fine"
        assert counters(node, "rep")["replies"] == 2
        time.sleep(0.5)
        assert len(read_events(node, "rep-out", 3, timeout=1)) == 2  # the plain answer made no reply


# MARK: Filters


FILTER_EVENTS = [
    ("f1", "order.created", "eu", "/shop/eu"),
    ("f2", "order.created", "us", "/shop/us"),
    ("f3", "order.cancelled", "eu", "/shop/eu"),
    ("f4", "payment.done", "eu", "/shop/eu"),
    ("f5", "order.shipped", "apac", "/shop/eu"),
    ("f6", "order.created", None, "/shop/eu"),
]


def test_knative_filters_and_cesql_pass_only_matching_events_and_count_the_rest(node):
    cases = {
        "f-exact": ({"filters": [{"exact": {"type": "order.created"}}]}, {"f1", "f2", "f6"}),
        "f-legacy": ({"filter": {"attributes": {"type": "order.created", "subject": "eu"}}}, {"f1"}),
        "f-prefix-suffix": ({"filters": [{"prefix": {"type": "order."}}, {"suffix": {"source": "/eu"}}]},
                            {"f1", "f3", "f5", "f6"}),
        "f-any-not": ({"filters": [{"any": [{"exact": {"subject": "eu"}}, {"exact": {"subject": "us"}}]},
                                   {"not": {"exact": {"type": "order.cancelled"}}}]}, {"f1", "f2", "f4"}),
        "f-all": ({"filters": [{"all": [{"prefix": {"type": "order."}}, {"exact": {"subject": "eu"}}]}]},
                  {"f1", "f3"}),
        "f-cesql": ({"filters": [{"cesql": "type LIKE 'order.%' AND subject = 'eu'"}]}, {"f1", "f3"}),
    }
    with Sink() as sink:
        for name, (fields, _) in cases.items():
            create(node, name, "filtered", sink.url, **fields)
        for event_id, type_, subject, source in FILTER_EVENTS:
            extra = {"subject": subject} if subject else {}
            publish(node, "filtered", event_id, type_=type_, source=source, **extra)
        for name, (_, expected) in cases.items():
            def settled(name=name):
                now = counters(node, name)
                return now if now["delivered"] + now["filtered"] >= len(FILTER_EVENTS) else None
            now = wait_until(settled, 30, 0.1, f"{name} to see every event")
            got = {r.id for r in sink.snapshot() if r.headers["plexus-subscription"] == name}
            assert got == expected, name
            assert now["delivered"] == len(expected) and now["filtered"] == len(FILTER_EVENTS) - len(expected), name


def test_invalid_definitions_are_refused_with_invalid_definition(node):
    sink = {"uri": "http://127.0.0.1:9/sink"}
    bad = [
        {"name": "b1", "topics": ["x"], "sink": sink, "filters": [{"cesql": "type LIKE"}]},
        {"name": "b2", "topics": ["x"], "sink": sink, "filters": [{"cesql": "(type = 'a'"}]},
        {"name": "b3", "topics": ["x"], "sink": sink, "sinc": sink},
        {"name": "b4", "topics": ["x"], "sink": sink, "delivery": {"retries": 3}},
        {"name": "b5", "topics": ["x"], "sink": sink, "delivery": {"backoffDelay": "5 seconds"}},
        {"name": "b6", "topics": ["in.*"], "sink": {"topic": "in.copy"}},
        {"name": "b7", "topics": ["x"], "sink": sink, "filters": [{"regex": {"type": ".*"}}]},
        {"name": "b8", "topics": ["x"], "sink": sink, "delivery": {"ordering": "random"}},
        {"name": "b9", "topics": ["x"], "sink": sink, "delivery": {"ordering": "unordered", "concurrency": 0}},
        {"name": "b10", "topics": ["loop"], "sink": sink, "reply": {"topic": "loop"}},
        {"name": "b11", "topics": ["dl*"], "sink": sink, "delivery": {"deadLetterSink": {"topic": "dlq"}}},
        {"name": "b12", "topics": ["x"], "sink": sink, "delivery": {"timeout": "PT0S"}},
        {"name": "b13", "topics": ["x"], "sink": {"uri": "ftp://example.com/x"}},
        {"name": "b14", "topics": ["x"], "sink": sink, "startFrom": "yesterday"},
    ]
    for definition in bad:
        status, headers, problem = call_json("POST", f"{node.http}{API}", definition)
        assert status == 400, (definition, status, problem)
        assert problem_code(headers, problem) == "invalid-definition", (definition, problem)
    status, _, body = call_json("GET", f"{node.http}{API}")
    assert status == 200 and body["subscriptions"] == []


# MARK: Ordering and concurrency


def test_ordered_delivery_keeps_offset_order_and_unordered_delivery_runs_concurrently(node):
    create_topic(node, "ord", 1)
    create_topic(node, "unord", 1)
    with Sink(slow(0.05)) as ordered_sink, Sink(slow(0.4)) as unordered_sink:
        create(node, "ordered", "ord", ordered_sink.url)
        create(node, "unordered", "unord", unordered_sink.url,
               delivery={"ordering": "unordered", "concurrency": 8})
        ids = [f"o-{i:02d}" for i in range(20)]
        publish_batch(node, "ord", [{"id": i} for i in ids])
        publish_batch(node, "unord", [{"id": f"u-{i:02d}"} for i in range(24)])
        ordered_sink.wait_count(20, timeout=60)
        unordered_sink.wait_count(24, timeout=60)
        assert ordered_sink.ids() == ids
        assert ordered_sink.max_concurrency == 1
        assert 1 < unordered_sink.max_concurrency <= 8
        assert sorted(set(unordered_sink.ids())) == [f"u-{i:02d}" for i in range(24)]
        wait_counters(node, "unordered", delivered=24)


def test_ordered_delivery_holds_back_later_events_while_one_is_retried(node):
    create_topic(node, "held", 1)

    def script(request, sink):
        if request.id == "h-0" and request.attempt_for_id <= 2:
            return Answer(503, body=b"not yet")
        return Answer(200)

    with Sink(script) as sink:
        create(node, "holder", "held", sink.url, delivery={"backoffDelay": "PT0.3S"})
        publish_batch(node, "held", [{"id": f"h-{i}"} for i in range(5)])
        sink.wait_count(7, timeout=30)
        time.sleep(0.3)
        assert sink.ids() == ["h-0", "h-0", "h-0", "h-1", "h-2", "h-3", "h-4"]
        assert [r.attempt for r in sink.snapshot()[:3]] == [1, 2, 3]


# MARK: Topic sinks and glob sources


def test_a_topic_sink_copies_key_value_and_headers(node):
    create(node, "copier", "orig", {"topic": "copy"})
    publish(node, "orig", "c-1", data=b'{"a":1}', partitionkey="cust-1", subject="s")
    publish(node, "orig", "c-2", data=b"plain", content_type="text/plain")
    wait_counters(node, "copier", delivered=2)

    def records(topic):
        return [(m.key(), m.value(), sorted(m.headers() or [])) for m in kafka_records(node, topic, 2)]

    original, copied = records("orig"), records("copy")
    assert len(original) == 2 and copied == original
    assert copied[0][0] == b"cust-1"


def test_a_topic_sink_with_a_filter_copies_only_matching_records(node):
    create(node, "picker", "mixed", {"topic": "picked"}, filters=[{"exact": {"type": "keep"}}])
    publish(node, "mixed", "m-1", type_="keep")
    publish(node, "mixed", "m-2", type_="drop")
    publish(node, "mixed", "m-3", type_="keep")
    now = wait_until(lambda: (lambda c: c if c["delivered"] + c["filtered"] >= 3 else None)(counters(node, "picker")),
                     30, 0.1, "picker to see every event")
    assert now["delivered"] == 2 and now["filtered"] == 1
    assert [e["id"] for e in read_events(node, "picked", 3, timeout=2)] == ["m-1", "m-3"]


def test_a_record_produced_over_kafka_is_pushed_as_a_cloudevent(node):
    create_topic(node, "kraw", 1)
    with Sink() as sink:
        create(node, "kafka-fed", "kraw", sink.url)
        producer = Producer({"bootstrap.servers": node.kafka})
        producer.produce("kraw", key=b"k-1", value=b'{"n":1}', headers=[("content-type", b"application/json")],
                         partition=0)
        producer.flush(10)
        [request] = sink.wait_count(1, timeout=20)
        assert request.headers["ce-id"] == "kraw/0/0" and request.headers["ce-type"] == "plexus.record"
        assert request.headers["ce-source"] == "/plexus/topics/kraw"
        assert request.headers["content-type"].startswith("application/json") and request.body == b'{"n":1}'
        assert request.headers["plexus-origin"] == "kraw/0/0"


def test_a_glob_source_picks_up_a_topic_created_after_the_subscription_from_its_beginning(node):
    with Sink() as sink:
        create(node, "globber", ["glob.*"], sink.url)
        create_topic(node, "glob.early")  # created empty, then written to
        # The first publish creates the topic; the pattern sees it within about a second, but the three events
        # published meanwhile are delivered too (a new topic starts at its beginning).
        for i in range(3):
            publish(node, "glob.fresh", f"g-{i}")
        publish(node, "glob.early", "g-early")
        publish(node, "other.fresh", "not-me")
        sink.wait_for(lambda requests: {"g-0", "g-1", "g-2", "g-early"} <= {r.id for r in requests}, 20,
                      "the glob topics' events")
        time.sleep(1.5)
        assert "not-me" not in sink.ids()
        origins = {r.id: r.headers["plexus-origin"] for r in sink.snapshot()}
        assert origins["g-0"] == "glob.fresh/0/0" and origins["g-2"] == "glob.fresh/0/2"
        topics = {p["topic"] for p in subscription(node, "globber")["status"]["partitions"]}
        assert {"glob.fresh", "glob.early"} <= topics and "other.fresh" not in topics


# MARK: Durability


def test_push_delivery_resumes_after_a_sigkill_without_losing_events():
    ids = [f"k-{i:03d}" for i in range(200)]
    with tempfile.TemporaryDirectory(prefix="plexus-interop-") as data_dir, Sink(slow(0.02)) as sink:
        first = Node(data_dir)
        try:
            create_topic(first, "durable", 1)
            create(first, "survivor", "durable", sink.url)
            for chunk in range(0, 200, 50):
                publish_batch(first, "durable", [{"id": i} for i in ids[chunk:chunk + 50]])
            sink.wait_count(40, timeout=60)
        finally:
            first.process.kill()
            first.process.wait(timeout=30)
        seen_before = set(sink.ids())
        assert len(seen_before) < 200, "the node delivered everything before it was killed; nothing was tested"
        second = Node(data_dir)
        try:
            sink.wait_for(lambda requests: set(ids) <= {r.id for r in requests}, 90, "every event after the restart")
            assert subscription(second, "survivor")["sink"] == {"uri": sink.url}
            # Resumed from durable progress, not from the beginning: most early events arrived once.
            received = sink.ids()
            assert received.count(ids[0]) <= 2
        finally:
            second.stop()


# MARK: Delayed delivery


def test_an_event_with_notbefore_is_not_pushed_before_that_time(node):
    with Sink() as sink:
        create(node, "later", "later-in", sink.url)
        due_wall = time.time() + 2.0
        due = time.monotonic() + 2.0
        publish(node, "later-in", "d-1", notbefore=rfc3339(due_wall))
        [request] = sink.wait_count(1, timeout=20)
        assert request.at >= due - 0.1, f"delivered {due - request.at:.3f}s before notbefore"
        assert request.at <= due + 5.0
        assert request.headers.get("ce-notbefore")  # the extension travels with the event


# MARK: Admin API


def test_subscription_crud_with_defaults_status_replace_and_delete(node):
    with Sink() as sink:
        created = create(node, "crud", "crud-in", sink.url)
        assert created["name"] == "crud" and created["topics"] == ["crud-in"]
        assert created["sink"] == {"uri": sink.url} and created["startFrom"] == "latest"
        delivery = created["delivery"]
        assert delivery["retry"] == 3 and delivery["backoffPolicy"] == "exponential"
        assert delivery["ordering"] == "ordered" and delivery["concurrency"] == 16
        assert "deadLetterSink" not in delivery

        status, headers, problem = call_json("POST", f"{node.http}{API}",
                                             {"name": "crud", "topic": "crud-in", "sink": {"uri": sink.url}})
        assert status == 409 and problem_code(headers, problem) == "already-exists"

        create(node, "crud-2", "crud-in", {"topic": "crud-copy"})
        status, _, listing = call_json("GET", f"{node.http}{API}")
        assert status == 200 and sorted(s["name"] for s in listing["subscriptions"]) == ["crud", "crud-2"]

        publish(node, "crud-in", "x-1")
        wait_counters(node, "crud", delivered=1)
        view = subscription(node, "crud")
        [partition] = view["status"]["partitions"]
        assert partition == {"topic": "crud-in", "partition": 0, "next": 1, "end": 1, "lag": 0}
        assert set(view["status"]["counters"]) >= {"delivered", "retried", "deadLettered", "dropped", "filtered",
                                                  "replies", "inFlight"}

        # PUT replaces (200) and keeps progress: the delivered event is not delivered again.
        replacement = {"name": "crud", "topics": ["crud-in"], "sink": {"uri": sink.url},
                       "delivery": {"retry": 1, "deadLetterSink": {"topic": "crud-dlq"}}}
        status, _, body = call_json("PUT", f"{node.http}{API}/crud", replacement)
        assert status == 200 and body["delivery"]["retry"] == 1
        assert body["delivery"]["deadLetterSink"] == {"topic": "crud-dlq"}
        publish(node, "crud-in", "x-2")
        sink.wait_for(lambda requests: "x-2" in {r.id for r in requests}, 20, "x-2 after the replace")
        time.sleep(0.5)
        assert sink.ids().count("x-1") == 1
        assert subscription(node, "crud")["delivery"]["retry"] == 1

        # PUT of a new name creates (201); a body naming another subscription is refused.
        status, _, _ = call_json("PUT", f"{node.http}{API}/crud-3",
                                 {"name": "crud-3", "topic": "crud-in", "sink": {"uri": sink.url}})
        assert status == 201
        status, headers, problem = call_json("PUT", f"{node.http}{API}/crud-4",
                                             {"name": "other", "topic": "crud-in", "sink": {"uri": sink.url}})
        assert status == 400 and problem_code(headers, problem) == "invalid-definition"

        for name in ("crud", "crud-2", "crud-3"):
            status, _, _ = call("DELETE", f"{node.http}{API}/{name}")
            assert status == 204
        status, headers, problem = call_json("GET", f"{node.http}{API}/crud")
        assert status == 404 and problem_code(headers, problem) == "subscription-not-found"
        status, headers, problem = call_json("DELETE", f"{node.http}{API}/crud")
        assert status == 404 and problem_code(headers, problem) == "subscription-not-found"
        status, _, listing = call_json("GET", f"{node.http}{API}")
        assert listing["subscriptions"] == []
        # A deleted subscription delivers nothing more.
        count = len(sink.snapshot())
        publish(node, "crud-in", "x-3")
        time.sleep(1.0)
        assert len(sink.snapshot()) == count


def test_a_dead_sink_never_delays_another_subscription_of_the_same_stream(node):
    with Sink(hang(30.0)) as dead, Sink(always(200)) as alive:
        create(node, "stuck", "shared-in", dead.url, delivery={"timeout": "PT20S", "retry": 0})
        create(node, "healthy", "shared-in", alive.url)
        for i in range(20):
            publish(node, "shared-in", f"shared-{i}")
        # The healthy subscription gets all of them while the other one is stuck on its first event.
        alive.wait_count(20, timeout=15)
        assert alive.ids() == [f"shared-{i}" for i in range(20)]
        assert len(dead.snapshot()) == 1


def test_a_subscriptions_metrics_appear_while_it_exists_and_leave_with_it(node):
    with Sink(always(200)) as sink:
        create(node, "metered", "metered-in", sink.url)
        publish(node, "metered-in", "m-1")
        sink.wait_count(1)

        def series():
            _, _, body = call("GET", f"{node.http}/metrics")
            return [line for line in body.decode().splitlines()
                    if line.startswith("plexus_subscription_events_total") and 'subscription="metered"' in line]

        delivered = wait_until(lambda: [l for l in series() if 'outcome="delivered"' in l and l.endswith(" 1")],
                               message="the delivered counter")
        assert delivered
        status, _, _ = call("DELETE", f"{node.http}{API}/metered")
        assert status == 204
        assert series() == []
