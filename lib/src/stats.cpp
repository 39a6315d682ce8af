// File: stats.cpp — names for the rejection reasons (as log lines and /metrics show them) and counter sums.
#include <wsecho/stats.hpp>

#include <algorithm>

namespace wsecho {

std::string_view to_string(rejection r)
{
    switch (r)
    {
    case rejection::bad_request: return "bad request";
    case rejection::header_too_large: return "request header too large";
    case rejection::body_too_large: return "request body too large";
    case rejection::request_timeout: return "no complete request in time";
    case rejection::handshake_failed: return "WebSocket handshake failed";
    case rejection::tls_handshake_failed: return "TLS handshake failed";
    case rejection::origin_not_allowed: return "origin not allowed";
    case rejection::over_capacity: return "over max connections";
    case rejection::message_too_big: return "message too big";
    case rejection::protocol_error: return "protocol error";
    case rejection::invalid_utf8: return "invalid UTF-8";
    case rejection::idle_timeout: return "idle timeout";
    }
    return "unknown";
}

bool is_handshake_rejection(rejection r)
{
    return r <= rejection::over_capacity;
}

namespace {

// Each thread its own shard of every sharded counter (threads beyond 16 share).
std::size_t thread_shard()
{
    static std::atomic<std::size_t> next{0};
    thread_local const std::size_t mine = next.fetch_add(1, std::memory_order_relaxed);
    return mine;
}

constexpr auto turnaround_bounds_ns = [] {
    std::array<std::int64_t, turnaround_histogram::upper_bounds.size()> ns{};
    for (std::size_t i = 0; i < ns.size(); ++i)
        // Positive values, so +0.5 then truncation rounds to nearest (std::lround is not constexpr in C++20).
        // NOLINTNEXTLINE(bugprone-incorrect-roundings)
        ns[i] = static_cast<std::int64_t>(turnaround_histogram::upper_bounds[i] * 1e9 + 0.5);
    return ns;
}();

}  // namespace

std::size_t traffic_counters::this_thread_shard()
{
    return thread_shard() % shard_count;
}

void turnaround_histogram::observe(std::chrono::nanoseconds took, std::uint64_t messages) noexcept
{
    std::size_t bucket = 0;
    while (bucket < turnaround_bounds_ns.size() && took.count() > turnaround_bounds_ns[bucket])
        ++bucket;
    auto& s = shards_[thread_shard() % shards_.size()];
    s.per_bucket[bucket].fetch_add(messages, std::memory_order_relaxed);
    const auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(took.count(), 0));
    s.sum_ns.fetch_add(ns * messages, std::memory_order_relaxed);
}

turnaround_histogram::totals turnaround_histogram::sum() const
{
    totals t;
    std::uint64_t sum_ns = 0;
    for (const auto& s : shards_)
    {
        for (std::size_t b = 0; b < t.per_bucket.size(); ++b)
            t.per_bucket[b] += s.per_bucket[b].load(std::memory_order_relaxed);
        sum_ns += s.sum_ns.load(std::memory_order_relaxed);
    }
    for (auto n : t.per_bucket)
        t.count += n;
    t.sum_seconds = static_cast<double>(sum_ns) / 1e9;
    return t;
}

traffic_counters::totals traffic_counters::sum() const
{
    totals t;
    for (const auto& s : shards_)
        for (std::size_t kind = 0; kind < 2; ++kind)
        {
            t.messages_received[kind] += s.counts[kind * 2].load(std::memory_order_relaxed);
            t.bytes_received[kind] += s.counts[kind * 2 + 1].load(std::memory_order_relaxed);
            t.messages_sent[kind] += s.counts[4 + kind * 2].load(std::memory_order_relaxed);
            t.bytes_sent[kind] += s.counts[4 + kind * 2 + 1].load(std::memory_order_relaxed);
        }
    return t;
}

}  // namespace wsecho
