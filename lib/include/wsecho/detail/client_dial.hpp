// File: wsecho/detail/client_dial.hpp — the client's dial: resolve, connect, upgrade (with the extra headers
// and offered subprotocols), and the check of the server's subprotocol choice.
#pragma once

#include <wsecho/client.hpp>
#include <wsecho/net.hpp>

#include <string>

namespace wsecho::detail {

struct dial_outcome
{
    error_code ec;
    std::string step;         // where it failed: "resolve", "connect" or "handshake"
    std::string detail;       // what the server did instead of upgrading as asked
    std::string subprotocol;  // the server's choice, on success
};

// The TCP deadline (connect_timeout) covers connect and handshake; on success the WebSocket's own
// timeouts are in place instead.
net::awaitable<dial_outcome> dial(websocket::stream<beast::tcp_stream>& ws, const client_options& opts);

}  // namespace wsecho::detail
