#!/usr/bin/env bash
# CI (run by scripts/test.sh): the generator's tests pass, and the committed catalog files are what the
# generator writes today. A stale file fails with the diff and the command that fixes it.
#   scripts/catalog/check.sh [--skip-tests]
# CATALOG_GENERATED_DIR names the directory to check (default: Sources/Detector/Resources/generated).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
committed="${CATALOG_GENERATED_DIR:-$root/Sources/Detector/Resources/generated}"
python="$(bash "$here/venv.sh")"
if [ "${1:-}" != "--skip-tests" ]; then
    "$python" -m pytest -q -p no:cacheprovider "$here/tests"
fi
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
"$python" "$here/generate.py" --out "$fresh/generated"
if ! diff -ru "$committed" "$fresh/generated" > "$fresh/diff"; then
    head -40 "$fresh/diff" >&2
    echo "the event catalog in $committed is stale: run scripts/catalog/generate.sh and commit the result" >&2
    exit 1
fi
echo "event catalog: the generated files are up to date"
