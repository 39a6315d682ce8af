// File: wsecho/client.hpp — the client of the original Go tutorial: dial, send every interval, log every
// reply, and on stop() close with 1000 and wait a bounded time for the receiver to finish. Beyond the
// tutorial: a message count, any async message source, binary frames, extra headers, subprotocols and
// reconnection with backoff.
#pragma once

#include <wsecho/deflate.hpp>
#include <wsecho/http_header.hpp>
#include <wsecho/net.hpp>
#include <wsecho/tls.hpp>
#include <wsecho/url.hpp>

#include <spdlog/common.h>
#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsecho {

namespace detail {
struct client_state;
}

// One reconnection about to happen: passed to client_options::on_reconnect before the wait.
struct reconnect_attempt
{
    unsigned number = 0;        // 1 for the first attempt after a failure
    unsigned max_attempts = 0;  // reconnect_options::max_attempts
    std::chrono::milliseconds delay{};
    std::string reason;  // why the last connection or dial ended
};

// After a failed dial or a lost connection (no close frame, or the server's close code says "temporary":
// 1001, 1011, 1012, 1013, 1014), wait and dial again. Not after stop(), after the messages ran out, or after
// the server closed otherwise (1000, or a code that would only repeat, such as 1002 or 1009).
struct reconnect_options
{
    bool enabled = false;
    // Consecutive attempts; a connection that completes its handshake starts the count anew.
    unsigned max_attempts = 5;
    // Attempt n waits between half and all of min(base_delay * 2^(n-1), max_delay) (see detail/backoff.hpp).
    std::chrono::milliseconds base_delay = std::chrono::milliseconds(500);
    std::chrono::milliseconds max_delay = std::chrono::seconds(30);
};

struct client_options
{
    ws_url url{.host = "localhost", .port = "8080", .target = "/socket"};
    // Sent every `interval`, the first one after one interval (like Go's time.Ticker).
    // "{n}" is replaced by the message's sequence number, counted from 1.
    std::string message = "Hello from wsecho-client #{n}";
    std::chrono::milliseconds interval = std::chrono::seconds(1);
    // Bounds resolve + TCP connect + WebSocket handshake together.
    std::chrono::milliseconds connect_timeout = std::chrono::seconds(5);
    // After stop(): how long to wait for the server's close reply and the receive loop to end. After the
    // last message (`count`, or `next_message` ran out) it also bounds the wait for the replies.
    std::chrono::milliseconds close_timeout = std::chrono::seconds(1);
    // Send this many messages, then wait for their replies and close with 1000. 0: no limit.
    std::uint64_t count = 0;
    // Replaces the periodic `message`: each call yields the next message to send as soon as it is ready,
    // or nullopt when there are no more (then the client waits for the replies and closes with 1000, as
    // with `count`). Called on the client's executor; a stop() or a lost connection cancels the call.
    std::function<net::awaitable<std::optional<std::string>>()> next_message;
    // Send binary frames instead of text (text frames must be valid UTF-8; binary ones may hold anything).
    bool binary = false;
    // Added to the upgrade request; a header named like a default one (User-Agent, Host) replaces it.
    // The client's constructor throws std::invalid_argument for one that check_http_header() refuses.
    std::vector<http_header> headers;
    // Offered in Sec-WebSocket-Protocol, in order of preference; the server's choice is in the report. A
    // server that picks one not offered fails the dial (RFC 6455 §4.1). Names must be tokens.
    std::vector<std::string> subprotocols;
    reconnect_options reconnect;
    // For wss:// URLs: the CAs to trust (the system's by default) and whether to verify at all. The
    // constructor throws std::runtime_error for a CA file it cannot load.
    client_tls_options tls;
    // Ask for permessage-deflate (RFC 7692); the server may decline, and the connection goes on uncompressed.
    deflate_options deflate;
    // Where the library logs; null means spdlog::default_logger().
    std::shared_ptr<spdlog::logger> logger;
    // The level of each "Received: ..." line.
    spdlog::level::level_enum reply_log_level = spdlog::level::info;
    // Called for every reply, after it is logged. Optional.
    std::function<void(std::string_view payload, bool text)> on_message;
    // Called before each reconnection wait. Optional.
    std::function<void(const reconnect_attempt&)> on_reconnect;
};

// How the close path ended after stop().
enum class close_outcome
{
    not_needed,         // stop() was never called, or the connection was gone already
    receiver_finished,  // the server answered our close and the receive loop ended in time
    timed_out,          // close_timeout passed first; the socket was closed without the handshake
};

// With reconnection, the counters add up over every connection and the rest describes the last one.
struct client_report
{
    // Set when the connection was never established; `failed_step` says where it failed.
    error_code dial_error;
    std::string failed_step;  // "resolve", "connect", "TLS handshake" or "handshake"
    std::string dial_detail;  // e.g. the HTTP status a server answered instead of upgrading
    bool stopped_before_connected = false;

    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    close_outcome close = close_outcome::not_needed;
    // When the server ended the connection first: its close code (if it sent one) or the error.
    std::optional<std::uint16_t> server_close_code;
    std::string server_close_reason;
    // server_close_code is one no peer may send (above 4999, RFC 6455 §7.4): the client refused it as a
    // protocol error, answering with close 1002 instead of echoing it.
    bool server_close_refused = false;
    error_code connection_error;
    std::string subprotocol;  // what the server chose; empty when none (or none was offered)
    std::string extensions;   // what the server agreed to (permessage-deflate and its parameters), if any

    std::uint64_t connections = 0;   // handshakes that succeeded
    unsigned reconnects = 0;         // reconnection waits started
    bool messages_finished = false;  // `count` was reached or `next_message` ran out: the client closed

    bool connected() const noexcept { return !dial_error && !stopped_before_connected; }
};

// @par Thread Safety
// run() must be awaited on `ex` (a strand when several threads run the context); stop() is safe
// from any thread, including a signal handler's completion handler.
class client
{
public:
    // Throws std::invalid_argument for a header or subprotocol that cannot go into the upgrade request, and
    // std::runtime_error for a wss:// URL whose CA file cannot be loaded.
    client(net::any_io_executor ex, client_options opts);
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    // The dialer: dials (one wsecho::dial per attempt), then runs the receive loop, the sender and the
    // close path concurrently until stop(), until the messages run out or until the server goes away; with
    // reconnection enabled, dials again as reconnect_options says.
    net::awaitable<client_report> run();

    // Starts the close path (close frame 1000, bounded wait), or ends a dial or a reconnection wait at
    // once. Idempotent. run() is one-shot: a client that has been stopped stays stopped.
    void stop();

private:
    std::shared_ptr<detail::client_state> state_;
};

// "Hello #{n}" with n = 3 → "Hello #3".
std::string format_message(std::string_view pattern, std::uint64_t sequence);

// One line for a failed dial: "cannot connect to ws://localhost:8080/socket: Connection refused".
std::string describe_dial_failure(const client_report& report, const client_options& opts);

// Whether a server's close code means "come back later" (1001, 1011, 1012, 1013, 1014): see reconnect_options.
bool is_transient_close_code(std::uint16_t code);

}  // namespace wsecho
