// File: wsecho/detail/client_loops.hpp — the client's shared state and its receive loop.
//
// Templated on the WebSocket stream so the fuzz target (tests/fuzz/client_receive_fuzz.cpp) runs the very
// same loop over beast::test::stream; the ws:// and wss:// instantiations are compiled once, in client.cpp.
#pragma once

#include <wsecho/client.hpp>
#include <wsecho/detail/wakeup.hpp>
#include <wsecho/dial.hpp>
#include <wsecho/version.hpp>
#include <wsecho/net.hpp>

#include <spdlog/logger.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace wsecho::detail {

// What the client's coroutines share; owned by wsecho::client, kept alive by run()'s frame. The events and
// counters marked "per connection" start afresh with each connection (begin_connection).
struct client_state
{
    net::any_io_executor ex;
    client_options opts;
    dial_options dial;                          // made from opts once
    std::shared_ptr<net::ssl::context> tls;     // for wss:// URLs only
    std::shared_ptr<spdlog::logger> log;
    event stop_requested;  // set by client::stop()
    event receiver_done;   // per connection: set when the receive loop ends, for whatever reason
    event sending_done;    // per connection: the last message is out and answered (or waited for): close
    wakeup reply_arrived;  // notified by the receive loop for every message
    std::uint64_t sent_before = 0;      // per connection: report.sent when it began
    std::uint64_t received_before = 0;  // per connection: report.received when it began
    std::uint64_t sequence = 0;         // messages the periodic source made so far ({n} of the last one)
    std::optional<std::string> unsent;  // taken from the source but not written yet: goes first next time
    bool close_started = false;  // per connection: our close frame is out or queued (Beast allows one)
    bool close_refused = false;  // per connection: the server's close code was out of range; we sent 1002

    client_state(net::any_io_executor e, client_options o)
        : ex(std::move(e)), opts(std::move(o)),
          dial{.url = opts.url,
               .connect_timeout = opts.connect_timeout,
               .user_agent = std::string("wsecho-client/") + version,
               .headers = opts.headers,
               .subprotocols = opts.subprotocols},
          log(opts.logger ? opts.logger : spdlog::default_logger()),
          stop_requested(ex), receiver_done(ex), sending_done(ex), reply_arrived(ex)
    {
    }

    void begin_connection(const client_report& report)
    {
        receiver_done = event(ex);
        sending_done = event(ex);
        sent_before = report.sent;
        received_before = report.received;
        close_started = false;
        close_refused = false;
    }

    // Whether the connection is ending because we asked: a read ending with `closed` or `operation_aborted`
    // is then the close handshake we started, not the server leaving.
    bool closing() const noexcept { return stop_requested.is_set() || sending_done.is_set(); }
};

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
        if (kind != websocket::frame_type::close || ws.reason().code <= max_peer_close_code || s.close_started)
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
                s.log->warn("server closed the connection with code {} '{}', which RFC 6455 does not allow: "
                            "refused as a protocol error (answered with close 1002)",
                            *report.server_close_code, report.server_close_reason);
                break;
            }
            if (s.closing() && (ec == net::error::operation_aborted || ec == websocket::error::closed))
                break;  // the ending our own close asked for
            if (ec == websocket::error::closed)
            {
                report.server_close_code = received_close_code(ws.reason());
                report.server_close_reason = std::string(ws.reason().reason.c_str());
                s.log->info("server closed the connection: code {} '{}'", *report.server_close_code,
                            report.server_close_reason);
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

extern template net::awaitable<void> receive_loop<ws_stream>(ws_stream&, client_state&, client_report&);
extern template net::awaitable<void> receive_loop<wss_stream>(wss_stream&, client_state&, client_report&);

}  // namespace wsecho::detail
