// File: wsecho/server.hpp — the echo server: a listener coroutine that spawns one session per connection.
#pragma once

#include <wsecho/deflate.hpp>
#include <wsecho/net.hpp>
#include <wsecho/stats.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wsecho {

namespace detail {
struct server_state;
}

// How one connection ended, handed to server_options::on_session_end (and logged at info).
struct session_summary
{
    std::uint64_t id = 0;        // connection number, counted from 1 per server
    std::string peer;            // "address:port"
    bool upgraded = false;       // false: it only spoke plain HTTP (index page, 404, ...)
    std::uint64_t messages = 0;  // messages echoed
    std::uint64_t bytes = 0;     // payload bytes echoed
    std::uint64_t unechoed =
        0;  // messages completed after our close frame (shutdown): RFC 6455 forbids echoing
    std::optional<std::uint16_t> close_code;  // the peer's close code, when it closed with a handshake
    std::string close_reason;
    std::optional<std::uint16_t>
        close_sent;                     // the close code we sent (our echo of the peer's, 1001, 1002, ...)
    error_code error;                   // why it ended otherwise (eof, reset, timeout, protocol error, ...)
    std::optional<rejection> rejected;  // set when we refused or dropped the peer (logged at warn)
};

// The application's turn with each message before it is echoed: it may rewrite `payload` in place (e.g.
// upper-case it, or clear() it and write a new one) and change `text`. Whatever it leaves is echoed as one
// frame; a handler that sets `text` must leave valid UTF-8 (peers close with 1007 otherwise).
// It runs on the session's executor, so different sessions call it concurrently when several threads run
// the server, and it must not throw: it is called from a noexcept function (std::terminate).
using message_handler = std::function<void(beast::flat_buffer& payload, bool& text)>;

struct server_options
{
    // Where to listen. "localhost" resolves like Go's net.Listen: the first IPv4 address wins.
    // An empty host listens on every interface.
    std::string host = "localhost";
    // 0 asks the kernel for a free port; server::local_endpoint() tells which.
    std::uint16_t port = 8080;
    // Bounds each plain HTTP request and the upgrade, and later the closing handshake (slowloris).
    std::chrono::milliseconds handshake_timeout = std::chrono::seconds(10);
    // A silent peer gets a ping after 1/2 to 1 1/8 of this, and is dropped after 1 to 1 3/4 of it (the rule
    // ticks every half timeout per session, looked at when one clock for the whole server rings, every 1/8;
    // nothing per message; see detail/keep_alive.hpp). Zero: never. The same clock gives back a quiet
    // session's large-message buffer (it rings every 1/8 of this, or of the default when this is zero).
    std::chrono::milliseconds idle_timeout = std::chrono::seconds(60);
    // Larger messages are refused with close 1009 (Beast's default; gorilla has none, Node ws 100 MiB).
    // With permessage-deflate it bounds the inflated size, so a decompression bomb gets 1009 too.
    std::size_t max_message_bytes = 16u << 20;
    // permessage-deflate, offered to clients that ask for it. Off by default.
    deflate_options deflate;
    // PEM files; when both are set the listener speaks TLS only (wss:// and https://). A file that cannot
    // be loaded makes the constructor throw, naming it.
    std::string tls_cert_file;
    std::string tls_key_file;
    // Larger request headers are refused with 431. Browsers with many cookies stay well under 8 KiB.
    std::uint32_t max_header_bytes = 8u << 10;
    // Connections beyond this many get 503 before any upgrade; they never exhaust file descriptors.
    std::size_t max_connections = 10000;
    // Besides pages from the server's own origin (Origin host == Host), browser origins that may open the
    // WebSocket, e.g. "https://app.example.com"; "*" allows any. Requests without Origin (non-browser
    // clients) are always allowed. The default refuses cross-site pages, like gorilla's CheckOrigin.
    std::vector<std::string> allowed_origins;
    // Set when more than one thread runs the io_context: each session then runs on a strand of its own
    // (its echo loop, its timers and the operands of its `||` share it). With one thread no strand is needed.
    bool multithreaded = false;
    // Where the library logs; null means spdlog::default_logger().
    std::shared_ptr<spdlog::logger> logger;
    // Called on the session's executor when each connection ends. Optional.
    std::function<void(const session_summary&)> on_session_end;
    // Rewrites each message before it is echoed (see message_handler). Empty: plain echo, at the cost of
    // one branch per message.
    message_handler on_message;
};

// Binds in the constructor so that errors (port in use, bad address) surface before anything runs.
//
// @par Thread Safety
// The listener runs on a strand of the server's own, whatever executor run() is awaited on, and stop()
// posts to that strand, so both are safe from any thread. Sessions run on the executor given to the
// constructor, or on a strand each when server_options::multithreaded is set.
class server
{
public:
    // Throws std::system_error "cannot listen on HOST:PORT: <reason>" when it cannot bind, and
    // std::runtime_error when a TLS file cannot be loaded.
    server(net::any_io_executor ex, server_options opts);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    tcp::endpoint local_endpoint() const;

    // Live counters; safe to read from any thread while the server runs.
    const server_stats& stats() const;

    // The listener coroutine: accepts until stop(), spawning one session coroutine per connection.
    net::awaitable<void> run();

    // Stops accepting (asynchronously, on the listener's strand). Sessions in progress carry on until their
    // peers close.
    void stop();

    // Graceful shutdown: stops accepting, turns /readyz to 503, and asks every session to finish the
    // echo in progress and close with 1001 ("going away"). Waits up to `drain_timeout` for the close
    // handshakes, then closes the connections that are left. Completes when every session has ended
    // (or a short grace period after that forced close). Safe from any thread.
    net::awaitable<void> shutdown(std::chrono::milliseconds drain_timeout);

private:
    std::shared_ptr<detail::server_state> state_;  // defined in lib/src/server_state.hpp
};

}  // namespace wsecho
