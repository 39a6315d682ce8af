#!/usr/bin/env bash
# bench/run.sh — wsecho-server beside the peer servers of ../shared/bench, under the same load generator
# and pinning (server on CPU 0, generator on CPU 1), then wsecho-bench as the generator for comparison;
# writes bench/RESULTS.md (machine, commit, a table per scenario with the ratio wsecho / peer).
#
# Usage: bench/run.sh [--quick] [--repeat N] [--scenarios a,b,c,d,e] [--servers gorilla,...] [--no-self]
#                     [--out FILE] [other options of the shared run.py, e.g. --quiet-timeout 900]
#   --quick      2 s windows, 500 idle connections, no waiting for a quiet machine (a smoke run)
#   (default)    10 s windows, one run per cell; the full run is --repeat 3 --quiet-timeout 900 --retries 3
# WSECHO_PEER_BENCH: the shared bench to copy (default: ../shared/bench beside the repository).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
shared=${WSECHO_PEER_BENCH:-$repo/../shared/bench}
work=$repo/build/peer-bench
out=$repo/bench/RESULTS.md
say() { printf 'bench/run.sh: %s\n' "$*" >&2; }

quick=() self=1 scenarios=a,b,c,d,e peers=gorilla,websocketpp,node,python passthrough=() runs_note="one run per cell"
command="bench/run.sh $*"
while (($#)); do
    case $1 in
        --quick) quick=(--quick --quiet-timeout 5 --retries 0); shift ;;
        --scenarios) scenarios=$2; shift 2 ;;
        --servers) peers=$2; shift 2 ;;
        --no-self) self=0; shift ;;
        --out) out=$2; shift 2 ;;
        --repeat) runs_note="median of $2 runs per cell"; passthrough+=("$1" "$2"); shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) passthrough+=("$1"); shift ;;
    esac
done
[[ -d $shared ]] || { say "no shared bench at $shared (set WSECHO_PEER_BENCH)"; exit 1; }
command -v taskset >/dev/null || { say "taskset (util-linux) is missing"; exit 1; }
(($(nproc) >= 2)) || { say "needs 2 CPUs (server and load generator pinned apart); this machine has $(nproc)"; exit 1; }

# The shared folder may be read-only: work on a copy. -p keeps timestamps, so its build.sh rebuilds only
# what changed since the last copy (bin/ and node_modules/ survive in build/peer-bench).
mkdir -p "$work"
cp -rp "$shared/." "$work/"
chmod -R u+w "$work"

"$repo/scripts/deps.sh" bench
say "building wsecho (release preset)"
if [[ ! -f $repo/build/release/CMakeCache.txt ]]; then
    cmake --preset release -S "$repo" >/dev/null
fi
cmake --build --preset release --target wsecho-server wsecho-bench >/dev/null
server=$repo/build/release/app/wsecho-server
bench=$repo/build/release/app/wsecho-bench

# --threads 1: pinned to one core, a second thread would only add strand hand-offs (and the peers it is
# compared with run one event loop, or Go's scheduler on one CPU).
say "running the shared runner: wsecho,$peers; scenarios $scenarios"
status=0
"$work/run.sh" "${quick[@]}" --add "wsecho=$server --listen {host}:{port} --threads 1 --log-level warn" \
    --servers "wsecho,$peers" --scenarios "$scenarios" --baseline wsecho "${passthrough[@]}" || status=$?

compare=(--peer-bench "$work" --shared "$shared" --server "$server" --bench "$bench" --out "$out"
         --scenarios "$scenarios" --servers "wsecho,$peers" --command "$command" --runs-note "$runs_note")
((${#quick[@]})) && compare+=(--quick)
((self)) || compare+=(--no-self)
/usr/bin/python3 "$repo/bench/compare.py" "${compare[@]}" || status=$?
say "wrote $out"
exit "$status"
