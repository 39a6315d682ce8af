// File: wsecho/stats.hpp — the server's counters: connections, echoes, and every rejection by reason.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace wsecho {

// Why a peer was refused or dropped. Each has a warn log line naming the peer, and a counter.
enum class rejection : std::uint8_t
{
    bad_request,         // 400: not HTTP, or a malformed request
    header_too_large,    // 431: headers over max_header_bytes
    body_too_large,      // 413: a request body over the limit
    request_timeout,     // no complete request within handshake_timeout (slowloris)
    handshake_failed,    // the upgrade broke RFC 6455 (400, or 426 for another version)
    origin_not_allowed,  // 403: a browser page from another origin (cross-site WebSocket hijacking)
    over_capacity,       // 503: max_connections reached
    message_too_big,     // close 1009: a message over max_message_bytes
    protocol_error,      // close 1002: a frame breaking RFC 6455
    invalid_utf8,        // close 1007: a text message or close reason that is not UTF-8
    idle_timeout,        // the peer answered neither data nor our keep-alive ping
};
inline constexpr std::size_t rejection_kinds = 11;

std::string_view to_string(rejection r);

// Relaxed atomics: bumped once per connection (never per message), readable from any thread.
struct server_stats
{
    std::atomic<std::uint64_t> accepted{0};          // TCP connections accepted
    std::atomic<std::uint64_t> open{0};              // connections being served now
    std::atomic<std::uint64_t> upgraded{0};          // connections that became WebSockets
    std::atomic<std::uint64_t> messages_echoed{0};   // added when each connection ends (not per message)
    std::atomic<std::uint64_t> bytes_echoed{0};
    std::array<std::atomic<std::uint64_t>, rejection_kinds> rejected{};

    void count(rejection r) { rejected[static_cast<std::size_t>(r)].fetch_add(1, std::memory_order_relaxed); }
    std::uint64_t rejections(rejection r) const
    {
        return rejected[static_cast<std::size_t>(r)].load(std::memory_order_relaxed);
    }
};

}  // namespace wsecho
