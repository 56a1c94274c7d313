#!/usr/bin/env bash
# Consumer-group benchmark: time to a stable assignment for 1, 10 and 50 members (librdkafka, one process)
# and durable OffsetCommit throughput, against a release Plexus on loopback with --flush always; the raw
# disk's fdatasync rate is measured in the same run for the ratio. Needs librdkafka-dev (Debian).
# Usage: Benchmarks/kafka/groups.sh [initial-rebalance-delay-ms]   (default 0; Kafka's default is 3000)
set -euo pipefail
cd "$(dirname "$0")/../.."
DELAY=${1:-0}
dpkg -s librdkafka-dev >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq librdkafka-dev; }
mkdir -p .build
cc -O2 -o .build/kbench Benchmarks/kafka/kbench.c -lrdkafka -lpthread
swift build -c release --product plexus >/dev/null
BIN=.build/release/plexus
WORK=./plexus-bench-groups
rm -rf "$WORK"; mkdir -p "$WORK"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

RAW=$(.build/kbench rawsync "$WORK/raw" 4096 3)
echo "$RAW"
SYNCS=$(echo "$RAW" | awk '/fdatasync latency/ {gsub(/[()]/, "", $(NF-1)); print $(NF-1) / 3}')
echo "raw fdatasync rate: ${SYNCS} syncs/s"

echo "group-initial-rebalance-delay-ms: $DELAY" > "$WORK/config.yaml"
$BIN serve --data-dir "$WORK/data" --kafka 127.0.0.1:0 --http off --config "$WORK/config.yaml" --log-level warning > "$WORK/ready" &
PID=$!
for _ in $(seq 100); do grep -q ready "$WORK/ready" 2>/dev/null && break; sleep 0.1; done
BROKER=$(grep -o 'kafka=[^ ]*' "$WORK/ready" | cut -d= -f2)
$BIN topic create joins --partitions 60 --server "$BROKER" >/dev/null
echo "== time to a stable assignment (initial rebalance delay ${DELAY} ms)"
for MEMBERS in 1 10 50; do .build/kbench groupjoin "$BROKER" joins "$MEMBERS" 60; done
echo "== OffsetCommit throughput"
for THREADS in 1 16; do
  OUT=$(.build/kbench commits "$BROKER" commits "$THREADS" 3); echo "$OUT"
  echo "$OUT" | awk -v s="$SYNCS" '{printf "ratio: %.2fx the raw fdatasync rate\n", $3 / s}'
done
kill -TERM $PID
wait $PID || true
