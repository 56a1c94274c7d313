"""Starts a real `plexus serve` for the interop suites (real clients against a real node)."""
import os
import re
import signal
import subprocess
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def plexus_binary():
    for candidate in (os.environ.get("PLEXUS_BIN"), os.path.join(ROOT, ".build", "debug", "plexus")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError("build plexus first (swift build)")


class Node:
    def __init__(self, data_dir, extra=()):
        self.process = subprocess.Popen(
            [plexus_binary(), "serve", "--data-dir", data_dir, "--kafka", "127.0.0.1:0", "--http", "127.0.0.1:0", "--log-level", "warning", *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        match = re.search(r"kafka=([\d.]+):(\d+)", line)
        if not match:
            self.process.kill()
            raise RuntimeError(f"no ready line: {line!r} {self.process.stderr.read()}")
        self.kafka = f"{match.group(1)}:{match.group(2)}"
        http = re.search(r"http=([\d.]+):(\d+)", line)
        self.http = f"http://{http.group(1)}:{http.group(2)}" if http else None

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        assert code == 0, self.process.stderr.read()


@pytest.fixture
def node():
    with tempfile.TemporaryDirectory(prefix="plexus-interop-") as data_dir:
        started = Node(data_dir)
        try:
            yield started
        finally:
            started.stop()
