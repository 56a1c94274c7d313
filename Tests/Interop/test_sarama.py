"""sarama (Go, Debian's golang-github-shopify-sarama-dev) producer and partition consumer."""
import os
import subprocess
import uuid

from conftest import ROOT

SOURCE = os.path.join(ROOT, "Tests", "Interop", "sarama")
BINARY = os.path.join(ROOT, ".build", "sarama-check")


def build():
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode", GOCACHE=os.path.join(ROOT, ".build", "gocache"))
    subprocess.run(["go", "build", "-o", BINARY, "."], cwd=SOURCE, env=env, check=True, capture_output=True, timeout=600)


def test_sarama_produces_and_consumes_in_order(node):
    build()
    topic = f"sarama-{uuid.uuid4().hex[:8]}"
    result = subprocess.run([BINARY, node.kafka, topic, "2000"], capture_output=True, timeout=120)
    assert result.stdout.decode().strip() == "ok 2000", result.stdout.decode() + result.stderr.decode()
