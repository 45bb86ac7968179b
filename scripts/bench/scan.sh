#!/usr/bin/env bash
# Micro-benchmark of the structural scan (Sources/CJSONScan): GB/s of tfd_scan_unit_ends and
# tfd_skip_container for every kernel this CPU runs, next to memchr, on the real CloudTrail of
# Tests/Fixtures/cloudtrail (records byte for byte, as NDJSON and as one trail file).
#   scripts/bench/scan.sh [MEGABYTES ...]     default: 200 (bigger than the caches) and 1 (in L2)
# Pinned to one core (taskset -c 0); times are the thread's CPU time, the fastest of >= 7 runs.
# Built with the flags SwiftPM gives C targets in release (-O2 -fPIC -fno-omit-frame-pointer).
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=$(IFS=,; echo "${*:-200 1}" | tr ' ' ',')
out=bench-out
mkdir -p "$out"
command -v taskset >/dev/null || { echo "taskset (util-linux) is required"; exit 1; }
cc=$(command -v clang || command -v cc)
flags=(-O2 -fPIC -fno-omit-frame-pointer -ISources/CJSONScan/include)
sources=(scripts/bench/scan_bench.c Sources/CJSONScan/*.c)
"$cc" "${flags[@]}" "${sources[@]}" -lz -o "$out/scan_bench"
# The same program with the AVX2 kernel's prefix XOR done by six shifts instead of PCLMULQDQ.
"$cc" "${flags[@]}" -DTFD_AVX2_PREFIX_XOR=tfd_prefix_xor_shifts "${sources[@]}" -lz -o "$out/scan_bench_shifts"

mapfile -t trails < <(find Tests/Fixtures/cloudtrail -name '*.json.gz' | sort)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $("$cc" --version | head -1)"
taskset -c 0 "$out/scan_bench" "$sizes" "${trails[@]}"
if grep -qw avx2 /proc/cpuinfo; then
    echo
    echo "AVX2 kernel with the prefix XOR by shifts instead of PCLMULQDQ:"
    taskset -c 0 "$out/scan_bench_shifts" "$sizes" "${trails[@]}" | grep -E '^[0-9]+ records|AVX2' | sed 's/| AVX2      /| AVX2 shift/'
fi
