"""kcat (librdkafka 2.0.2, Debian) against a real Plexus node."""
import subprocess
import uuid


def kcat(node, *args, input=None, timeout=60):
    result = subprocess.run(
        ["kcat", "-b", node.kafka, *args], input=input, capture_output=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


def test_metadata_lists_the_node_and_auto_created_topics(node):
    topic = f"meta-{uuid.uuid4().hex[:8]}"
    kcat(node, "-P", "-t", topic, input=b"x\n")
    listing = kcat(node, "-L").decode()
    assert f"broker 1 at {node.kafka} (controller)" in listing
    assert f'topic "{topic}" with 1 partitions' in listing


def test_produce_then_consume_round_trips_keys_values_and_headers(node):
    topic = f"rt-{uuid.uuid4().hex[:8]}"
    lines = b"".join(f"key-{i}:value-{i}\n".encode() for i in range(1000))
    kcat(node, "-P", "-t", topic, "-K:", "-H", "source=test", "-z", "snappy", input=lines)
    out = kcat(node, "-C", "-t", topic, "-o", "beginning", "-e", "-f", "%k=%s|%h|%o\n").decode().splitlines()
    assert len(out) == 1000
    for i, line in enumerate(out):
        assert line == f"key-{i}=value-{i}|source=test|{i}"


def test_consume_from_an_offset_and_the_end(node):
    topic = f"off-{uuid.uuid4().hex[:8]}"
    kcat(node, "-P", "-t", topic, input=b"".join(f"{i}\n".encode() for i in range(50)))
    tail = kcat(node, "-C", "-t", topic, "-o", "45", "-e").decode().split()
    assert tail == [str(i) for i in range(45, 50)]
    last = kcat(node, "-C", "-t", topic, "-o", "-3", "-e").decode().split()
    assert last == ["47", "48", "49"]


def test_every_compression_codec_round_trips(node):
    for codec in ("none", "gzip", "snappy", "lz4", "zstd"):
        topic = f"codec-{codec}-{uuid.uuid4().hex[:6]}"
        payload = b"".join(f"{codec}-{i}\n".encode() for i in range(200))
        kcat(node, "-P", "-t", topic, "-z", codec, input=payload)
        got = kcat(node, "-C", "-t", topic, "-o", "beginning", "-e").decode().split()
        assert got == [f"{codec}-{i}" for i in range(200)], codec


def test_malformed_and_oversized_frames_close_only_their_connection(node):
    import socket
    import struct

    host, port = node.kafka.split(":")
    for payload in (
        struct.pack(">i", 0x7FFFFFFF) + b"x" * 16,  # larger than the request limit
        struct.pack(">i", -5),  # negative size
        struct.pack(">i", 3) + b"\x00\x00\x00",  # a complete frame too short for a request header
        struct.pack(">i", 10) + struct.pack(">hhi", 11, 99, 1) + b"\x00\x00",  # an API this node does not serve
    ):
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(payload)
            assert sock.recv(1024) == b""  # closed by the server
    topic = f"after-{uuid.uuid4().hex[:8]}"
    kcat(node, "-P", "-t", topic, input=b"still\nserving\n")
    assert kcat(node, "-C", "-t", topic, "-o", "beginning", "-e").decode().split() == ["still", "serving"]
