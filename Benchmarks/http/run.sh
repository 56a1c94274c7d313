#!/usr/bin/env bash
# HTTP benchmark: small structured CloudEvents per second over HTTP/1.1 keep-alive (wrk), against a release
# `plexus serve` (durable: --flush always) and, in the same run, against the same HTTP stack answering a
# constant 202 without storing (`plexus bench http-ceiling`). Prints the ratio. Needs wrk (Debian).
# Usage: Benchmarks/http/run.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-10}
CONNECTIONS=${2:-64}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
swift build -c release --product plexus >/dev/null
BIN=.build/release/plexus
WORK=./plexus-bench-http
rm -rf "$WORK"; mkdir -p "$WORK"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

$BIN bench http-ceiling --http 127.0.0.1:0 > "$WORK/ceiling" &
CEILING_PID=$!
$BIN serve --data-dir "$WORK/data" --kafka off --http 127.0.0.1:0 --flush always --log-level warning > "$WORK/ready" &
SERVE_PID=$!
for _ in $(seq 100); do grep -q ready "$WORK/ready" 2>/dev/null && grep -q ready "$WORK/ceiling" 2>/dev/null && break; sleep 0.1; done
PLEXUS=$(grep -o 'http=[^ ]*' "$WORK/ready" | cut -d= -f2)
CEILING=$(grep -o 'http=[^ ]*' "$WORK/ceiling" | cut -d= -f2)
curl -s -X POST "http://$PLEXUS/api/v1/topics" -d '{"name":"bench","partitions":1}' >/dev/null

run() { wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency -s Benchmarks/http/post.lua "http://$1"; }
echo "== ceiling: constant 202, same HTTP stack"
C=$(run "$CEILING"); echo "$C" | grep -E "Requests/sec|Latency|99%|Non-2xx"
echo "== plexus: durable CloudEvents (flush always)"
P=$(run "$PLEXUS"); echo "$P" | grep -E "Requests/sec|Latency|99%|Non-2xx"
awk -v c="$(echo "$C" | awk '/Requests\/sec/ {print $2}')" -v p="$(echo "$P" | awk '/Requests\/sec/ {print $2}')" \
  'BEGIN { printf "ratio: %.2fx the ceiling (target >= 0.5)\n", p / c }'
STORED=$(curl -s "http://$PLEXUS/api/v1/topics/bench" | grep -o '"highWatermark":[0-9]*' | cut -d: -f2)
echo "events stored: $STORED"
kill -TERM $SERVE_PID $CEILING_PID; wait $SERVE_PID || true
