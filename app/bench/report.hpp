// File: bench/report.hpp — what a wsecho-bench run measured, and its two renderings: text and JSON.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "bench/histogram.hpp"

namespace wsecho::bench {

// Errors by kind. Every connection contributes at most one connection-level error (its first); mismatches
// count per echo.
struct error_counts
{
    std::uint64_t connect_failed = 0;                         // resolve, connect or handshake failed
    std::map<std::uint16_t, std::uint64_t> closed_by_server;  // close code -> connections it closed
    std::uint64_t mismatch = 0;                               // echoes that differ from what was sent
    std::uint64_t timeout = 0;                                // connections whose echo or close was late
    std::uint64_t connection_error = 0;                       // reset, EOF without close, protocol error

    std::uint64_t closed_total() const;
    std::uint64_t total() const;
};

struct bench_report
{
    // What ran.
    std::string url;
    std::uint64_t connections = 0;
    std::uint64_t size = 0;
    bool text = false;
    std::uint64_t pipeline = 1;
    double rate = 0;  // messages/s over all connections; 0 = closed loop
    double warmup_s = 0;
    double duration_s = 0;  // 0 when a message count was asked for
    std::uint64_t messages = 0;

    // What happened. "measured" are the messages sent after the warm-up.
    std::uint64_t connected = 0;
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    std::uint64_t measured_sent = 0;
    std::uint64_t measured_received = 0;
    std::uint64_t measured_bytes = 0;  // echoed payload bytes
    double elapsed_s = 0;              // from the end of the warm-up to the last measured echo
    histogram latency_ns;              // per measured message: send to verified echo
    error_counts errors;
    std::string first_error;  // one line, for the human report

    double msgs_per_s() const
    {
        return elapsed_s > 0 ? static_cast<double>(measured_received) / elapsed_s : 0;
    }
    double mb_per_s() const
    {
        return elapsed_s > 0 ? static_cast<double>(measured_bytes) / elapsed_s / 1e6 : 0;
    }
};

// A few lines for people.
std::string format_text(const bench_report& report);

// One JSON object (for scripts): every field above, latency in microseconds, errors by kind plus "total".
std::string format_json(const bench_report& report);

}  // namespace wsecho::bench
