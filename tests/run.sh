#!/usr/bin/env bash
# Sets up (tests/setup-debian.sh), builds, and runs every test: unit tests,
# and integration tests against real servers the fixtures start on free
# loopback ports (nginx, the bundled demo target, misbehaving TCP servers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup-debian.sh
cd build
ctest --output-on-failure --timeout 300 "$@"
