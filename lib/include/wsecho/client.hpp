// File: wsecho/client.hpp — the client of the original Go tutorial: dial, send every interval, log every
// reply, and on stop() close with 1000 and wait a bounded time for the receiver to finish.
#pragma once

#include <wsecho/net.hpp>
#include <wsecho/url.hpp>

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace wsecho {

namespace detail {
struct client_state;
}

struct client_options
{
    ws_url url{.host = "localhost", .port = "8080", .target = "/socket"};
    // Sent every `interval`, the first one after one interval (like Go's time.Ticker).
    // "{n}" is replaced by the message's sequence number, counted from 1.
    std::string message = "Hello from wsecho-client #{n}";
    std::chrono::milliseconds interval = std::chrono::seconds(1);
    // Bounds resolve + TCP connect + WebSocket handshake together.
    std::chrono::milliseconds connect_timeout = std::chrono::seconds(5);
    // After stop(): how long to wait for the server's close reply and the receive loop to end.
    std::chrono::milliseconds close_timeout = std::chrono::seconds(1);
    // Where the library logs ("Received: ..." at info); null means spdlog::default_logger().
    std::shared_ptr<spdlog::logger> logger;
    // Called for every reply, after it is logged. Optional.
    std::function<void(std::string_view payload, bool text)> on_message;
};

// How the close path ended after stop().
enum class close_outcome
{
    not_needed,         // stop() was never called, or the connection was gone already
    receiver_finished,  // the server answered our close and the receive loop ended in time
    timed_out,          // close_timeout passed first; the socket was closed without the handshake
};

struct client_report
{
    // Set when the connection was never established; `failed_step` says where it failed.
    error_code dial_error;
    std::string failed_step;  // "resolve", "connect" or "handshake"
    std::string dial_detail;  // e.g. the HTTP status a server answered instead of upgrading
    bool stopped_before_connected = false;

    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    close_outcome close = close_outcome::not_needed;
    // When the server ended the connection first: its close code (if it sent one) or the error.
    std::optional<std::uint16_t> server_close_code;
    std::string server_close_reason;
    error_code connection_error;

    bool connected() const noexcept { return !dial_error && !stopped_before_connected; }
};

// @par Thread Safety
// run() must be awaited on `ex` (a strand when several threads run the context); stop() is safe
// from any thread, including a signal handler's completion handler.
class client
{
public:
    client(net::any_io_executor ex, client_options opts);
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    // The dialer coroutine: connects, then runs the receive loop, the periodic sender and the close
    // path concurrently until stop() or until the server goes away.
    net::awaitable<client_report> run();

    // Starts the close path (close frame 1000, bounded wait). Idempotent. run() is one-shot: a client
    // that has been stopped stays stopped.
    void stop();

private:
    std::shared_ptr<detail::client_state> state_;
};

// "Hello #{n}" with n = 3 → "Hello #3".
std::string format_message(std::string_view pattern, std::uint64_t sequence);

// One line for a failed dial: "cannot connect to ws://localhost:8080/socket: Connection refused".
std::string describe_dial_failure(const client_report& report, const client_options& opts);

}  // namespace wsecho
