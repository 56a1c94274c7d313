#!/usr/bin/env python3
"""Copy the Kafka message schemas Plexus uses out of an apache/kafka git checkout, stripping // comments.

Usage: fetch_schemas.py <path-to-apache-kafka-git-dir> [commit]
"""
import json
import pathlib
import subprocess
import sys

APIS = [
    "Produce", "Fetch", "ListOffsets", "Metadata", "OffsetCommit", "OffsetFetch", "FindCoordinator",
    "JoinGroup", "Heartbeat", "LeaveGroup", "SyncGroup", "DescribeGroups", "ListGroups", "SaslHandshake",
    "ApiVersions", "CreateTopics", "DeleteTopics", "InitProducerId", "OffsetForLeaderEpoch",
    "DescribeConfigs", "AlterConfigs", "SaslAuthenticate", "CreatePartitions", "DeleteGroups",
    "IncrementalAlterConfigs", "OffsetDelete", "DescribeCluster",
]
NAMES = [f"{api}{kind}" for api in APIS for kind in ("Request", "Response")] + ["RequestHeader", "ResponseHeader"]


def strip_comments(text: str) -> str:
    """Removes // comments outside JSON strings."""
    out = []
    in_string = False
    escaped = False
    i = 0
    while i < len(text):
        c = text[i]
        if in_string:
            out.append(c)
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
            i += 1
        elif c == '"':
            in_string = True
            out.append(c)
            i += 1
        elif text.startswith("//", i):
            while i < len(text) and text[i] != "\n":
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def main() -> None:
    git_dir = sys.argv[1]
    commit = sys.argv[2] if len(sys.argv) > 2 else "HEAD"
    out_dir = pathlib.Path(__file__).resolve().parent / "schemas"
    out_dir.mkdir(exist_ok=True)
    for name in NAMES:
        path = f"{commit}:clients/src/main/resources/common/message/{name}.json"
        raw = subprocess.run(["git", "-C", git_dir, "show", path], check=True, capture_output=True, text=True).stdout
        schema = json.loads(strip_comments(raw))
        (out_dir / f"{name}.json").write_text(json.dumps(schema, indent=2) + "\n")
    print(f"wrote {len(NAMES)} schemas to {out_dir}")


if __name__ == "__main__":
    main()
