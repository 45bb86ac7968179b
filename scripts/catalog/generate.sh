#!/usr/bin/env bash
# Regenerates Sources/Detector/Resources/generated/ from botocore (pinned) and the curated YAML.
#   scripts/catalog/generate.sh [--report]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="$(bash "$here/venv.sh")"
exec "$python" "$here/generate.py" "$@"
