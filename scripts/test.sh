#!/usr/bin/env bash
# The README's test command: installs what the tests need on a fresh Debian machine, then runs them.
# Tests read the real CloudTrail sample in ../shared (beside the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# moto_server (PyPI moto[server]) for the AWSClient tests: 127.0.0.1, free port, signatures checked.
source scripts/moto.sh
moto_start
trap moto_stop EXIT
# promtool (`promtool check metrics` on /metrics) comes with Debian's prometheus package.
if ! command -v promtool >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus
fi
swift build --build-tests
swift test --skip-build --disable-xctest "$@"
