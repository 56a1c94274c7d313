"""Minimal single-node fake Kafka broker used to capture golden bytes from real clients.

It answers just enough for a producer (librdkafka / kcat / confluent-kafka):

  * ApiVersions (18): v0-v2 always; v3 too in ``--apiversions v3`` mode.  A request
    above the supported max gets the Kafka fallback answer: response header v0,
    body v0, error 35 UNSUPPORTED_VERSION plus the ApiKeys list (PROTOCOLS.md §1.2).
  * Metadata (3) v0-v4: one broker (itself, node 1); every requested topic exists
    with one partition led by node 1.
  * Produce (0) v3-v7: saves each partition's ``records`` bytes and answers success
    with increasing base offsets (no response for acks=0).
  * InitProducerId (22) v0-v1: producerId 4242, epoch 0.

Fetch 0-10 and FindCoordinator 0 are *advertised* but not implemented: librdkafka
2.0.2 switches on MsgVer2 / ZSTD / LZ4 only if those ranges overlap its feature map.
Only non-flexible versions are advertised for everything except ApiVersions v3.

Everything received is saved under OUTDIR in arrival order:
  OUTDIR/frames/NNN-<clientid>-<api>-v<ver>.bin   raw request frame (with size prefix)
  OUTDIR/records/NNN-<topic>-p<partition>.bin    the records blob of one partition

Usage: python3 fake_broker.py OUTDIR [--port N] [--apiversions v3|fallback]
The listening port is printed on stdout as "PORT <n>".
"""
import argparse
import itertools
import os
import socketserver
import struct
import sys
import threading

API_NAMES = {0: "produce", 1: "fetch", 3: "metadata", 10: "findcoordinator",
             18: "apiversions", 22: "initproducerid"}
NODE_ID = 1
PRODUCER_ID, PRODUCER_EPOCH = 4242, 0


