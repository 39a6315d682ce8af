// File: wsecho/detail/upgrade.hpp — the opening handshake (RFC 6455 §4.2): checks an upgrade request,
// negotiates permessage-deflate, and writes the 101 or the refusal. After this the connection speaks the
// codec's frames (codec/connection.hpp), not HTTP.
#pragma once

#include <wsecho/codec/byte_buffer.hpp>
#include <wsecho/codec/connection.hpp>

#include <wsecho/detail/session_context.hpp>

#include <optional>
#include <string>

namespace wsecho::detail {

struct upgrade_decision
{
    // Set when the request breaks RFC 6455 §4.2.1: 400, or 426 naming version 13. The connection then ends.
    std::optional<http_response> refusal;
    error_code error;  // why it was refused, for the session's log line
    // Otherwise: the 101 to write, and what the connection's codec needs.
    std::string accept;  // the whole 101 response, headers and blank line
    codec::connection_options options;
};

// A pure function of the request and the server's settings.
upgrade_decision decide_upgrade(const http_request& req, const session_config& cfg);

// Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2 item 5.4): base64(SHA-1(key + GUID)).
std::string websocket_accept_key(std::string_view key);

// Writes the 101 (or the refusal). True: the connection is a WebSocket now.
template <class Stream>
net::awaitable<bool> answer_upgrade(Stream& stream, const upgrade_decision& decision, session_context& ctx)
{
    if (decision.refusal)
    {
        ctx.summary.error = decision.error;
        co_await http::async_write(stream, *decision.refusal, use_nothrow_awaitable);
        co_return false;
    }
    auto [ec, n] = co_await net::async_write(stream, net::buffer(decision.accept), use_nothrow_awaitable);
    if (ec)
    {
        ctx.summary.error = ec;
        co_return false;
    }
    ctx.summary.upgraded = true;
    if (ctx.config->stats)
        ctx.config->stats->upgraded.fetch_add(1, std::memory_order_relaxed);
    ctx.config->log->info("#{} {} connected", ctx.summary.id, ctx.summary.peer);
    co_return true;
}

}  // namespace wsecho::detail
