// File: wsecho/dial.hpp — resolve, connect and upgrade one WebSocket client connection, as a coroutine
// any client-side program can reuse (wsecho-bench opens many connections with it).
#pragma once

#include <wsecho/net.hpp>
#include <wsecho/url.hpp>

#include <chrono>
#include <string>

namespace wsecho {

struct dial_options
{
    ws_url url;
    // Bounds the TCP connect and the WebSocket handshake together (the name lookup is outside: Asio
    // 1.81's resolver cannot be cancelled).
    std::chrono::milliseconds connect_timeout = std::chrono::seconds(5);
    std::string user_agent = "wsecho";
};

struct dial_result
{
    error_code ec;       // empty on success
    std::string step;    // where it failed: "resolve", "connect" or "handshake"
    std::string detail;  // what the server answered instead of upgrading, if it did

    explicit operator bool() const noexcept { return !ec; }
};

/**
 * Dials `opts.url` on `ws`: resolve, connect (TCP_NODELAY on), WebSocket handshake. On success the TCP
 * deadline is off and Beast's suggested client timeouts apply.
 *
 * @par Thread Safety
 * Await it on the stream's executor (its strand when several threads run the context).
 */
net::awaitable<dial_result> dial(websocket::stream<beast::tcp_stream>& ws, const dial_options& opts);

// "cannot connect to ws://127.0.0.1:1/socket: Connection refused" and the like, in one line.
std::string describe(const dial_result& result, const dial_options& opts);

}  // namespace wsecho