class Reader:
    """Big-endian cursor over a request body."""

    def __init__(self, buf, pos=0):
        self.buf, self.pos = buf, pos

    def take(self, fmt):
        (v,) = struct.unpack_from(">" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize(fmt)
        return v

    def raw(self, n):
        v = self.buf[self.pos:self.pos + n]
        self.pos += n
        return v

    def string(self):  # int16 length, -1 = null
        n = self.take("h")
        return None if n < 0 else self.raw(n).decode()

    def bytes32(self):  # int32 length, -1 = null
        n = self.take("i")
        return None if n < 0 else self.raw(n)

    def uvarint(self):
        shift = value = 0
        while True:
            b = self.take("B")
            value |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return value


def i16(v): return struct.pack(">h", v)
def i32(v): return struct.pack(">i", v)
def i64(v): return struct.pack(">q", v)
def string(s): return i16(-1) if s is None else i16(len(s.encode())) + s.encode()
def array(items): return i32(len(items)) + b"".join(items)


class Broker:
    def __init__(self, outdir, apiversions_mode):
        self.outdir = outdir
        self.av_max = 3 if apiversions_mode == "v3" else 2
        self.seq = itertools.count(1)
        self.lock = threading.Lock()
        self.topics = set()
        self.next_offset = {}
        self.host, self.port = "127.0.0.1", 0
        for sub in ("frames", "records"):
            os.makedirs(os.path.join(outdir, sub), exist_ok=True)

    def advertised(self):
        return [(0, 0, 7), (1, 0, 10), (3, 0, 4), (10, 0, 0), (18, 0, self.av_max), (22, 0, 1)]

    def save(self, sub, name, data):
        path = os.path.join(self.outdir, sub, "%03d-%s.bin" % (next(self.seq), name))
        with open(path, "wb") as f:
            f.write(data)

    # ---- request dispatch -------------------------------------------------------------
    def handle(self, frame):
        """frame = the request without its size prefix. Returns the response frame or None."""
        r = Reader(frame)
        key, ver, corr = r.take("h"), r.take("h"), r.take("i")
        client_id = r.string()
        api = API_NAMES.get(key, "api%d" % key)
        with self.lock:
            self.save("frames", "%s-%s-v%d" % (client_id, api, ver), i32(len(frame)) + frame)
        print("req %s v%d corr=%d client=%s" % (api, ver, corr, client_id), file=sys.stderr)
        if key == 18:
            body = self.api_versions(r, ver)
        elif key == 3 and ver <= 4:
            body = self.metadata(r, ver)
        elif key == 0 and 3 <= ver <= 7:
            body = self.produce(r, ver)
            if body is None:  # acks=0: no response
                return None
        elif key == 22 and ver <= 1:
            body = i32(0) + i16(0) + i64(PRODUCER_ID) + i16(PRODUCER_EPOCH)
        else:
            raise ValueError("unsupported request %s v%d" % (api, ver))
        return i32(corr) + body  # response header v0 for everything we answer

    def api_versions(self, r, ver):
        keys = self.advertised()
        if ver > self.av_max:  # Kafka's fallback: v0 body, error 35, list includes key 18
            return i16(35) + array([i16(k) + i16(lo) + i16(hi) for k, lo, hi in keys])
        if ver < 3:
            body = i16(0) + array([i16(k) + i16(lo) + i16(hi) for k, lo, hi in keys])
            return body + (i32(0) if ver >= 1 else b"")
        # v3 flexible body: compact array (uvarint n+1), empty tag section per entry and at the end
        entries = b"".join(i16(k) + i16(lo) + i16(hi) + b"\x00" for k, lo, hi in keys)
        return i16(0) + bytes([len(keys) + 1]) + entries + i32(0) + b"\x00"

    def metadata(self, r, ver):
        n = r.take("i")
        requested = None if n < 0 else [r.string() for _ in range(n)]
        if ver == 0 and n == 0:
            requested = None  # v0: empty list means all topics
        with self.lock:
            self.topics.update(requested or [])
            names = sorted(self.topics) if requested is None else requested
        out = i32(0) if ver >= 3 else b""
        broker = i32(NODE_ID) + string(self.host) + i32(self.port) + (string(None) if ver >= 1 else b"")
        out += array([broker])
        if ver >= 2:
            out += string("plexus-fake")
        if ver >= 1:
            out += i32(NODE_ID)
        topics = []
        for name in names:
            part = i16(0) + i32(0) + i32(NODE_ID) + array([i32(NODE_ID)]) + array([i32(NODE_ID)])
            topics.append(i16(0) + string(name) + (b"\x00" if ver >= 1 else b"") + array([part]))
        return out + array(topics)

    def produce(self, r, ver):
        r.string()  # transactional_id
        acks, _timeout = r.take("h"), r.take("i")
        topic_resps = []
        for _ in range(r.take("i")):
            topic = r.string()
            part_resps = []
            for _ in range(r.take("i")):
                index, records = r.take("i"), r.bytes32() or b""
                with self.lock:
                    self.save("records", "%s-p%d" % (topic, index), records)
                    base = self.next_offset.get((topic, index), 0)
                    self.next_offset[(topic, index)] = base + count_records(records)
                resp = i32(index) + i16(0) + i64(base) + i64(-1)
                if ver >= 5:
                    resp += i64(0)  # log_start_offset
                part_resps.append(resp)
            topic_resps.append(string(topic) + array(part_resps))
        if acks == 0:
            return None
        return array(topic_resps) + i32(0)


def count_records(blob):
    """Sum recordsCount over the v2 batches in a records blob."""
    pos = total = 0
    while pos + 61 <= len(blob):
        batch_len = struct.unpack_from(">i", blob, pos + 8)[0]
        total += struct.unpack_from(">i", blob, pos + 57)[0]
        pos += 12 + batch_len
    return total


class Handler(socketserver.BaseRequestHandler):
    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.request.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def handle(self):
        try:
            while True:
                size = struct.unpack(">i", self.recv_exact(4))[0]
                resp = self.server.broker.handle(self.recv_exact(size))
                if resp is not None:
                    self.request.sendall(i32(len(resp)) + resp)
        except EOFError:
            pass
        except (ValueError, struct.error, ConnectionError) as e:
            print("closing connection: %s" % e, file=sys.stderr)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--apiversions", choices=["v3", "fallback"], default="fallback",
                    help="v3: answer ApiVersions v3 natively; fallback: advertise 0-2 and "
                         "answer v3 with v0-format UNSUPPORTED_VERSION")
    args = ap.parse_args()
    broker = Broker(args.outdir, args.apiversions)
    server = Server(("127.0.0.1", args.port), Handler)
    server.broker = broker
    broker.port = server.server_address[1]
    print("PORT %d" % broker.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
