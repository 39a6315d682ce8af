// File: wsecho/detail/client_connection.hpp — one connected client: the receive loop, the send loop and the
// close path, three coroutines joined with `&&` (converse); the races inside them (next message vs stop,
// close vs deadline) use `||`. Dialling and redialling are client.cpp's.
//
// Templates over the WebSocket stream: the fuzz target (tests/fuzz/client_receive_fuzz.cpp) runs the very
// same receive loop over beast::test::stream; the ws:// and wss:// instantiations are compiled once, in
// client_connection.cpp.
#pragma once

#include <wsecho/client.hpp>
#include <wsecho/duration.hpp>
#include <wsecho/net.hpp>
#include <wsecho/wakeup.hpp>

#include <wsecho/detail/client_state.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace wsecho::detail {

// Beast 1.81 accepts every close code from 3000 up and would echo e.g. 5000, which RFC 6455 §7.4 makes a
// protocol error. As the server does (accept_websocket in session.hpp), we start our own close 1002 from
// inside Beast's read: Beast replies to a close only if none of ours went out yet, and runs a queued close
// of ours ahead of its reply, so the bad code is never echoed. Not when our close is out or queued already:
// Beast allows one close per stream, and the server's frame is then only its reply to ours.
// Our close completes first, so the pending read then ends with operation_aborted, not closed; the loop
// reports the refusal from close_refused.
template <class WebSocket>
void refuse_out_of_range_close_codes(WebSocket& ws, client_state& s)
{
    ws.control_callback([&ws, &s](websocket::frame_type kind, beast::string_view) {
        if (kind != websocket::frame_type::close || ws.reason().code <= max_peer_close_code ||
            s.close_started)
            return;
        s.close_started = true;
        s.close_refused = true;
        ws.async_close(websocket::close_code::protocol_error, [](const error_code&) {});
    });
}

// Logs every reply until the connection ends; after our close this ends with operation_aborted.
template <class WebSocket>
net::awaitable<void> receive_loop(WebSocket& ws, client_state& s, client_report& report)
{
    // converse's `||` cancels the read once our close timed out; the loop then ends its own way, through
    // receiver_done, rather than by an exception at its next co_await.
    co_await net::this_coro::throw_if_cancelled(false);
    refuse_out_of_range_close_codes(ws, s);
    beast::flat_buffer buffer;
    for (;;)
    {
        auto [ec, size] = co_await ws.async_read(buffer, use_nothrow_awaitable);
        if (ec)
        {
            if (s.close_refused)
            {
                // Checked first: a stop() that came while our 1002 was out changes nothing about why it ended.
                report.server_close_code = received_close_code(ws.reason());
                report.server_close_reason = std::string(ws.reason().reason.c_str());
                report.server_close_refused = true;
                s.log->warn(
                    "server closed the connection with code {} '{}', which RFC 6455 does not allow: "
                    "refused as a protocol error (answered with close 1002)",
                    *report.server_close_code,
                    report.server_close_reason
                );
                break;
            }
            if (s.closing() && (ec == net::error::operation_aborted || ec == websocket::error::closed))
                break;  // the ending our own close asked for
            if (ec == websocket::error::closed)
            {
                report.server_close_code = received_close_code(ws.reason());
                report.server_close_reason = std::string(ws.reason().reason.c_str());
                s.log->info(
                    "server closed the connection: code {} '{}'",
                    *report.server_close_code,
                    report.server_close_reason
                );
            }
            else
            {
                report.connection_error = ec;
                s.log->warn("connection lost: {}", ec.message());
            }
            break;
        }
        ++report.received;
        std::string_view payload(static_cast<const char*>(buffer.cdata().data()), size);
        if (ws.got_text())
            s.log->log(s.opts.reply_log_level, "Received: {}", payload);
        else
            s.log->log(s.opts.reply_log_level, "Received: <{} bytes of binary>", size);
        if (s.opts.on_message)
            s.opts.on_message(payload, ws.got_text());
        buffer.clear();
        s.reply_arrived.notify_all();
    }
    s.receiver_done.set();
}

// The tutorial's message source: `message` with {n} filled in, one interval apart, the first one interval
// after connecting (like Go's time.Ticker). {n} goes on counting over reconnections.
class message_ticker
{
public:
    message_ticker(const net::any_io_executor& ex, client_state& s)
        : tick_(ex), s_(s), next_(std::chrono::steady_clock::now() + s.opts.interval)
    {}

