#!/usr/bin/env bash
# tests/fuzz/run.sh — runs each libFuzzer target for a bounded time on a copy of its seed corpus; fails on
# any crash, hang, leak or sanitizer report. Needs the `fuzz` preset built first:
#   cmake --preset fuzz && cmake --build --preset fuzz && tests/fuzz/run.sh [SECONDS]
# SECONDS (default 60) is per target; the targets run one after the other. The checked-in corpus
# (tests/fuzz/corpus/TARGET/) is never modified: each run starts from a fresh copy in build/fuzz/fuzz-corpus/,
# where libFuzzer adds what it finds. Logs go to build/fuzz/fuzz-logs/, crash files to build/fuzz/fuzz-artifacts/.
# Reproduce a crash with: build/fuzz/tests/fuzz/TARGET CRASH-FILE   (WSECHO_FUZZ_LOG=1 also prints the log)
set -euo pipefail

seconds=${1:-60}
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [SECONDS]   (per target, default 60)" >&2
    exit 2
fi

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${WSECHO_FUZZ_BUILD:-$repo/build/fuzz}
targets=(codec_fuzz client_receive_fuzz)

for target in "${targets[@]}"; do
    if [[ ! -x $build/tests/fuzz/$target ]]; then
        echo "run.sh: $build/tests/fuzz/$target is missing; build it first:" >&2
        echo "  cmake --preset fuzz && cmake --build --preset fuzz" >&2
        exit 2
    fi
done

# Stack traces for UBSan; leaks are checked (libFuzzer's -detect_leaks=1 is the default with ASan).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

failed=()
start_all=$SECONDS
for target in "${targets[@]}"; do
    corpus_name=${target%_fuzz}
    seeds=$repo/tests/fuzz/corpus/$corpus_name
    corpus=$build/fuzz-corpus/$corpus_name
    artifacts=$build/fuzz-artifacts/$corpus_name
    log=$build/fuzz-logs/$target.log
    rm -rf "$corpus"
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    cp "$seeds"/* "$corpus"/

    echo "==== $target: ${seconds}s on $(ls "$corpus" | wc -l) seeds from tests/fuzz/corpus/$corpus_name (log: $log)"
    start=$SECONDS
    status=0
    "$build/tests/fuzz/$target" "$corpus" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" >"$log" 2>&1 || status=$?

    # The last status line ("#N DONE cov: ... exec/s: ...") and the final stats.
    grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -n 1 || true
    stats='number_of_executed_units|average_exec_per_sec|new_units_added|slowest_unit_time_sec|peak_rss_mb'
    grep -E "^stat::($stats)" "$log" | tr -s ' \n' ' ' || true
    echo
    echo "$target: exit $status after $((SECONDS - start))s; corpus now $(ls "$corpus" | wc -l) files"

    if ((status != 0)); then
        failed+=("$target")
        echo "---- $target FAILED (exit $status); the end of its log:" >&2
        tail -n 60 "$log" >&2
        crash=$(grep -oE 'Test unit written to [^ ]+' "$log" | tail -n 1 | sed 's/^Test unit written to //' || true)
        if [[ -n $crash ]]; then
            echo "---- reproducer: $crash" >&2
            echo "---- reproduce: $build/tests/fuzz/$target $crash" >&2
        fi
    fi
done

echo "==== fuzzing took $((SECONDS - start_all))s"
echo "fuzz: $((${#targets[@]} - ${#failed[@]})) passed, ${#failed[@]} failed"
if ((${#failed[@]} > 0)); then
    echo "run.sh: FAILED: ${failed[*]}" >&2
    exit 1
fi
