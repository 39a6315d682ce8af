// File: wsecho/dial.hpp — resolve, connect, (TLS) and upgrade one WebSocket client connection, as a coroutine
// any client-side program can reuse: wsecho::client dials with it, wsecho-bench opens many connections with it.
#pragma once

#include <wsecho/http_header.hpp>
#include <wsecho/net.hpp>
#include <wsecho/url.hpp>

#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace wsecho {

// ws:// and wss:// connections; a wss_stream is built on a client TLS context (see tls.hpp).
using ws_stream = websocket::stream<beast::tcp_stream>;
using wss_stream = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

struct dial_options
{
    ws_url url;
    // Bounds the TCP connect, the TLS handshake and the WebSocket handshake together (the name lookup is
    // outside: Asio 1.81's resolver cannot be cancelled).
    std::chrono::milliseconds connect_timeout = std::chrono::seconds(5);
    std::string user_agent = "wsecho";
    // Added to the upgrade request; one named like a default (User-Agent, Host) replaces it. Check them with
    // check_http_header() first.
    std::vector<http_header> headers;
    // Offered in Sec-WebSocket-Protocol, in order of preference. A server that picks one not offered fails
    // the dial (RFC 6455 §4.1).
    std::vector<std::string> subprotocols;
};

struct dial_result
{
    error_code ec;            // empty on success
    std::string step;         // where it failed: "resolve", "connect", "TLS handshake" or "handshake"
    std::string detail;       // why, when the error code alone would not say: the status a server answered
                              // instead of upgrading, the certificate check that failed
    std::string subprotocol;  // on success: the server's choice, empty when none
    std::string extensions;   // on success: the negotiated Sec-WebSocket-Extensions (permessage-deflate)

    explicit operator bool() const noexcept { return !ec; }
};

/**
 * Dials `opts.url` on `ws`: resolve, connect (TCP_NODELAY on), the WebSocket handshake. Options set on the
 * stream before (permessage-deflate, limits) apply. On success the TCP deadline is off and Beast's
 * suggested client timeouts apply.
 *
 * @par Thread Safety
 * Await it on the stream's executor (its strand when several threads run the context).
 */
net::awaitable<dial_result> dial(ws_stream& ws, const dial_options& opts);

/**
 * The same over TLS: between connect and upgrade, a TLS handshake that sends the host as SNI (unless it is
 * an IP address) and, when the stream's context verifies peers, checks that the certificate names the host
 * (DNS name or IP address). A failed check is step "TLS handshake" with OpenSSL's reason in `detail`
 * ("certificate verify failed: unable to get local issuer certificate").
 */
net::awaitable<dial_result> dial(wss_stream& ws, const dial_options& opts);

// "cannot connect to ws://127.0.0.1:1/socket: Connection refused" and the like, in one line.
std::string describe(const dial_result& result, const dial_options& opts);

}  // namespace wsecho
