#!/usr/bin/env bash
# The README's test command: installs what the tests need on a fresh Debian machine, then runs them.
# Test data from other projects lives in Tests/Fixtures (provenance in each SOURCE.md): a clone alone runs the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The event catalog's generator tests, and the committed generated catalog is not stale (botocore pinned,
# installed into .build-tools/catalog-venv): see docs/event-catalog.md.
bash scripts/catalog/check.sh
# moto_server (PyPI moto[server]) for the AWSClient tests: 127.0.0.1, free port, signatures checked.
source scripts/moto.sh
# A real Prometheus Alertmanager (Debian package prometheus-alertmanager) for the silence tests:
# 127.0.0.1, free port, no clustering, temporary storage; exports TFDRIFT_TEST_ALERTMANAGER_URL.
source scripts/alertmanager.sh
trap 'moto_stop; alertmanager_stop' EXIT
moto_start
alertmanager_start
# promtool (`promtool check metrics` on /metrics) comes with Debian's prometheus package.
if ! command -v promtool >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus
fi
swift build --build-tests
# Every deployment file under deploy/ (image, systemd unit, Kubernetes, ECS, IAM policies in step),
# checked with this run's binary.
bash scripts/check-deploy.sh --binary "$(swift build --show-bin-path)/tfdriftctl"
swift test --skip-build --disable-xctest "$@"
