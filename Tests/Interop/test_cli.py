"""The plexus CLI (topic, produce, consume) against a running node, cross-checked with kcat."""
import subprocess
import uuid

from conftest import plexus_binary


def plexus(node, *args, input=None, check=True):
    result = subprocess.run(
        [plexus_binary(), *args, "--server", node.kafka], input=input, capture_output=True, timeout=120
    )
    if check:
        assert result.returncode == 0, result.stderr.decode()
    return result


def test_topic_produce_and_consume_with_the_cli(node):
    topic = f"cli-{uuid.uuid4().hex[:8]}"
    plexus(node, "topic", "create", topic, "--partitions", "2", "--config", "retention.ms=60000")
    again = plexus(node, "topic", "create", topic, check=False)
    assert again.returncode != 0 and b"TOPIC_ALREADY_EXISTS" in again.stderr
    assert f"{topic}\t2 partition(s)" in plexus(node, "topic", "list").stdout.decode()
    lines = b"".join(f"key-{i}:value-{i}\n".encode() for i in range(5000))
    produced = plexus(node, "produce", topic, "--key-separator", ":", "--header", "via=cli", "--compression", "lz4",
                      input=lines)
    assert b"5000 records" in produced.stderr
    out = plexus(node, "consume", topic, "--print-key", "--print-offset").stdout.decode().splitlines()
    assert out == [f"{i}\tkey-{i}\tvalue-{i}" for i in range(5000)]
    assert plexus(node, "consume", topic, "--offset", "4998").stdout.decode().split() == ["value-4998", "value-4999"]
    kcat = subprocess.run(["kcat", "-b", node.kafka, "-C", "-t", topic, "-p", "0", "-o", "-1", "-e", "-f", "%k %s %h"],
                          capture_output=True, timeout=60)
    assert kcat.stdout.decode() == "key-4999 value-4999 via=cli"
    described = plexus(node, "topic", "describe", topic).stdout.decode()
    assert "partition 0: offsets 0..<5000" in described and "retention.ms=60000 (set)" in described
    plexus(node, "topic", "delete", topic)
    assert topic not in plexus(node, "topic", "list").stdout.decode()
    missing = plexus(node, "consume", topic, check=False)
    assert missing.returncode != 0 and b"UNKNOWN_TOPIC_OR_PARTITION" in missing.stderr
