#!/usr/bin/env bash
# scripts/deps.sh — the one list of Debian 12 packages wsecho needs; installs the missing ones as root.
# Usage: scripts/deps.sh build|test|fuzz|lint|bench|runtime
#   (test, fuzz, lint and bench include build; fuzz adds clang 14 and its sanitizer/libFuzzer runtimes; lint
#   adds clang-format and clang-tidy 14 (scripts/lint.sh) and git, which lists the files to format; bench adds
#   what bench/run.sh needs to build and pin the peer servers of ../shared/bench, whose build.sh also wants
#   node and npm on PATH; runtime is what the Docker image's slim stage installs: the shared libraries the
#   programs link besides libc and libstdc++)
set -euo pipefail

build=(cmake ninja-build g++ libboost1.81-dev libspdlog-dev libcli11-dev libgtest-dev libssl-dev zlib1g-dev)
# docker-compose validates compose.yaml (tests/docker reads its output with python3-yaml); nginx and envsubst
# (gettext-base) run the scale profile's proxy config on loopback (tests/proxy); nodejs, npm and chromium run
# tests/browser (playwright-core itself comes from npm: the browser.npm_ci test); prometheus (with promtool)
# scrapes the server in tests/e2e/test_prometheus.py.
test=("${build[@]}" python3 python3-websockets python3-yaml docker-compose nginx gettext-base chromium nodejs npm
      prometheus)
fuzz=("${build[@]}" clang-14 libclang-rt-14-dev)
lint=("${build[@]}" clang-format-14 clang-tidy-14 git)
bench=("${build[@]}" python3 python3-websockets golang-go golang-github-gorilla-websocket-dev libwebsocketpp-dev
       util-linux procps)
runtime=(libspdlog1.10 libfmt9 libssl3 zlib1g)

case "${1:-}" in
    build) wanted=("${build[@]}") ;;
    test) wanted=("${test[@]}") ;;
    fuzz) wanted=("${fuzz[@]}") ;;
    lint) wanted=("${lint[@]}") ;;
    bench) wanted=("${bench[@]}") ;;
    runtime) wanted=("${runtime[@]}") ;;
    *) echo "usage: $0 build|test|fuzz|lint|bench|runtime" >&2; exit 2 ;;
esac

present() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' && return 0
    # NodeSource's nodejs package bundles npm and conflicts with Debian's: a working npm counts.
    [[ $1 == npm ]] && command -v npm >/dev/null
}

missing=()
for pkg in "${wanted[@]}"; do
    present "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
    echo "deps.sh: all $1 packages present"
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "missing Debian packages: ${missing[*]}" >&2
    echo "sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
fi
echo "deps.sh: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
