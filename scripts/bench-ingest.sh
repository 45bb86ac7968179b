#!/usr/bin/env bash
# HTTP ingest benchmark and soak for `tfdriftctl run` (figures in BENCHMARKS.md).
#   scripts/bench-ingest.sh [SECONDS] [SOAK_MINUTES]
# 1. wrk (Debian package) posts CloudTrail records on loopback for SECONDS (default 30): throughput,
#    HTTP latency, and the detector's own ingest-to-sink histogram (tfdrift_ingest_to_sink_seconds).
# 2. A soak at the seed's large-org rate (10,000 events/min) for SOAK_MINUTES (default 10) with a
#    50,000-resource state, sampling RSS every 30 s.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
soak=${2:-10}
out=bench-out
mkdir -p "$out"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
swift build -c release --product tfdriftctl >/dev/null
bin=$(swift build -c release --show-bin-path)/tfdriftctl
[ -f "$out/state-50000.tfstate" ] || python3 scripts/bench/gen_state.py 50000 "$out/state-50000.tfstate"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rm -f "$out/ingest-drifts.log"*
cat > "$out/ingest.yaml" <<YAML
providers:
  aws:
    state:
      local_path: $(pwd)/$out/state-50000.tfstate
server:
  listen: "127.0.0.1:$port"
  token: bench-token
  journal: ${JOURNAL:-true}            # JOURNAL=false: no ingest journal at all
  journal_sync: ${JOURNAL_SYNC:-true}  # JOURNAL_SYNC=false: journal written, no fdatasync before the 202
outputs:
  stdout: false
  file:
    path: $(pwd)/$out/ingest-drifts.log
    max_size_mb: 200
logging:
  level: warning
YAML
"$bin" run --config "$out/ingest.yaml" 2> "$out/ingest.stderr" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
echo "detector pid $pid on port $port; RSS after start: $(( $(grep VmRSS /proc/$pid/status | awk '{print $2}') / 1024 )) MiB"

# 12 connections, each pausing DELAY_MS (default 1 ms) between requests: about 5,500 events/s offered,
# the issue's target rate. DELAY_MS=0 measures saturation instead (429s once the queue is full).
DELAY_MS=${DELAY_MS:-1} wrk -t2 -c"${CONNECTIONS:-12}" -d"${seconds}s" --latency -s scripts/bench/post_event.lua "http://127.0.0.1:$port" | tee "$out/wrk.txt"
sleep 2  # let the queue drain before reading the histogram and the log
curl -fs "http://127.0.0.1:$port/metrics" > "$out/metrics.txt"
python3 - "$out/metrics.txt" "$seconds" <<'PY'
import re, sys
buckets = []
total = 0
for line in open(sys.argv[1]):
    m = re.match(r'tfdrift_ingest_to_sink_seconds_bucket\{le="([^"]+)"\} (\d+)', line)
    if m: buckets.append((float("inf") if m.group(1) == "+Inf" else float(m.group(1)), int(m.group(2))))
    m = re.match(r'tfdrift_ingest_to_sink_seconds_count (\d+)', line)
    if m: total = int(m.group(1))
accepted = 0
rejected = 0
for line in open(sys.argv[1]):
    m = re.match(r'tfdrift_events_received_total\{source="http"\} (\d+)', line)
    if m: accepted = int(m.group(1))
    m = re.match(r'tfdrift_ingest_rejected_total\{reason="queue_full"\} (\d+)', line)
    if m: rejected = int(m.group(1))
print(f"accepted {accepted} events ({accepted / float(sys.argv[2]):.0f}/s), refused with 429: {rejected}")
for q in (0.5, 0.99):
    bound = next(le for le, count in buckets if count >= q * total)
    print(f"ingest-to-sink p{int(q*100)} <= {bound*1000:g} ms ({total} batches)")
PY
echo "drift events written: $(wc -l < "$out/ingest-drifts.log")"
if [ "$soak" != "0" ]; then
    echo "soak: 10,000 events/min for $soak minutes"
    python3 scripts/bench/soak_client.py "http://127.0.0.1:$port/api/v1/events" "$pid" 10000 "$soak"
fi
kill -TERM $pid; wait $pid || true
