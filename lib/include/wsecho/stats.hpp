// File: wsecho/stats.hpp — the server's counters: connections, traffic, close codes, and every rejection by
// reason. /metrics renders them; server::stats() hands them to embedding code.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string_view>

namespace wsecho {

// Why a peer was refused or dropped. Each has a warn log line naming the peer, and a counter.
enum class rejection : std::uint8_t
{
    bad_request,       // 400: not HTTP, or a malformed request
    header_too_large,  // 431: headers over max_header_bytes
    body_too_large,    // 413: a request body over the limit
    request_timeout,   // no complete request within handshake_timeout (slowloris)
    handshake_failed,  // the upgrade broke RFC 6455 (400, or 426 for another version)
    tls_handshake_failed,  // the TLS listener got no valid TLS hello in time (plain HTTP, wrong protocol, bad cert)
    origin_not_allowed,  // 403: a browser page from another origin (cross-site WebSocket hijacking)
    over_capacity,       // 503: max_connections reached
    message_too_big,     // close 1009: a message over max_message_bytes
    protocol_error,      // close 1002: a frame breaking RFC 6455
    invalid_utf8,        // close 1007: a text message or close reason that is not UTF-8
    idle_timeout,        // the peer answered neither data nor our keep-alive ping
};
inline constexpr std::size_t rejection_kinds = 12;

std::string_view to_string(rejection r);

// True for refusals before a WebSocket exists (an HTTP status answered them); false for limits and
// protocol errors on an open WebSocket (a close code or a drop answered them).
bool is_handshake_rejection(rejection r);

// Message and byte counts by direction and type. Bumped once per message, so each thread adds to a
// cache line of its own (no lock, no line bouncing between cores); readers add the shards up.
class traffic_counters
{
public:
    struct totals
    {
        // Index 0: text, 1: binary.
        std::array<std::uint64_t, 2> messages_received{}, bytes_received{}, messages_sent{}, bytes_sent{};
    };

    void received(bool text, std::size_t bytes) { add(text ? 0 : 2, 1, bytes); }
    void sent(bool text, std::size_t bytes) { add(text ? 4 : 6, 1, bytes); }
    // A batch of echoes whose write completed.
    void sent_many(bool text, std::uint64_t messages, std::uint64_t bytes)
    {
        add(text ? 4 : 6, messages, bytes);
    }
    totals sum() const;

private:
    struct alignas(64) shard
    {
        // messages, bytes for: received text, received binary, sent text, sent binary.
        std::array<std::atomic<std::uint64_t>, 8> counts{};
    };
    static constexpr std::size_t shard_count = 16;

    void add(std::size_t first, std::uint64_t messages, std::uint64_t bytes)
    {
        auto& s = shards_[this_thread_shard()];
        s.counts[first].fetch_add(messages, std::memory_order_relaxed);
        s.counts[first + 1].fetch_add(bytes, std::memory_order_relaxed);
    }
    static std::size_t this_thread_shard();

    std::array<shard, shard_count> shards_{};
};

// Echo turnaround: from the first byte of a message read to the last byte of its echo written. Observed once
// per completed write, for every message it carried, so the hot path pays one clock read and a few relaxed
// adds per write; sharded per thread like traffic_counters. Bounds in seconds (Prometheus' `le`).
class turnaround_histogram
{
public:
    static constexpr std::array<double, 9> upper_bounds{
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.1, 1.0};
    struct totals
    {
        std::array<std::uint64_t, upper_bounds.size() + 1> per_bucket{};  // not cumulative; the last is +Inf
        std::uint64_t count = 0;
        double sum_seconds = 0;
    };

    void observe(std::chrono::nanoseconds took, std::uint64_t messages) noexcept;
    totals sum() const;

private:
    struct alignas(64) shard
    {
        std::array<std::atomic<std::uint64_t>, upper_bounds.size() + 1> per_bucket{};
        std::atomic<std::uint64_t> sum_ns{0};
    };
    std::array<shard, 16> shards_{};
};

// Close codes by code, sent and received. Bumped once per connection, so a mutex is cheap enough.
class close_code_counters
{
public:
    void sent(std::uint16_t code) { add(sent_, code); }
    void received(std::uint16_t code) { add(received_, code); }
    std::map<std::uint16_t, std::uint64_t> sent_by_code() const { return snapshot(sent_); }
    std::map<std::uint16_t, std::uint64_t> received_by_code() const { return snapshot(received_); }

private:
    void add(std::map<std::uint16_t, std::uint64_t>& counts, std::uint16_t code)
    {
        std::lock_guard lock(mutex_);
        ++counts[code];
    }
    std::map<std::uint16_t, std::uint64_t> snapshot(const std::map<std::uint16_t, std::uint64_t>& counts
    ) const
    {
        std::lock_guard lock(mutex_);
        return counts;
    }

    mutable std::mutex mutex_;
    std::map<std::uint16_t, std::uint64_t> sent_, received_;
};

// Readable from any thread while the server runs.
struct server_stats
{
    std::atomic<std::uint64_t> accepted{0};  // TCP connections accepted
    std::atomic<std::uint64_t> open{0};      // connections being served now
    std::atomic<std::uint64_t> upgraded{0};  // connections that became WebSockets
    std::atomic<bool> draining{false};       // shutdown has begun: /readyz answers 503
    traffic_counters traffic;
    turnaround_histogram turnaround;
    close_code_counters close_codes;
    std::array<std::atomic<std::uint64_t>, rejection_kinds> rejected{};
    const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    const std::chrono::system_clock::time_point started_wall = std::chrono::system_clock::now();

    void count(rejection r) { rejected[static_cast<std::size_t>(r)].fetch_add(1, std::memory_order_relaxed); }
    std::uint64_t rejections(rejection r) const
    {
        return rejected[static_cast<std::size_t>(r)].load(std::memory_order_relaxed);
    }
};

}  // namespace wsecho
