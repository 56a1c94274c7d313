"""Test support for the routing interop suites.

`Sink` is a threaded HTTP server on 127.0.0.1 (an ephemeral port) that plays a push subscription's sink: it
records every request (arrival time on the monotonic clock, method, path, lower-cased headers, body) and
answers by a programmable script. Scripts are small factories below (`always`, `fail_then_ok`,
`retry_after`, `hang`, `reply_with`, `slow`); a script is any callable `(request, sink) -> Answer`.

The module also holds the few HTTP client helpers the routing suites share (JSON calls, publishing a
binary-mode CloudEvent, reading a topic back, polling with a deadline), all on urllib.
"""
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Answer:
    """What the sink answers to one request: a status, headers, a body, after sleeping `delay` seconds."""

    def __init__(self, status=200, headers=None, body=b"", delay=0.0):
        self.status = status
        self.headers = dict(headers or {})
        self.body = body.encode() if isinstance(body, str) else body
        self.delay = delay


class Recorded:
    """One request the sink received. `attempt_for_id` is how many requests carried this ce-id so far
    (this one included), so per-event scripts don't depend on other events' traffic."""

    def __init__(self, index, at, method, path, headers, body, attempt_for_id):
        self.index = index
        self.at = at
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.attempt_for_id = attempt_for_id
        self.answered = None  # the status sent back (None until answered, or if the client went away)

    @property
    def id(self):
        return self.headers.get("ce-id")

    @property
    def attempt(self):
        """The Plexus-Attempt header as an int (None when missing)."""
        value = self.headers.get("plexus-attempt")
        return int(value) if value is not None else None

    def __repr__(self):
        return f"<{self.method} {self.path} id={self.id} attempt={self.headers.get('plexus-attempt')} at={self.at:.3f}>"


# MARK: Scripts


def always(status=200, body=b"", headers=None, delay=0.0):
    """Every request gets the same answer."""
    return lambda request, sink: Answer(status, headers, body, delay)


def fail_then_ok(failures, status=500, body=b"sink failure"):
    """Each event (by ce-id) fails `failures` times with `status`, then gets 200."""
    def script(request, sink):
        if request.attempt_for_id <= failures:
            return Answer(status, {"content-type": "text/plain"}, body)
        return Answer(200)
    return script


def retry_after(value, times=1, status=429):
    """Each event's first `times` attempts get `status` with `Retry-After: value` (seconds, or a float of
    seconds from now rendered as an HTTP-date when `value` is the string "date:<seconds>"), then 200."""
    def script(request, sink):
        if request.attempt_for_id <= times:
            header = str(value)
            if isinstance(value, str) and value.startswith("date:"):
                header = formatdate(time.time() + float(value[5:]), usegmt=True)
            return Answer(status, {"retry-after": header}, b"slow down")
        return Answer(200)
    return script


def hang(seconds, then=200):
    """Sleeps `seconds` before answering `then` (longer than the subscription's timeout: the client gives up)."""
    return lambda request, sink: Answer(then, None, b"late", seconds)


def slow(seconds, status=200):
    """Sleeps `seconds` per request, then answers; `sink.max_concurrency` tells how many overlapped."""
    return lambda request, sink: Answer(status, None, b"", seconds)


def reply_with(make_reply):
    """Answers 200 with a CloudEvent in HTTP binary mode: `make_reply(request)` returns
    (attributes dict without the data, body bytes, content type)."""
    def script(request, sink):
        attributes, body, content_type = make_reply(request)
        headers = {f"ce-{name}": str(value) for name, value in attributes.items()}
        headers.setdefault("ce-specversion", "1.0")
        if content_type:
            headers["content-type"] = content_type
        return Answer(200, headers, body)
    return script


# MARK: The server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real sink would do

    def log_message(self, *args):  # quiet
        pass

    def setup(self):
        super().setup()
        self.server.sink._opened(self.connection)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.sink._closed(self.connection)

    def _read_body(self):
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self):
        sink = self.server.sink
        body = self._read_body()
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = sink._record(self.command, self.path, headers, body)
        try:
            answer = sink.script(request, sink)
            if answer.delay:
                sink._closing.wait(answer.delay)
            payload = answer.body
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
            request.answered = answer.status
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True  # the client gave up (a timeout): nothing to answer
        finally:
            sink._done()

    do_POST = _handle
    do_PUT = _handle
    do_GET = _handle


