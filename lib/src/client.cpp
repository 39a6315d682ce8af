// File: client.cpp — the dialer coroutine (with reconnection) and the three concurrent parts of a connection:
// receive loop, sender and close path, joined with `&&`; races (next message vs stop, close vs deadline) use
// `||`. A connection's coroutines are templates over the stream, compiled for ws:// and wss://. The receive
// loop and the state they share are in detail/client_loops.hpp (so the fuzz target runs the same loop); the
// dial is wsecho::dial (dial.cpp); resetting, describing and judging an attempt, client_attempts.cpp.
#include "client_attempts.hpp"

#include <wsecho/backoff.hpp>
#include <wsecho/client.hpp>
#include <wsecho/deflate.hpp>
#include <wsecho/detail/client_loops.hpp>
#include <wsecho/detail/endpoint.hpp>
#include <wsecho/detail/wakeup.hpp>
#include <wsecho/duration.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <random>
#include <stdexcept>

namespace wsecho {

namespace detail {

// The receive loop (client_loops.hpp) for ws:// and wss://, compiled here once.
template net::awaitable<void> receive_loop<ws_stream>(ws_stream&, client_state&, client_report&);
template net::awaitable<void> receive_loop<wss_stream>(wss_stream&, client_state&, client_report&);

}  // namespace detail

namespace {

using namespace net::experimental::awaitable_operators;
using detail::client_state;
using detail::receive_loop;
using clock_type = std::chrono::steady_clock;

// The tutorial's message source: `message` with {n} filled in, one interval apart, the first one interval
// after connecting (like Go's time.Ticker). {n} goes on counting over reconnections.
class periodic_messages
{
public:
    periodic_messages(const net::any_io_executor& ex, client_state& s)
        : tick_(ex), s_(s), next_(clock_type::now() + s.opts.interval)
    {
    }

