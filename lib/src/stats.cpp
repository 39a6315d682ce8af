// File: stats.cpp — names for the rejection reasons (as log lines and /metrics show them) and counter sums.
#include <wsecho/stats.hpp>

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

std::size_t traffic_counters::this_thread_shard()
{
    static std::atomic<std::size_t> next{0};
    thread_local const std::size_t mine = next.fetch_add(1, std::memory_order_relaxed) % shard_count;
    return mine;
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