    net::awaitable<std::optional<std::string>> next()
    {
        tick_.expires_at(next_);
        if (auto [ec] = co_await tick_.async_wait(use_nothrow_awaitable); ec)
            co_return std::nullopt;  // cancelled: the caller is stopping
        // Like Go's Ticker: a late tick is not made up for with a burst.
        next_ = std::max(next_ + s_.opts.interval, std::chrono::steady_clock::now());
        co_return format_message(s_.opts.message, ++s_.sequence);
    }

private:
    net::steady_timer tick_;
    client_state& s_;
    std::chrono::steady_clock::time_point next_;
};

// Completes once every message this connection sent has been answered.
net::awaitable<void> replies_caught_up(client_state& s, const client_report& report);

// After the last message: waits at most close_timeout for the replies still missing, then lets
// close_on_stop close with 1000.
net::awaitable<void> finish_sending(client_state& s, client_report& report);

// Sends what the source yields until it runs out (or `count` is reached), stop() or the end of the
// connection. The write sits outside any `||`, so a frame is never cancelled halfway through.
template <class WebSocket>
net::awaitable<void> send_loop(WebSocket& ws, client_state& s, client_report& report)
{
    using namespace net::experimental::awaitable_operators;
    ws.binary(s.opts.binary);
    message_ticker ticker(ws.get_executor(), s);
    auto next_message = [&] { return s.opts.next_message ? s.opts.next_message() : ticker.next(); };
    for (;;)
    {
        if (!s.unsent)
        {
            if (s.opts.count != 0 && report.sent >= s.opts.count)
                break;
            auto next = co_await (next_message() || s.stop_requested.wait() || s.receiver_done.wait());
            if (next.index() != 0)  // not the message (0) but stop() or the end of the connection
                co_return;
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
    using namespace net::experimental::awaitable_operators;
    co_await (s.stop_requested.wait() || s.sending_done.wait() || s.receiver_done.wait());
    if (s.receiver_done.is_set())
        co_return;  // the connection ended by itself

    const auto limit = format_duration(s.opts.close_timeout);
    // Our close 1002 (refusing the server's close code) may be out already; the wait is bounded all the same.
    const char* close_step = s.close_started ? "close 1002 already sent" : "sending close 1000";
    if (s.stop_requested.is_set())
        s.log->info("interrupted: {}, waiting up to {} for the receiver", close_step, limit);
    else
        s.log->info(
            "sent {} messages: {}, waiting up to {} for the receiver", report.sent, close_step, limit
        );
    // The close is issued while the receive loop's read is still pending, never after cancelling it:
    // a cancelled WebSocket read leaves the stream unable to send a close frame (Beast 1.81).
    auto finished = co_await ((send_close(ws, s) && s.receiver_done.wait()) || timeout(s.opts.close_timeout));
    if (finished.index() == 0)  // the close handshake and the receiver, both before the deadline
    {
        report.close = close_outcome::receiver_finished;
        s.log->info("receiver finished");
        co_return;
    }
    report.close = close_outcome::timed_out;
    s.log->warn("close timed out after {}: the receiver did not finish; closing the socket", limit);
    beast::get_lowest_layer(ws).close();  // ends a read that waits on the socket...
    s.close_timed_out.set();              // ...and converse's `||` cancels one stuck on Beast's locks
}

// The connected phase: receiving, sending and closing run side by side until all three are done.
template <class WebSocket>
net::awaitable<void> converse(WebSocket& ws, client_state& s, client_report& report)
{
    using namespace net::experimental::awaitable_operators;
    s.begin_connection(report);
    co_await (
        (receive_loop(ws, s, report) || s.close_timed_out.wait()) && send_loop(ws, s, report) &&
        close_on_stop(ws, s, report)
    );
}

extern template net::awaitable<void> receive_loop<ws_stream>(ws_stream&, client_state&, client_report&);
extern template net::awaitable<void> receive_loop<wss_stream>(wss_stream&, client_state&, client_report&);
extern template net::awaitable<void> converse<ws_stream>(ws_stream&, client_state&, client_report&);
extern template net::awaitable<void> converse<wss_stream>(wss_stream&, client_state&, client_report&);

}  // namespace wsecho::detail
