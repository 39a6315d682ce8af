#!/usr/bin/env bash
# scripts/test.sh — the whole test suite for one preset: configure from scratch, build, run ctest.
# Usage: scripts/test.sh [PRESET]   (ci by default; also dev, asan, release)
set -euo pipefail
cd "$(dirname "$0")/.."

preset=${1:-ci}
scripts/deps.sh test
exec cmake --workflow --preset "$preset" --fresh
