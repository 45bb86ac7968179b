#!/usr/bin/env bash
# The README's test command: installs what the tests need on a fresh Debian machine, then runs them.
# Tests read the real CloudTrail sample in ../shared (beside the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build --build-tests
swift test --skip-build --disable-xctest "$@"
