// File: bench/report.cpp — rendering a bench_report as text (people) and JSON (scripts).
#include "bench/report.hpp"

#include <fmt/format.h>

#include <array>
#include <numeric>
#include <utility>

namespace wsecho::bench {

namespace {

struct percentile_name
{
    double value;
    const char* json;
    const char* text;
};
constexpr std::array<percentile_name, 4> percentiles{{
    {50, "p50", "p50"},
    {90, "p90", "p90"},
    {99, "p99", "p99"},
    {99.9, "p999", "p99.9"},
}};

double micros(std::uint64_t nanoseconds)
{
    return static_cast<double>(nanoseconds) / 1000.0;
}

// JSON string contents: the few characters a URL or an error line could carry that JSON must escape.
std::string json_escape(const std::string& in)
{
    std::string out;
    for (char c : in)
    {
        if (c == '"' || c == '\\')
            out += {'\\', c};
        else if (static_cast<unsigned char>(c) < 0x20)
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        else
            out += c;
    }
    return out;
}

std::string errors_text(const error_counts& e)
{
    std::string parts;
    auto add = [&](std::uint64_t n, const std::string& what) {
        if (n)
            parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", what, n);
    };
    add(e.connect_failed, "connect failed");
    for (const auto& [code, n] : e.closed_by_server)
        add(n, fmt::format("closed by server ({})", code));
    add(e.mismatch, "mismatch");
    add(e.timeout, "timeout");
    add(e.connection_error, "connection error");
    return parts;
}

}  // namespace

std::uint64_t error_counts::closed_total() const
{
    return std::accumulate(
        closed_by_server.begin(),
        closed_by_server.end(),
        std::uint64_t{0},
        [](std::uint64_t sum, const auto& entry) { return sum + entry.second; }
    );
}

std::uint64_t error_counts::total() const
{
    return connect_failed + closed_total() + mismatch + timeout + connection_error;
}

std::string format_text(const bench_report& r)
{
    std::string load =
        r.messages ? fmt::format("{} messages", r.messages) : fmt::format("{:g} s", r.duration_s);
    std::string out = fmt::format(
        "wsecho-bench {}: {} connections ({} up), {} B {}, pipeline {}, {}{}, after {:g} s warm-up\n",
        r.url,
        r.connections,
        r.connected,
        r.size,
        r.text ? "text" : "binary",
        r.pipeline,
        load,
        r.rate > 0 ? fmt::format(" at {:g} msg/s", r.rate) : std::string(" closed loop"),
        r.warmup_s
    );
    out += fmt::format(
        "  echoed   {} of {} measured messages in {:.3f} s: {:.0f} msg/s, {:.2f} MB/s\n",
        r.measured_received,
        r.measured_sent,
        r.elapsed_s,
        r.msgs_per_s(),
        r.mb_per_s()
    );
    if (r.latency_ns.count())
    {
        out += "  latency  µs";
        for (const auto& p : percentiles)
            out += fmt::format("  {} {:.1f}", p.text, micros(r.latency_ns.value_at_percentile(p.value)));
        out += fmt::format(
            "  max {:.1f}  mean {:.1f}\n", micros(r.latency_ns.max()), r.latency_ns.mean() / 1000.0
        );
    }
    const auto errors = r.errors.total();
    out += fmt::format("  errors   {}{}\n", errors, errors ? ": " + errors_text(r.errors) : "");
    if (!r.first_error.empty())
        out += "  first    " + r.first_error + "\n";
    return out;
}

std::string format_json(const bench_report& r)
{
    std::string latency;
    for (const auto& p : percentiles)
        latency += fmt::format("\"{}\": {:.3f}, ", p.json, micros(r.latency_ns.value_at_percentile(p.value)));
    latency += fmt::format(
        R"("max": {:.3f}, "min": {:.3f}, "mean": {:.3f})",
        micros(r.latency_ns.max()),
        micros(r.latency_ns.min()),
        r.latency_ns.mean() / 1000.0
    );
    std::string closed;
    for (const auto& [code, n] : r.errors.closed_by_server)
        closed += fmt::format("{}\"{}\": {}", closed.empty() ? "" : ", ", code, n);
    const auto& e = r.errors;
    return fmt::format(
        "{{\"url\": \"{}\", \"connections\": {}, \"size\": {}, \"opcode\": \"{}\", \"pipeline\": {}, "
        "\"rate\": {}, \"warmup_s\": {}, \"duration_s\": {}, \"messages\": {}, "
        "\"connected\": {}, \"sent\": {}, \"received\": {}, "
        "\"measured\": {{\"sent\": {}, \"received\": {}, \"bytes\": {}, \"elapsed_s\": {:.6f}, "
        "\"msgs_per_s\": {:.1f}, \"mb_per_s\": {:.3f}}}, "
        "\"latency_us\": {{\"count\": {}, {}}}, "
        "\"errors\": {{\"total\": {}, \"connect_failed\": {}, \"closed_by_server\": {{{}}}, \"mismatch\": "
        "{}, "
        "\"timeout\": {}, \"connection_error\": {}}}, \"first_error\": \"{}\"}}",
        json_escape(r.url),
        r.connections,
        r.size,
        r.text ? "text" : "binary",
        r.pipeline,
        r.rate,
        r.warmup_s,
        r.duration_s,
        r.messages,
        r.connected,
        r.sent,
        r.received,
        r.measured_sent,
        r.measured_received,
        r.measured_bytes,
        r.elapsed_s,
        r.msgs_per_s(),
        r.mb_per_s(),
        r.latency_ns.count(),
        latency,
        e.total(),
        e.connect_failed,
        closed,
        e.mismatch,
        e.timeout,
        e.connection_error,
        json_escape(r.first_error)
    );
}

}  // namespace wsecho::bench
