#!/usr/bin/env bash
# Replay throughput and state-load benchmarks (see BENCHMARKS.md for results and method).
#   scripts/bench.sh [RECORDS] [RESOURCES]
# Everything runs pinned to one core (taskset -c 0); tfdriftctl is timed as a whole process.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-200000}
resources=${2:-50000}
shared=${SHARED:-Tests/Fixtures}
out=bench-out
mkdir -p "$out"
command -v taskset >/dev/null || { echo "taskset (util-linux) is required"; exit 1; }
python3 -c 'import orjson' 2>/dev/null || pip install -q orjson

swift build -c release --product tfdriftctl >/dev/null
bin=$(swift build -c release --show-bin-path)/tfdriftctl

if [ ! -d "$out/corpus-$records" ]; then python3 scripts/bench/gen_corpus.py "$shared" "$out/corpus-$records" "$records"; fi
if [ ! -f "$out/state-$resources.tfstate" ]; then python3 scripts/bench/gen_state.py "$resources" "$out/state-$resources.tfstate"; fi
cat > "$out/replay.yaml" <<YAML
providers:
  aws:
    state:
      local_path: $(pwd)/examples/quickstart/terraform.tfstate
YAML
cat > "$out/state.yaml" <<YAML
providers:
  aws:
    state:
      local_path: $(pwd)/$out/state-$resources.tfstate
YAML

corpus_bytes=$(du -sb "$out/corpus-$records" | cut -f1)
echo "corpus: $records records, $((corpus_bytes / 1048576)) MiB uncompressed; machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
cat "$out/corpus-$records"/AWSLogs/*/CloudTrail/*/*/*/*/*.json > /dev/null  # warm the page cache for both

best_orjson=""
best_replay=""
for run in 1 2 3; do
    read -r parsed seconds < <(taskset -c 0 python3 scripts/bench/orjson_parse.py "$out/corpus-$records")
    rate=$(python3 -c "print(int($parsed / $seconds))")
    start=$(date +%s.%N)
    taskset -c 0 "$bin" replay --config "$out/replay.yaml" --output json --no-progress "$out/corpus-$records" > "$out/drifts.jsonl" 2> "$out/replay.stderr" || [ $? -eq 2 ]
    end=$(date +%s.%N)
    replay_rate=$(python3 -c "print(int($records / ($end - $start)))")
    echo "run $run: orjson parse-only $rate records/s ($seconds s) | tfdriftctl replay $replay_rate records/s ($(python3 -c "print(round($end - $start, 3))") s, whole process)"
    [ -z "$best_orjson" ] || [ "$rate" -gt "$best_orjson" ] && best_orjson=$rate
    [ -z "$best_replay" ] || [ "$replay_rate" -gt "$best_replay" ] && best_replay=$replay_rate
done
echo "best: orjson $best_orjson/s, tfdriftctl $best_replay/s, ratio $(python3 -c "print(round($best_replay / $best_orjson, 2))")x"
tail -1 "$out/replay.stderr"
/usr/bin/time -f "replay peak RSS %M KiB" taskset -c 0 "$bin" replay --config "$out/replay.yaml" --output json --no-progress "$out/corpus-$records" > /dev/null 2> "$out/rss.stderr" || true
grep 'peak RSS' "$out/rss.stderr"

state_bytes=$(stat -c %s "$out/state-$resources.tfstate")
for run in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$out/state.time" taskset -c 0 "$bin" state inspect --config "$out/state.yaml" --output json > "$out/state.json"
    read -r wall rss < "$out/state.time"
    load=$(python3 -c "import json; print(json.load(open('$out/state.json'))['states'][0]['load_seconds'])")
    echo "state run $run: $resources resources, $((state_bytes / 1048576)) MiB file: load $load s (whole process $wall s), peak RSS $((rss / 1024)) MiB = $(python3 -c "print(round($rss * 1024 / $state_bytes, 2))")x file size"
done
