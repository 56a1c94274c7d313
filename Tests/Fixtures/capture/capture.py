"""Capture golden RecordBatch v2 fixtures from real clients (kcat and confluent-kafka).

Starts fake_broker.py, produces with kcat (librdkafka from Debian) and with the confluent-kafka
Producer (one run per compression.type plus one idempotent run), then writes:
  ../recordbatch/<name>.bin          exactly one RecordBatch (one partition's records field)
  ../recordbatch/manifest.json       expected decoded contents (from decode_batch.py)
  ../kafka-requests/<name>-<api>-v<ver>.bin   raw request frames (size prefix included)
Every decoded batch is cross-checked against the inputs given to the clients.

Run with the throwaway venv's python (see capture.sh): python capture.py
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import confluent_kafka

import decode_batch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.dirname(HERE)
BATCH_DIR = os.path.join(FIXTURES, "recordbatch")
REQ_DIR = os.path.join(FIXTURES, "kafka-requests")

# kcat: 3 keyed records; headers apply to every record: duplicate key "k", empty value, null value.
KCAT_LINES = [b"key-0:value-0", b"key-1:value-1", b"key-2:value-2"]
KCAT_HEADERS = ["k=v", "k=v2", "empty=", "nullhdr"]
KCAT_EXPECTED_HEADERS = [["k", b"v"], ["k", b"v2"], ["empty", b""], ["nullhdr", None]]

# confluent-kafka: (key, value, timestamp ms, headers). Timestamps are explicit and deliberately
# not monotonic (maxTimestamp comes from record 3). Record 3 is long so that compression pays off.
T0 = 1700000000000
CONFLUENT_RECORDS = [
    (b"key-0", b"value-0", T0, [("trace", b"t-0"), ("dup", b"first"), ("dup", b"second")]),
    (None, b"value-1", T0 + 1, [("empty", b""), ("null", None)]),
    (b"key-2", None, T0 + 2, []),
    (b"key-3", b"value-3 " + b"lorem ipsum " * 16, T0 + 1000, [("bin", bytes([0, 1, 254, 255]))]),
    (b"key-4", b"value-4", T0 + 500, []),
]
CONFLUENT_RUNS = [("confluent-" + c, {"compression.type": c})
                  for c in ("none", "gzip", "snappy", "lz4", "zstd")]
CONFLUENT_RUNS.append(("confluent-idempotent", {"enable.idempotence": True}))


def start_broker(outdir):
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_broker.py"), outdir,
                             "--apiversions", "v3"], stdout=subprocess.PIPE,
                            stderr=open(os.path.join(outdir, "broker.log"), "w"), text=True)
    port = int(proc.stdout.readline().split()[1])
    return proc, "127.0.0.1:%d" % port


def run_kcat(bootstrap):
    cmd = ["kcat", "-P", "-b", bootstrap, "-t", "kcat-none", "-K:", "-X", "client.id=kcat",
           "-X", "linger.ms=1000"]
    for h in KCAT_HEADERS:
        cmd += ["-H", h]
    print("+", " ".join(cmd))
    subprocess.run(cmd, input=b"\n".join(KCAT_LINES) + b"\n", check=True, timeout=60)


def run_confluent(bootstrap, name, extra):
    conf = {"bootstrap.servers": bootstrap, "client.id": name, "linger.ms": 1000}
    conf.update(extra)
    print("+ confluent_kafka.Producer(%r)" % conf)
    p = confluent_kafka.Producer(conf)
    errors = []
    for key, value, ts, headers in CONFLUENT_RECORDS:
        p.produce(name, value=value, key=key, timestamp=ts, headers=headers,
                  on_delivery=lambda err, msg: errors.append(err))
    if p.flush(30) != 0 or any(errors):
        raise SystemExit("%s: delivery failed: %r" % (name, errors))


class SplitBatch(Exception):
    """The client spread the records over several requests/batches (seen once); retry."""


def collect(outdir, name, client_id):
    """Stage topic `name`'s single batch and client_id's request frames; return the decoded batch."""
    blobs = sorted(glob.glob(os.path.join(outdir, "records", "*-%s-p0.bin" % name)))
    batches = [b for blob in blobs for b in decode_batch.split_batches(open(blob, "rb").read())]
    frames = sorted(glob.glob(os.path.join(outdir, "frames", "*-%s-*.bin" % client_id)))
    if len(batches) != 1:
        for path in blobs + frames:
            os.rename(path, path + ".split")
        raise SplitBatch("%s: %d batches in %d Produce requests" % (name, len(batches), len(blobs)))
    with open(os.path.join(outdir, "stage", name + ".bin"), "wb") as f:
        f.write(batches[0])
    for frame in frames:
        api_ver = re.match(r"\d+-%s-(.*)\.bin" % re.escape(client_id), os.path.basename(frame)).group(1)
        dest = os.path.join(outdir, "stage-req", "%s-%s.bin" % (client_id, api_ver))
        if not os.path.exists(dest):  # first one wins (librdkafka opens 2 connections)
            shutil.copy(frame, dest)
    return decode_batch.decode(batches[0])


def produce_and_collect(outdir, name, client_id, produce):
    for attempt in range(3):
        produce()
        try:
            return collect(outdir, name, client_id)
        except SplitBatch as e:
            print("WARNING (attempt %d): %s; retrying" % (attempt + 1, e))
    raise SystemExit("%s: could not get a single batch" % name)


def check(cond, what):
    if not cond:
        raise SystemExit("cross-check failed: " + what)


def cross_check(name, d, expected, t_before=None, t_after=None):
    h = d["header"]
    check(h["recordsCount"] == len(expected) == h["lastOffsetDelta"] + 1, name + " count")
    for i, (rec, (key, value, ts, headers)) in enumerate(zip(d["records"], expected)):
        check(rec["offsetDelta"] == i, "%s offsetDelta %d" % (name, i))
        check(rec["key"] == decode_batch.b64(key), "%s key %d" % (name, i))
        check(rec["value"] == decode_batch.b64(value), "%s value %d" % (name, i))
        check(rec["headers"] == [[k, decode_batch.b64(v)] for k, v in headers], "%s hdrs %d" % (name, i))
        t = h["baseTimestamp"] + rec["timestampDelta"]
        check(t == ts if ts is not None else t_before <= t <= t_after, "%s timestamp %d" % (name, i))
    times = [h["baseTimestamp"] + r["timestampDelta"] for r in d["records"]]
    check(h["maxTimestamp"] == max(times), name + " maxTimestamp")
    idem = "idempotent" in name
    check((h["producerId"], h["producerEpoch"], h["baseSequence"]) ==
          ((4242, 0, 0) if idem else (-1, -1, -1)), name + " producer fields")
    want = "none" if name in ("kcat-none", "confluent-idempotent") else name.split("-")[1]
    check(d["compression"] == want, "%s compression %s" % (name, d["compression"]))


def main():
    kcat_v = subprocess.run(["kcat", "-V"], capture_output=True, text=True).stdout
    kcat_version = re.search(r"Version (\S+)", kcat_v).group(1)
    kcat_lib = re.search(r"librdkafka (\S+)", kcat_v).group(1)
    ck_version, ck_lib = confluent_kafka.__version__, confluent_kafka.libversion()[0]
    fixtures = {}
    outdir = tempfile.mkdtemp(prefix="plexus-capture-")  # kept on failure for debugging
    os.makedirs(os.path.join(outdir, "stage"))
    os.makedirs(os.path.join(outdir, "stage-req"))
    broker, bootstrap = start_broker(outdir)
    try:
        t_before = int(time.time() * 1000)
        d = produce_and_collect(outdir, "kcat-none", "kcat", lambda: run_kcat(bootstrap))
        t_after = int(time.time() * 1000)
        expected = [(line.split(b":")[0], line.split(b":")[1], None, KCAT_EXPECTED_HEADERS)
                    for line in KCAT_LINES]
        cross_check("kcat-none", d, expected, t_before, t_after)
        fixtures["kcat-none.bin"] = dict(client="kcat", clientVersion=kcat_version,
                                         librdkafkaVersion=kcat_lib, **d)
        for name, extra in CONFLUENT_RUNS:
            d = produce_and_collect(outdir, name, name,
                                    lambda: run_confluent(bootstrap, name, extra))
            cross_check(name, d, CONFLUENT_RECORDS)
            fixtures[name + ".bin"] = dict(client="confluent-kafka (python)",
                                           clientVersion=ck_version, librdkafkaVersion=ck_lib,
                                           config=extra, **d)
    finally:
        broker.terminate()
        broker.wait()
    manifest = {
        "description": "Golden RecordBatch v2 fixtures captured from real clients by "
                       "capture/capture.py; values decoded by capture/decode_batch.py. "
                       "key/value/header values are base64 (null = null). crc is unsigned.",
        "fixtures": fixtures,
    }
    with open(os.path.join(outdir, "stage", "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    # everything checked: replace the fixtures in one go
    for src, dest in (("stage", BATCH_DIR), ("stage-req", REQ_DIR)):
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(os.path.join(outdir, src), dest)
    shutil.rmtree(outdir)
    print("ok: %d fixtures, all cross-checks passed" % len(fixtures))


if __name__ == "__main__":
    main()