class Sink:
    """A recording HTTP sink. Use as a context manager (or call `close()`)."""

    def __init__(self, script=None):
        self.script = script or always(200)
        self.requests = []
        self._condition = threading.Condition()
        self._closing = threading.Event()
        self._connections = set()
        self._in_flight = 0
        self.max_concurrency = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.sink = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/sink"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Stops serving: wakes sleeping handlers, closes open keep-alive connections, joins the server."""
        if self._closing.is_set():
            return
        self._closing.set()
        self._server.shutdown()
        with self._condition:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        self._thread.join(timeout=10)

    # Bookkeeping (called from handler threads).

    def _opened(self, connection):
        with self._condition:
            self._connections.add(connection)

    def _closed(self, connection):
        with self._condition:
            self._connections.discard(connection)

    def _record(self, method, path, headers, body):
        with self._condition:
            event_id = headers.get("ce-id")
            previous = sum(1 for r in self.requests if event_id is not None and r.id == event_id)
            request = Recorded(len(self.requests), time.monotonic(), method, path, headers, body, previous + 1)
            self.requests.append(request)
            self._in_flight += 1
            self.max_concurrency = max(self.max_concurrency, self._in_flight)
            self._condition.notify_all()
            return request

    def _done(self):
        with self._condition:
            self._in_flight -= 1
            self._condition.notify_all()

    # Queries.

    def snapshot(self):
        with self._condition:
            return list(self.requests)

    def for_id(self, event_id):
        return [r for r in self.snapshot() if r.id == event_id]

    def ids(self):
        return [r.id for r in self.snapshot()]

    def wait_for(self, predicate, timeout=30.0, message="sink condition"):
        """Waits until `predicate(requests)` is true; returns the requests. Fails with what arrived."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                requests = list(self.requests)
                if predicate(requests):
                    return requests
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out waiting for {message}; got {requests}")
                self._condition.wait(min(remaining, 0.2))

    def wait_count(self, count, timeout=30.0):
        return self.wait_for(lambda requests: len(requests) >= count, timeout, f"{count} requests")


# MARK: Client helpers


def call(method, url, body=None, headers=None, timeout=60):
    """One HTTP call; returns (status, lower-cased headers, body bytes). Never raises on HTTP errors."""
    data = body
    headers = dict(headers or {})
    if body is not None and not isinstance(body, (bytes, bytearray)):
        data = json.dumps(body).encode()
        headers.setdefault("content-type", "application/json")
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def call_json(method, url, body=None, headers=None, timeout=60):
    """Like `call`, with the body decoded as JSON (None when empty)."""
    status, response_headers, raw = call(method, url, body, headers, timeout)
    return status, response_headers, (json.loads(raw) if raw else None)


def problem_code(headers, problem):
    """The Plexus error code of a problem+json answer: its `code` member, or the last part of its `type`
    URN (`urn:plexus:problem:<code>`), which is how the older suites read it."""
    assert headers.get("content-type", "").startswith("application/problem+json"), (headers, problem)
    if "code" in problem:
        return problem["code"]
    return problem.get("type", "").rsplit(":", 1)[-1].rsplit("/", 1)[-1]


def publish(node, topic, event_id, type_="test.event", source="/tests", data=b"{}",
            content_type="application/json", **extensions):
    """POSTs one binary-mode CloudEvent to `topic`; asserts 202 and returns the placement."""
    headers = {"ce-specversion": "1.0", "ce-id": event_id, "ce-type": type_, "ce-source": source,
               "content-type": content_type}
    for name, value in extensions.items():
        headers[f"ce-{name}"] = str(value)
    body = data.encode() if isinstance(data, str) else data
    status, _, placed = call_json("POST", f"{node.http}/topics/{urllib.parse.quote(topic)}/events", body, headers)
    assert status == 202, (status, placed)
    return placed


def read_events(node, topic, count, partition=0, timeout=20.0):
    """Reads structured CloudEvents of one partition from offset 0 until `count` arrived (or the deadline)."""
    deadline = time.monotonic() + timeout
    events = []
    while True:
        status, _, body = call_json(
            "GET", f"{node.http}/topics/{topic}/events?partition={partition}&offset={len(events)}&timeout_ms=500")
        if status == 200 and body:
            events.extend(body)
        if len(events) >= count or time.monotonic() > deadline:
            return events
        if status != 200:
            time.sleep(0.2)  # the topic may not exist yet


def wait_until(predicate, timeout=30.0, interval=0.1, message="condition"):
    """Polls `predicate()` until it returns something truthy; returns that value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message} (last: {last!r})")


def publish_batch(node, topic, events):
    """POSTs structured CloudEvents (dicts; specversion/source/type filled in) as one batch; asserts 202."""
    batch = [{"specversion": "1.0", "source": "/tests", "type": "test.event", **event} for event in events]
    status, _, placed = call_json("POST", f"{node.http}/topics/{topic}/events", json.dumps(batch).encode(),
                                  {"content-type": "application/cloudevents-batch+json"})
    assert status == 202, (status, placed)
    return placed


def create_topic(node, name, partitions=1):
    status, _, body = call_json("POST", f"{node.http}/api/v1/topics", {"name": name, "partitions": partitions})
    assert status == 201, (status, body)


def rfc3339(epoch_seconds):
    """An RFC 3339 UTC timestamp with milliseconds."""
    whole = int(epoch_seconds)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{int((epoch_seconds - whole) * 1000):03d}Z"
