#!/usr/bin/env bash
# Routing benchmark (push subscriptions, queues, filters) against a release `plexus serve --flush always`,
# each figure printed with its ratio to a baseline measured in the same run:
#   - filter evaluation per event (`plexus bench filter`) against decoding the event from its stored record;
#   - push delivery to a local counting sink (`plexus bench sink`) with 1 subscription (ordered on 1 and on 4
#     partitions, unordered with concurrency 16 on 4) and with 100 subscriptions, against wrk POSTing the same
#     kind of binary-mode CloudEvent straight to that sink with as many connections as Plexus has requests in
#     flight (subscription progress is committed asynchronously: delivery does not wait for its fsync);
#   - queue receive/ack (Python workers, http.client keep-alive) against GET long polls of the same number of
#     records with the same workers (the read path without queue state), and against the disk's fdatasync rate
#     (every receive and every ack is a durable state write).
# Needs wrk and python3. Usage: Benchmarks/routing/run.sh [push-events] [fan-out-events] [queue-events]
# PARTS="filter push fanout queue" (the default) picks the parts to run.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-20000}
NF=${2:-1000}
NQ=${3:-20000}
PARTITIONS=4
FANOUT=100
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
swift build -c release --product plexus >/dev/null || { echo "the release build failed: run swift build -c release --product plexus" >&2; exit 1; }
BIN=.build/release/plexus
PY="python3 Benchmarks/routing/routing.py"
WORK=./plexus-bench-routing
rm -rf "$WORK"; mkdir -p "$WORK"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
TICK=$(getconf CLK_TCK)
PARTS=${PARTS:-filter push fanout queue}
part() { [[ " $PARTS " == *" $1 "* ]]; }

if part filter; then
  echo "== filter evaluation (nothing else running)"
  $BIN bench filter
fi

$BIN bench sink --port 0 > "$WORK/sink" 2>&1 &
SINK_PID=$!
$BIN serve --data-dir "$WORK/data" --kafka off --http 127.0.0.1:0 --flush always --log-level warning > "$WORK/ready" &
SERVE_PID=$!
for _ in $(seq 100); do grep -q ready "$WORK/ready" 2>/dev/null && grep -q ready "$WORK/sink" 2>/dev/null && break; sleep 0.1; done
PLEXUS=$(grep -o 'http=[^ ]*' "$WORK/ready" | cut -d= -f2)
SINK=$(grep -o 'http=[^ ]*' "$WORK/sink" | cut -d= -f2)

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
field() { echo "$1" | grep -o "$2=[^ ]*" | cut -d= -f2; }
api() { curl -sf -o /dev/null -X "$1" "http://$PLEXUS/api/v1/$2" ${3:+-d "$3"}; }
reset_sink() { curl -sf -o /dev/null -X POST "http://$SINK/reset"; }
wait_sink() {
  local out; out=$(curl -sf "http://$SINK/wait?count=$1&timeout_ms=600000")
  [ "$(field "$out" count)" -ge "$1" ] || { echo "the sink counted only $(field "$out" count) of $1" >&2; exit 1; }
}

echo
echo "== baselines"
FS=$($PY fsync "$WORK" 3)
FSYNC=$(field "$FS" rate)
echo "raw 4 KiB write+fdatasync, one writer: $FSYNC syncs/s (p99 $(field "$FS" p99_ms) ms)"
declare -A WRK
for C in 1 $PARTITIONS $((16 * PARTITIONS)) 256; do
  THREADS=$([ "$C" = 1 ] && echo 1 || echo 2)
  reset_sink
  WRK[$C]=$(wrk -t"$THREADS" -c"$C" -d5s -s Benchmarks/routing/push.lua "http://$SINK" | awk '/Requests\/sec/ {print $2}')
  echo "wrk -> sink, $C connection(s): ${WRK[$C]} req/s (binary-mode CloudEvent, 1 KiB data)"
done

