"""Graceful shutdown and routing: a push cancelled by SIGTERM is not a failed attempt (delivered again after
the restart, even with retry 0 and no dead-letter sink), and waiting queue receives and requests end at once."""
import os
import tempfile
import threading
import time

from conftest import Node
from sinks import Sink, call_json, hang, publish, wait_until


def test_a_push_cut_short_by_shutdown_is_delivered_again_after_the_restart():
    with tempfile.TemporaryDirectory(prefix="plexus-shutdown-") as data_dir, Sink(hang(3.0)) as sink:
        node = Node(data_dir)
        try:
            status, _, body = call_json("POST", f"{node.http}/api/v1/subscriptions", {
                "name": "last-chance", "topics": ["sd-in"], "sink": {"uri": sink.url},
                "delivery": {"retry": 0, "timeout": "PT10S"}})
            assert status == 201, body
            publish(node, "sd-in", "g-1")
            sink.wait_count(1)  # the only attempt allowed is in flight
        finally:
            node.stop()
        node = Node(data_dir)
        try:
            sink.wait_count(2, timeout=30)
            assert [r.id for r in sink.snapshot()] == ["g-1", "g-1"]
            wait_until(lambda: call_json("GET", f"{node.http}/api/v1/subscriptions/last-chance")[2]
                       ["status"]["counters"]["delivered"] == 1, message="delivered after the restart")
            counters = call_json("GET", f"{node.http}/api/v1/subscriptions/last-chance")[2]["status"]["counters"]
            assert counters["dropped"] == 0
        finally:
            node.stop()


def test_waiting_receives_and_requests_end_when_the_node_shuts_down():
    with tempfile.TemporaryDirectory(prefix="plexus-shutdown-") as data_dir:
        node = Node(data_dir)
        status, _, body = call_json("POST", f"{node.http}/api/v1/queues", {"name": "idle", "topic": "idle-in"})
        assert status == 201, body
        answers = {}

        def receive():
            answers["receive"] = call_json("POST", f"{node.http}/queues/idle/receive?timeout_ms=60000", timeout=90)

        def request():
            answers["request"] = call_json(
                "POST", f"{node.http}/topics/rpc-in/requests?timeout_ms=60000", b"x", timeout=90,
                headers={"ce-id": "r-1", "ce-source": "/t", "ce-type": "t", "ce-specversion": "1.0"})

        threads = [threading.Thread(target=receive), threading.Thread(target=request)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        started = time.monotonic()
        node.stop()  # SIGTERM; asserts exit code 0
        assert time.monotonic() - started < 15, "shutdown waited for the long polls"
        for thread in threads:
            thread.join(timeout=30)
        status, _, body = answers["receive"]
        assert status == 200 and body["messages"] == []
        status, _, body = answers["request"]
        assert status == 503 and body["type"].endswith("shutting-down"), body
