#!/usr/bin/env bash
# scripts/build.sh — builds wsecho-server and wsecho-client with a preset, without the tests: what
# scripts/demo.sh and the Docker image's build stage (docker/Dockerfile) run, so both build the same way.
# Usage: scripts/build.sh [PRESET]   (release by default); the programs land in build/PRESET/app/
set -euo pipefail
cd "$(dirname "$0")/.."

preset=${1:-release}
scripts/deps.sh build
if [[ ! -f build/$preset/build.ninja ]]; then
    # Configured once without the tests; scripts/test.sh PRESET configures them afresh.
    cmake --preset "$preset" -DBUILD_TESTING=OFF
fi
cmake --build --preset "$preset" --target wsecho-server wsecho-client