if part push; then
echo
echo "== push delivery: $N events of 1 KiB on $PARTITIONS partitions, startFrom earliest"
api POST topics "{\"name\":\"push\",\"partitions\":$PARTITIONS}"
echo "published: $($PY publish "$PLEXUS" push "$N" 1024)"
api POST topics '{"name":"push1","partitions":1}'
echo "published: $($PY publish "$PLEXUS" push1 $((N / 4)) 1024) (push1: 1 partition)"
push_run() {  # name, topic, events, delivery JSON, baseline connections
  reset_sink
  local c0 t0 t1 c1
  c0=$(cpu $SERVE_PID); t0=$(now)
  api POST subscriptions "{\"name\":\"$1\",\"topics\":[\"$2\"],\"sink\":{\"uri\":\"http://$SINK/events\"},\"delivery\":$4,\"startFrom\":\"earliest\"}"
  wait_sink "$3"
  t1=$(now); c1=$(cpu $SERVE_PID)
  RATE=$(calc %.0f "$3 / ($t1 - $t0)")
  echo "$1 ($2): $3 events in $(calc %.2f "$t1 - $t0") s = $RATE events/s; plexus CPU $(calc %.0f "($c1 - $c0) / $TICK * 1e6 / $3") µs/event;" \
    "$(calc %.2f "$RATE / ${WRK[$5]}")x wrk with $5 connection(s)"
  api DELETE "subscriptions/$1"
}
push_run ordered-1 push1 $((N / 4)) '{"ordering":"ordered"}' 1
push_run ordered push "$N" '{"ordering":"ordered"}' "$PARTITIONS"
push_run unordered push "$N" '{"ordering":"unordered","concurrency":16}' $((16 * PARTITIONS))
fi

if part fanout; then
echo
echo "== push fan-out: $FANOUT ordered subscriptions, $NF events of 1 KiB on $PARTITIONS partitions (each event to every subscription)"
api POST topics "{\"name\":\"fan\",\"partitions\":$PARTITIONS}"
for i in $(seq "$FANOUT"); do
  api POST subscriptions "{\"name\":\"fan-$i\",\"topics\":[\"fan\"],\"sink\":{\"uri\":\"http://$SINK/events\"},\"startFrom\":\"earliest\"}"
done
sleep 1
reset_sink
C0=$(cpu $SERVE_PID); T0=$(now)
$PY publish "$PLEXUS" fan "$NF" 1024 >/dev/null
wait_sink $((NF * FANOUT))
T1=$(now); C1=$(cpu $SERVE_PID)
RATE=$(calc %.0f "$NF * $FANOUT / ($T1 - $T0)")
echo "fan-out: $((NF * FANOUT)) deliveries in $(calc %.2f "$T1 - $T0") s = $RATE deliveries/s;" \
  "plexus CPU $(calc %.0f "($C1 - $C0) / $TICK * 1e6 / ($NF * $FANOUT)") µs/delivery; $(calc %.2f "$RATE / ${WRK[256]}")x wrk with 256 connections" \
  "(the push client's connection limit per sink host)"
for i in $(seq "$FANOUT"); do api DELETE "subscriptions/fan-$i"; done
fi

if part queue; then
echo
echo "== queue receive/ack: $NQ events of 1 KiB on $PARTITIONS partitions; a new queue (startFrom earliest) per run"
api POST topics "{\"name\":\"work\",\"partitions\":$PARTITIONS}"
echo "published: $($PY publish "$PLEXUS" work "$NQ" 1024)"
for B in 1 100; do
  for K in 1 4; do
    COUNT=$([ "$B" = 1 ] && echo $((NQ / 10)) || echo "$NQ")
    api POST queues "{\"name\":\"q-$B-$K\",\"topic\":\"work\",\"startFrom\":\"earliest\"}"
    C0=$(cpu $SERVE_PID)
    Q=$($PY queue "$PLEXUS" "q-$B-$K" "$COUNT" "$B" "$K")
    C1=$(cpu $SERVE_PID)
    R=$($PY poll "$PLEXUS" work "$PARTITIONS" "$COUNT" "$B" "$K")
    QR=$(field "$Q" rate); RR=$(field "$R" rate)
    CALLS=$(calc %.0f "$(field "$Q" calls) / $(field "$Q" seconds)")
    echo "max=$B workers=$K: $QR records/s ($CALLS receive+ack calls/s; plexus CPU $(calc %.0f "($C1 - $C0) / $TICK * 1e6 / $(field "$Q" records)") µs/record);" \
      "GET poll limit=$B: $RR records/s -> $(calc %.2f "$QR / $RR")x the poll; calls $(calc %.2f "$CALLS / $FSYNC")x the fdatasync rate"
    api DELETE "queues/q-$B-$K"
  done
done
fi
kill -TERM $SERVE_PID $SINK_PID; wait $SERVE_PID || true
