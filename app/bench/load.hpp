// File: bench/load.hpp — wsecho-bench's whole run as one coroutine: every connection, the phase clock,
// the echo watchdog and the live progress line, bounded by one overall deadline.
#pragma once

#include <wsecho/net.hpp>

#include "bench/report.hpp"
#include "bench/run_state.hpp"

namespace wsecho::bench {

// Runs the load described by `opts` on the calling coroutine's executor (one thread) and reports it.
net::awaitable<bench_report> run_bench(bench_options opts);

}  // namespace wsecho::bench
