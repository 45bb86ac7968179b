#!/usr/bin/env bash
# The README's first command: build tfdriftctl and replay the bundled real CloudTrail sample
# against the bundled Terraform state. No AWS account or Grafana needed. Exit status 2 = drift found.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --product tfdriftctl
exec "$(swift build --show-bin-path)/tfdriftctl" replay --config examples/quickstart/tfdrift.yaml examples/quickstart/cloudtrail "$@"
