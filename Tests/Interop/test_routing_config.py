"""Subscriptions and queues declared in the YAML config file (`--config`): created at start, replaced on a
later start when they differ — keeping their progress — and refused with a clear error when invalid."""
import os
import subprocess
import tempfile

from conftest import Node, plexus_binary
from sinks import Sink, always, call_json, publish, wait_until

CONFIG = """
subscriptions:
  - name: cfg-push
    topics: [cfg-in]
    filters:
      - cesql: "type LIKE 'cfg.%'"
    sink: {{uri: "{sink}"}}
    delivery: {{retry: {retry}, backoffDelay: PT0.1S}}
queues:
  - name: cfg-work
    topic: cfg-jobs
    lease: PT5S
"""


def test_config_file_definitions_are_created_and_replaced_keeping_progress():
    with tempfile.TemporaryDirectory(prefix="plexus-cfg-") as data_dir, Sink(always(200)) as sink:
        config = os.path.join(data_dir, "plexus.yaml")
        with open(config, "w") as f:
            f.write(CONFIG.format(sink=sink.url, retry=2))
        node = Node(os.path.join(data_dir, "data"), extra=("--config", config))
        try:
            for i in range(3):
                publish(node, "cfg-in", f"first-{i}", type_="cfg.event")
            publish(node, "cfg-in", "filtered-out", type_="other.event")
            publish(node, "cfg-jobs", "job-1")
            sink.wait_count(3)
            status, _, received = call_json("POST", f"{node.http}/queues/cfg-work/receive?max=5&timeout_ms=5000")
            assert status == 200 and [m["event"]["id"] for m in received["messages"]] == ["job-1"]
            status, _, ack = call_json("POST", f"{node.http}/queues/cfg-work/ack",
                                       {"receipts": [received["messages"][0]["receipt"]]})
            assert ack["results"][0]["status"] == "ok"
            wait_until(lambda: call_json("GET", f"{node.http}/api/v1/subscriptions/cfg-push")[2]["status"]
                       ["partitions"][0]["next"] == 4, message="progress committed")
        finally:
            node.stop()
        # A changed definition replaces the stored one and keeps its progress: nothing is delivered twice.
        with open(config, "w") as f:
            f.write(CONFIG.format(sink=sink.url, retry=7))
        node = Node(os.path.join(data_dir, "data"), extra=("--config", config))
        try:
            status, _, body = call_json("GET", f"{node.http}/api/v1/subscriptions/cfg-push")
            assert status == 200 and body["delivery"]["retry"] == 7
            publish(node, "cfg-in", "second-0", type_="cfg.event")
            sink.wait_count(4)
            status, _, again = call_json("POST", f"{node.http}/queues/cfg-work/receive?max=5&timeout_ms=500")
            assert again["messages"] == [], "an acknowledged record is not handed out again"
        finally:
            node.stop()
        assert sink.ids() == ["first-0", "first-1", "first-2", "second-0"]


def test_an_invalid_definition_in_the_config_file_stops_the_node_with_a_clear_message():
    with tempfile.TemporaryDirectory(prefix="plexus-cfg-") as data_dir:
        config = os.path.join(data_dir, "plexus.yaml")
        with open(config, "w") as f:
            f.write("subscriptions:\n  - name: broken\n    topics: [x]\n    sink: {uri: 'ftp://nowhere'}\n")
        result = subprocess.run([plexus_binary(), "serve", "--data-dir", os.path.join(data_dir, "data"),
                                 "--config", config, "--kafka", "127.0.0.1:0", "--http", "127.0.0.1:0"],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, result
        assert "subscriptions" in result.stderr and "sink" in result.stderr, result.stderr
