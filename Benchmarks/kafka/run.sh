#!/usr/bin/env bash
# Kafka-protocol benchmark: librdkafka (kbench.c) against a release Plexus on loopback, with the raw
# disk (write+fdatasync) and loopback TCP (iperf3) measured in the same run. Prints ratios.
# Needs: librdkafka-dev, iperf3 (Debian). Usage: Benchmarks/kafka/run.sh [messages-of-1KiB]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-200000}
for pkg in librdkafka-dev iperf3; do
  dpkg -s "$pkg" >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg"; }
done
mkdir -p .build
cc -O2 -o .build/kbench Benchmarks/kafka/kbench.c -lrdkafka
swift build -c release --product plexus >/dev/null
BIN=.build/release/plexus
WORK=./plexus-bench-kafka
rm -rf "$WORK"; mkdir -p "$WORK"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "== baselines"
RAW=$(.build/kbench rawsync "$WORK/raw" 65536 3)
echo "$RAW"
RAW_MBS=$(echo "$RAW" | awk '/raw write/ {print $(NF-1)}')
RAW_P99=$(echo "$RAW" | awk '/fdatasync latency/ {print $7}')
iperf3 -s -1 -p 5299 >/dev/null 2>&1 &
sleep 0.5
LOOP_MBS=$(iperf3 -c 127.0.0.1 -p 5299 -t 3 -f m | awk '/receiver/ {print $(NF-2) / 8}')
echo "loopback TCP single stream: ${LOOP_MBS} MB/s"

for FLUSH in always none; do
  echo "== plexus --flush $FLUSH"
  rm -rf "$WORK/data"
  $BIN serve --data-dir "$WORK/data" --kafka 127.0.0.1:0 --http off --flush "$FLUSH" --log-level warning > "$WORK/ready" &
  PID=$!
  for _ in $(seq 100); do grep -q ready "$WORK/ready" 2>/dev/null && break; sleep 0.1; done
  BROKER=$(grep -o 'kafka=[^ ]*' "$WORK/ready" | cut -d= -f2)
  P1K=$(.build/kbench produce "$BROKER" big "1024" "$N"); echo "$P1K"
  P100=$(.build/kbench produce "$BROKER" small "100" "$((N * 5))"); echo "$P100"
  C1K=$(.build/kbench consume "$BROKER" big "$N"); echo "$C1K"
  C100=$(.build/kbench consume "$BROKER" small "$((N * 5))"); echo "$C100"
  P16K=$(.build/kbench produce "$BROKER" huge "16384" "$((N / 16))"); echo "$P16K"
  C16K=$(.build/kbench consume "$BROKER" huge "$((N / 16))"); echo "$C16K"
  # The rate of the latency runs is 30 % of a sustained peak: a run of 4N records (seconds, not the fraction of a
  # second of the N-record run, which sometimes ends inside the disk's write cache and reads up to twice as fast).
  PSUS=$(.build/kbench produce "$BROKER" peak "1024" "$((N * 4))"); echo "sustained: $PSUS"
  PEAK=$(echo "$PSUS" | awk '{print $(NF-5)}')
  RATE=$(awk -v p="$PEAK" 'BEGIN {printf "%d", p * 0.3}')
  LAT=$(.build/kbench latency "$BROKER" lat 1024 "$RATE" 5); echo "$LAT"
  if [ "$FLUSH" = always ]; then
    # The same on a topic whose segments are written ahead (preallocate=true): appends overwrite existing blocks.
    $BIN topic create --server "$BROKER" latp --config preallocate=true >/dev/null
    sleep 3  # the 1 GiB written at creation is a one-time cost; the run measures appends after it
    .build/kbench produce "$BROKER" latp 1024 1000 0 >/dev/null
    LATP=$(.build/kbench latency "$BROKER" latp 1024 "$RATE" 5); echo "preallocate=true: $LATP"
    echo "$LATP" | awk -v rl="$RAW_P99" 'match($0, /p99 [0-9.]+/) { printf "  preallocate=true: p99 latency at 30%% of peak %.2fx disk p99 fdatasync (target <= 3)\n", substr($0, RSTART + 4, RLENGTH - 4) / rl }'
    # What group commit alone costs at this rate (no network, protocol or broker CPU), appending and overwriting.
    FLOOR=$(.build/kbench floor "$WORK/floor" 1024 "$RATE" 5); echo "$FLOOR"
    echo "$FLOOR" | awk -v rl="$RAW_P99" 'match($0, /p99 [0-9.]+/) { printf "  floor p99 %.2fx disk p99 fdatasync (%s)\n", substr($0, RSTART + 4, RLENGTH - 4) / rl, ($0 ~ /appending/ ? "appending" : "overwriting") }'
  fi
  PMBS=$(echo "$P1K" | awk '{print $4}')
  CMBS=$(echo "$C1K" | awk '{print $2}')
  CMBS16=$(echo "$C16K" | awk '{print $2}')
  P99=$(echo "$LAT" | awk '{print $13}')
  awk -v p="$PMBS" -v r="$RAW_MBS" -v c="$CMBS" -v c16="$CMBS16" -v l="$LOOP_MBS" -v lat="$P99" -v rl="$RAW_P99" -v f="$FLUSH" 'BEGIN {
    printf "ratios (%s): produce 1KiB %.2fx raw fdatasync'\''d disk (target >= 0.7 for always); consume 1KiB %.2fx, 16KiB %.2fx loopback (target >= 0.5); p99 latency at 30%% of peak %.2fx disk p99 fdatasync (target <= 3 for always)\n", f, p / r, c / l, c16 / l, lat / rl }'
  kill -TERM $PID
  wait $PID || true
done
