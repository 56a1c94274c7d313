"""Independent decoder for Kafka RecordBatch v2 (magic 2) bytes, used to derive manifest.json.

Verifies batchLength and the CRC-32C (Castagnoli, table-driven) over attributes..end, then
decompresses (gzip, snappy raw or xerial-framed, lz4 frame, zstd) and decodes the records.
gzip is stdlib; snappy/lz4/zstd need python-snappy, lz4 and zstandard (throwaway venv).

Usage: python decode_batch.py FILE...   prints each decoded batch as JSON
"""
import base64
import gzip
import json
import struct
import sys

# ---- CRC-32C, reflected polynomial 0x82F63B78 ----------------------------------------------
CRC32C_TABLE = []
for n in range(256):
    c = n
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    CRC32C_TABLE.append(c)


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = CRC32C_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283  # standard check value

XERIAL_MAGIC = b"\x82SNAPPY\x00"
COMPRESSION = {0: "none", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}


def snappy_decompress(data):
    import snappy
    if not data.startswith(XERIAL_MAGIC):
        return snappy.uncompress(data)
    pos, out = 16, b""  # magic(8) + version(4) + compat(4), then [int32 len, raw block]*
    while pos < len(data):
        (n,) = struct.unpack_from(">i", data, pos)
        out += snappy.uncompress(data[pos + 4:pos + 4 + n])
        pos += 4 + n
    return out


def decompress(codec, data):
    if codec == 0:
        return data
    if codec == 1:
        return gzip.decompress(data)
    if codec == 2:
        return snappy_decompress(data)
    if codec == 3:
        import lz4.frame
        return lz4.frame.decompress(data)
    if codec == 4:
        import zstandard
        return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    raise ValueError("unknown compression codec %d" % codec)


class Cursor:
    def __init__(self, buf):
        self.buf, self.pos = buf, 0

    def varint(self):  # zigzag varint / varlong
        shift = raw = 0
        while True:
            b = self.buf[self.pos]
            self.pos += 1
            raw |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return (raw >> 1) ^ -(raw & 1)

    def blob(self):  # varint length, -1 = null
        n = self.varint()
        if n < 0:
            return None
        v = self.buf[self.pos:self.pos + n]
        if len(v) != n:
            raise ValueError("truncated field")
        self.pos += n
        return bytes(v)


def b64(v):
    return None if v is None else base64.b64encode(v).decode()


def split_batches(blob):
    """Split a records blob into its batches (list of bytes)."""
    out, pos = [], 0
    while pos < len(blob):
        (length,) = struct.unpack_from(">i", blob, pos + 8)
        out.append(blob[pos:pos + 12 + length])
        pos += 12 + length
    return out


def decode(batch):
    """Decode one RecordBatch v2; raises ValueError on any inconsistency."""
    (base_offset, batch_len, leader_epoch, magic, crc, attributes, last_delta, base_ts, max_ts,
     pid, epoch, base_seq, count) = struct.unpack_from(">qiibIhiqqqhii", batch, 0)
    if magic != 2:
        raise ValueError("magic %d" % magic)
    if batch_len != len(batch) - 12:
        raise ValueError("batchLength %d != %d" % (batch_len, len(batch) - 12))
    if crc32c(batch[21:]) != crc:
        raise ValueError("CRC-32C mismatch: stored %08x computed %08x" % (crc, crc32c(batch[21:])))
    codec = attributes & 0x07
    payload = decompress(codec, batch[61:])
    cur, records = Cursor(payload), []
    for _ in range(count):
        length = cur.varint()
        end = cur.pos + length
        rec_attr = cur.buf[cur.pos]
        cur.pos += 1
        rec = {"attributes": rec_attr, "timestampDelta": cur.varint(), "offsetDelta": cur.varint(),
               "key": b64(cur.blob()), "value": b64(cur.blob()), "headers": []}
        for _ in range(cur.varint()):
            hkey = cur.blob().decode("utf-8")
            rec["headers"].append([hkey, b64(cur.blob())])
        if cur.pos != end:
            raise ValueError("record length mismatch")
        records.append(rec)
    if cur.pos != len(payload):
        raise ValueError("%d trailing bytes after records" % (len(payload) - cur.pos))
    header = {"baseOffset": base_offset, "batchLength": batch_len,
              "partitionLeaderEpoch": leader_epoch, "magic": magic, "crc": crc,
              "attributes": attributes, "lastOffsetDelta": last_delta, "baseTimestamp": base_ts,
              "maxTimestamp": max_ts, "producerId": pid, "producerEpoch": epoch,
              "baseSequence": base_seq, "recordsCount": count}
    return {"compression": COMPRESSION[codec], "header": header,
            "uncompressedRecordsSize": len(payload), "records": records}


if __name__ == "__main__":
    for path in sys.argv[1:]:
        with open(path, "rb") as f:
            for batch in split_batches(f.read()):
                print(json.dumps({"file": path, **decode(batch)}, indent=2))
