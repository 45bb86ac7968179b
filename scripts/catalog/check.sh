#!/usr/bin/env bash
# CI: the committed catalog files are what the generator writes today (run by scripts/test.sh), and the
# generator's own tests pass. A stale file fails with the diff and the command that fixes it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="$(bash "$here/venv.sh")"
"$python" -m pytest -q -p no:cacheprovider "$here/tests"
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
"$python" "$here/generate.py" --out "$fresh"
if ! diff -ru "$root/Sources/Detector/Resources/generated" "$fresh" > "$fresh.diff"; then
    head -40 "$fresh.diff" >&2
    echo "Sources/Detector/Resources/generated is stale: run scripts/catalog/generate.sh and commit the result" >&2
    rm -f "$fresh.diff"
    exit 1
fi
rm -f "$fresh.diff"
echo "event catalog: generated files are up to date"
