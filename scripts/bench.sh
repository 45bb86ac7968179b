#!/usr/bin/env bash
# Replay throughput and memory, and state load (see BENCHMARKS.md for results and method).
#   scripts/bench.sh [RECORDS] [RESOURCES]   RSS_GB=2 for the memory rows (0 skips them); FORMS="" skips throughput
# Each form of the corpus (1,000-record trail files; NDJSON) is measured side by side with the
# parse-only anchors on the same bytes — orjson and pysimdjson, one core — and tfdriftctl on one core
# (taskset -c 0, --jobs 1) and on two (taskset -c 0,1, --jobs 2), timed as whole processes.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-200000}
resources=${2:-50000}
rss_gb=${RSS_GB:-2}
fixtures=${FIXTURES:-Tests/Fixtures}
out=bench-out
mkdir -p "$out"
command -v taskset >/dev/null || { echo "taskset (util-linux) is required"; exit 1; }
venv=.build-tools/bench-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q orjson==3.8.3 pysimdjson==7.0.2
fi
py="$venv/bin/python"

swift build -c release --product tfdriftctl >/dev/null
bin=$(swift build -c release --show-bin-path)/tfdriftctl

[ -d "$out/corpus-$records" ] || python3 scripts/bench/gen_corpus.py "$fixtures" "$out/corpus-$records" "$records"
[ -f "$out/corpus-$records.ndjson" ] || python3 scripts/bench/gen_ndjson.py "$out/corpus-$records" "$out/corpus-$records.ndjson" 0 >/dev/null
[ -f "$out/state-$resources.tfstate" ] || python3 scripts/bench/gen_state.py "$resources" "$out/state-$resources.tfstate"
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

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u +%FT%TZ)"
rate() { python3 -c "print(int($1 / $2))"; }
mbps() { python3 -c "print(round($1 / $2 / 1e6))"; }

# One form: anchors and tfdriftctl, three runs each, interleaved; best and range.
bench_form() {
    local form=$1 target=$2
    local bytes replayed=0
    bytes=$(du -sb "$target" | cut -f1)
    cat "$target" > /dev/null 2>&1 || find "$target" -type f -exec cat {} + > /dev/null  # warm the page cache
    declare -A best=() worst=()
    for run in 1 2 3; do
        while read -r name parsed seconds size; do
            local r; r=$(rate "$parsed" "$seconds")
            [ -z "${best[$name]:-}" ] || [ "$r" -gt "${best[$name]}" ] && best[$name]=$r
            [ -z "${worst[$name]:-}" ] || [ "$r" -lt "${worst[$name]}" ] && worst[$name]=$r
        done < <(taskset -c 0 "$py" scripts/bench/anchors.py "$form" "$target")
        for cores in 1 2; do
            local cpus=0; [ "$cores" = 2 ] && cpus=0,1
            local start end seconds r
            start=$(date +%s.%N)
            taskset -c "$cpus" "$bin" replay --config "$out/replay.yaml" --output json --no-progress --jobs "$cores" "$target" \
                > "$out/drifts-$form.jsonl" 2> "$out/replay-$form.stderr" || [ $? -eq 2 ]
            end=$(date +%s.%N)
            seconds=$(python3 -c "print($end - $start)")
            replayed=$(tail -1 "$out/replay-$form.stderr" | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["records"])')
            r=$(rate "$replayed" "$seconds")
            local key="tfdriftctl-${cores}core"
            [ -z "${best[$key]:-}" ] || [ "$r" -gt "${best[$key]}" ] && best[$key]=$r
            [ -z "${worst[$key]:-}" ] || [ "$r" -lt "${worst[$key]}" ] && worst[$key]=$r
        done
    done
    echo "== $form: $replayed records, $((bytes / 1048576)) MiB"
    for name in pysimdjson orjson tfdriftctl-1core tfdriftctl-2core; do
        local b=${best[$name]}
        printf "  %-18s %9s rec/s best (%s–%s), %5s MB/s, %5sx orjson\n" "$name" "$b" "${worst[$name]}" "$b" \
            "$(python3 -c "print(round($b * $bytes / $replayed / 1e6))")" "$(python3 -c "print(round($b / ${best[orjson]}, 2))")"
    done
    echo "  two cores / one core: $(python3 -c "print(round(${best[tfdriftctl-2core]} / ${best[tfdriftctl-1core]}, 2))")x"
    tail -1 "$out/replay-$form.stderr" | cut -c1-200
}

for form in ${FORMS-trail ndjson}; do   # FORMS="" measures only memory and state load
    if [ "$form" = trail ]; then bench_form trail "$out/corpus-$records"; else bench_form ndjson "$out/corpus-$records.ndjson"; fi
done

# Memory: peak RSS replaying inputs larger than any window, on both cores.
if [ "$rss_gb" != 0 ]; then
    big=$((rss_gb * 1000000000))
    [ -f "$out/big-$rss_gb.ndjson" ] || python3 scripts/bench/gen_ndjson.py "$out/corpus-$records" "$out/big-$rss_gb.ndjson" "$big" >/dev/null
    [ -d "$out/big-$rss_gb-gz" ] || python3 scripts/bench/gen_gzdir.py "$out/corpus-$records" "$out/big-$rss_gb-gz" "$big" >/dev/null
    for input in "$out/big-$rss_gb.ndjson" "$out/big-$rss_gb-gz"; do
        /usr/bin/time -f "%e %M" -o "$out/rss.time" taskset -c 0,1 "$bin" replay --config "$out/replay.yaml" --output json \
            --no-progress "$input" > /dev/null 2> "$out/rss.stderr" || true
        read -r wall rss < <(tail -1 "$out/rss.time")   # time(1) puts "Command exited with …" first
        echo "memory: $(basename "$input") ($(du -sh "$input" | cut -f1) on disk): peak RSS $((rss / 1024)) MiB, $wall s; $(tail -1 "$out/rss.stderr" | cut -c1-120)"
    done
fi

state_bytes=$(stat -c %s "$out/state-$resources.tfstate")
for run in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$out/state.time" taskset -c 0 "$bin" state inspect --config "$out/state.yaml" --output json > "$out/state.json"
    read -r wall rss < <(tail -1 "$out/state.time")
    load=$(python3 -c "import json; print(json.load(open('$out/state.json'))['states'][0]['load_seconds'])")
    echo "state run $run: $resources resources, $((state_bytes / 1048576)) MiB file: load $load s (whole process $wall s), peak RSS $((rss / 1024)) MiB = $(python3 -c "print(round($rss * 1024 / $state_bytes, 2))")x file size"
done