    net::awaitable<std::optional<std::string>> next()
    {
        tick_.expires_at(next_);
        if (auto [ec] = co_await tick_.async_wait(use_nothrow_awaitable); ec)
            co_return std::nullopt;  // cancelled: the caller is stopping
        // Like Go's Ticker: a late tick is not made up for with a burst.
        next_ = std::max(next_ + s_.opts.interval, clock_type::now());
        co_return format_message(s_.opts.message, ++s_.sequence);
    }

private:
    net::steady_timer tick_;
    client_state& s_;
    clock_type::time_point next_;
};

// Completes once every message this connection sent has been answered.
net::awaitable<void> replies_caught_up(client_state& s, const client_report& report)
{
    while (report.received - s.received_before < report.sent - s.sent_before)
        co_await s.reply_arrived.wait();
}

// After the last message: waits at most close_timeout for the replies still missing, then lets
// close_on_stop close with 1000.
net::awaitable<void> finish_sending(client_state& s, client_report& report)
{
    report.messages_finished = true;
    auto finished = co_await (replies_caught_up(s, report) || s.stop_requested.wait() || s.receiver_done.wait() ||
                              detail::timeout(s.opts.close_timeout));
    if (finished.index() == 3)
        s.log->warn("{} of {} replies still missing after {}; closing anyway",
                    (report.sent - s.sent_before) - (report.received - s.received_before), report.sent - s.sent_before,
                    format_duration(s.opts.close_timeout));
    s.sending_done.set();
}

// Sends what the source yields until it runs out (or `count` is reached), stop() or the end of the
// connection. The write sits outside any `||`, so a frame is never cancelled halfway through.
template <class WebSocket>
net::awaitable<void> send_loop(WebSocket& ws, client_state& s, client_report& report)
{
    ws.binary(s.opts.binary);
    periodic_messages ticker(ws.get_executor(), s);
    auto next_message = [&] { return s.opts.next_message ? s.opts.next_message() : ticker.next(); };
    for (;;)
    {
        if (!s.unsent)
        {
            if (s.opts.count != 0 && report.sent >= s.opts.count)
                break;
            auto next = co_await (next_message() || s.stop_requested.wait() || s.receiver_done.wait());
            if (next.index() != 0)
                co_return;  // stop() or the end of the connection
            s.unsent = std::move(std::get<0>(next));
            if (!s.unsent)
                break;  // the source has no more
            if (s.stop_requested.is_set() || s.receiver_done.is_set() || s.close_started)
                co_return;  // kept in `unsent` for a reconnection
        }
        if (auto [ec, size] = co_await ws.async_write(net::buffer(*s.unsent), use_nothrow_awaitable); ec)
        {
            if (!s.stop_requested.is_set() && !s.close_started)  // else our close made the write fail
            {
                s.log->warn("send failed: {}", ec.message());
                beast::get_lowest_layer(ws).close();  // so the receive loop ends too
            }
            co_return;
        }
        s.unsent.reset();
        ++report.sent;
    }
    co_await finish_sending(s, report);
}

// Its own coroutine, returning void: Asio 1.81's `&&` does not compile for a tuple-returning left
// operand joined with a void one (awaitable_operators.hpp:198, "5 names provided for structured binding").
template <class WebSocket>
net::awaitable<void> send_close(WebSocket& ws, client_state& s)
{
    if (s.close_started)
        co_return;  // our 1002 refusing the server's close code is out: Beast allows one close
    s.close_started = true;
    // From here on the server's close frame can only be its reply, which the callback lets pass anyway; and with
    // a callback set, Beast 1.81 deadlocks when a read starts on that reply already buffered (it posts before
    // the callback while holding the read lock, our close op takes the write lock and waits for the read lock,
    // the read then waits for the write lock). Without one, the read marks the close received at once and our
    // close op goes straight to the teardown.
    ws.control_callback();
    if (auto [ec] = co_await ws.async_close(websocket::close_code::normal, use_nothrow_awaitable); ec)
        s.log->debug("close handshake ended with: {}", ec.message());
}

// On stop() or after the last message: close frame 1000, then wait at most close_timeout for the
// server's reply and the receive loop's end, like the original's select on done / time.After(time.Second).
template <class WebSocket>
net::awaitable<void> close_on_stop(WebSocket& ws, client_state& s, client_report& report)
{
    co_await (s.stop_requested.wait() || s.sending_done.wait() || s.receiver_done.wait());
    if (s.receiver_done.is_set())
        co_return;  // the connection ended by itself

    const auto limit = format_duration(s.opts.close_timeout);
    // Our close 1002 (refusing the server's close code) may be out already; the wait is bounded all the same.
    const char* close_step = s.close_started ? "close 1002 already sent" : "sending close 1000";
    if (s.stop_requested.is_set())
        s.log->info("interrupted: {}, waiting up to {} for the receiver", close_step, limit);
    else
        s.log->info("sent {} messages: {}, waiting up to {} for the receiver", report.sent, close_step, limit);
    // The close is issued while the receive loop's read is still pending, never after cancelling it:
    // a cancelled WebSocket read leaves the stream unable to send a close frame (Beast 1.81).
    auto finished = co_await ((send_close(ws, s) && s.receiver_done.wait()) || detail::timeout(s.opts.close_timeout));
    if (finished.index() == 0)
    {
        report.close = close_outcome::receiver_finished;
        s.log->info("receiver finished");
        co_return;
    }
    report.close = close_outcome::timed_out;
    s.log->warn("close timed out after {}: the receiver did not finish; closing the socket", limit);
    beast::get_lowest_layer(ws).close();  // ends the pending read, so the receive loop finishes
}

// One dial on `ws` and, if it succeeds, the connection until it ends.
template <class WebSocket>
net::awaitable<void> dial_and_run(WebSocket& ws, client_state& s, client_report& report)
{
    ws.set_option(to_beast_option(s.opts.deflate, false));
    auto dialed = co_await (dial(ws, s.dial) || s.stop_requested.wait());
    if (dialed.index() == 1)
    {
        report.stopped_before_connected = true;
        s.log->info("stopped before the connection to {} was established", s.opts.url.to_string());
        co_return;
    }
    auto& outcome = std::get<0>(dialed);
    if (outcome.ec)
    {
        report.dial_error = outcome.ec;
        report.failed_step = outcome.step;
        report.dial_detail = outcome.detail;
        co_return;
    }
    ++report.connections;
    report.subprotocol = outcome.subprotocol;
    report.extensions = outcome.extensions;
    error_code ignored;
    const auto peer = detail::endpoint_string(beast::get_lowest_layer(ws).socket().remote_endpoint(ignored));
    s.log->info("connected to {} {}", s.opts.url.to_string(), detail::describe_connection(peer, outcome, s.opts));

    s.begin_connection(report);
    co_await (receive_loop(ws, s, report) && send_loop(ws, s, report) && close_on_stop(ws, s, report));
}

// A fresh stream for every attempt: a WebSocket stream cannot be dialled twice.
net::awaitable<void> run_connection(client_state& s, client_report& report)
{
    detail::begin_attempt(report);
    if (s.tls)
    {
        wss_stream ws(s.ex, *s.tls);
        co_await dial_and_run(ws, s, report);
    }
    else
    {
        ws_stream ws(s.ex);
        co_await dial_and_run(ws, s, report);
    }
}

double unit_random()
{
    thread_local std::mt19937 generator{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

}  // namespace

client::client(net::any_io_executor ex, client_options opts)
    : state_(std::make_shared<detail::client_state>(std::move(ex), std::move(opts)))
{
    for (const auto& header : state_->opts.headers)
        if (auto why = check_http_header(header); !why.empty())
            throw std::invalid_argument("header '" + header.name + "': " + why);
    for (const auto& name : state_->opts.subprotocols)
        if (auto why = check_subprotocol(name); !why.empty())
            throw std::invalid_argument(why);
    if (state_->opts.url.secure())
    {
        state_->tls = make_client_tls_context(state_->opts.tls);
        if (state_->opts.tls.insecure)
            state_->log->warn("TLS certificate verification is off (insecure): any server can pose as {}",
                              state_->opts.url.host);
    }
}

client::~client() = default;

void client::stop()
{
    net::post(state_->ex, [s = state_] { s->stop_requested.set(); });
}

net::awaitable<client_report> client::run()
{
    auto s = state_;  // the frame keeps the state alive
    const auto& policy = s->opts.reconnect;
    client_report report;
    for (unsigned failures = 0;;)
    {
        co_await run_connection(*s, report);
        if (report.connected())
            failures = 0;
        if (!detail::should_reconnect(s->opts, s->stop_requested.is_set(), report))
            co_return report;
        if (failures == policy.max_attempts)
        {
            s->log->warn("giving up after {} reconnection attempts", failures);
            co_return report;
        }
        ++failures;
        const reconnect_attempt attempt{failures, policy.max_attempts,
                                        reconnect_delay(failures, policy.base_delay, policy.max_delay, unit_random()),
                                        detail::describe_ending(report, s->opts)};
        ++report.reconnects;
        s->log->warn("{}; reconnecting in {} (attempt {} of {})", attempt.reason, format_duration(attempt.delay),
                     attempt.number, attempt.max_attempts);
        if (s->opts.on_reconnect)
            s->opts.on_reconnect(attempt);
        co_await (detail::timeout(attempt.delay) || s->stop_requested.wait());
        if (s->stop_requested.is_set())
        {
            detail::begin_attempt(report);
            report.stopped_before_connected = true;  // stopping is what the user asked for: not a failure
            s->log->info("stopped while waiting to reconnect to {}", s->opts.url.to_string());
            co_return report;
        }
    }
}

}  // namespace wsecho
