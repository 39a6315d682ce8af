// File: bench/connection.cpp — one wsecho-bench connection: dial, then a writer and a reader joined by
// `&&` (the writer keeps up to --pipeline messages in flight; the reader checks every echo byte for byte),
// then a close handshake once every echo owed has come back.
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <fmt/format.h>

#include <algorithm>

#include "bench/run_state.hpp"

namespace wsecho::bench {

namespace {

using namespace net::experimental::awaitable_operators;

// Until the writer may go on: the reader made room, the load ended, or the connection failed.
net::awaitable<void> wait_for_room(connection& c)
{
    c.writer_waiting = true;
    co_await c.room.wait();
    c.writer_waiting = false;
}

net::awaitable<void> write_messages(run_state& s, connection& c)
{
    const bool paced = s.opts.rate > 0;
    // Open loop: each connection sends every `interval`, the connections staggered across one interval.
    const auto interval = std::chrono::duration_cast<bench_clock::duration>(
        std::chrono::duration<double>(paced ? static_cast<double>(s.opts.connections) / s.opts.rate : 0.0)
    );
    auto due =
        s.load_start + interval * static_cast<long>(c.number - 1) / static_cast<long>(s.opts.connections);

    while (s.sending_allowed(c))
    {
        if (c.flights.full())
        {
            co_await wait_for_room(c);
            continue;
        }
        auto sent_at = bench_clock::now();
        if (paced)
        {
            if (due > sent_at)
            {
                c.pacing.expires_at(due);
                co_await c.pacing.async_wait(use_nothrow_awaitable);
                continue;  // the load may have ended meanwhile
            }
            sent_at = due;  // a send delayed by a full pipeline still counts from when it was due
            due += interval;
        }
        const bool measured = s.current == phase::measure;
        if (measured)
        {
            ++s.report.measured_sent;
            if (s.opts.messages)
                --c.quota;
        }
        ++s.report.sent;
        s.message.stamp(c.outgoing, c.next_sequence++);
        c.flights.push({sent_at, measured});
        // The client role masks a copy, so `outgoing` may be restamped as soon as this returns.
        if (auto [ec, n] = co_await c.ws.async_write(net::buffer(c.outgoing), use_nothrow_awaitable); ec)
        {
            // A server that failed the connection (1009 for a message over its limit) closes the socket
            // after its close frame; the reader's pending read has that frame and reports its code.
            if (ec != net::error::broken_pipe && ec != net::error::connection_reset)
                s.fail(c, failure::connection_error, "write failed: " + ec.message());
            co_return;
        }
    }

    while (!c.failed && !c.flights.empty())
        co_await wait_for_room(c);
    if (c.failed)
        co_return;
    // The close goes out while the reader's read is pending, never after cancelling it: a cancelled
    // WebSocket read leaves the stream unable to close (Beast 1.81). The pending read then ends.
    c.closing = true;
    c.close_started = bench_clock::now();
    if (auto [ec] = co_await c.ws.async_close(websocket::close_code::normal, use_nothrow_awaitable); ec)
        s.fail(c, failure::connection_error, "close failed: " + ec.message());
}

void reading_ended(run_state& s, connection& c, const error_code& ec)
{
    if (c.failed)
        return;  // already counted: the watchdog or the writer closed the socket
    if (c.closing && (ec == net::error::operation_aborted || ec == websocket::error::closed))
        return;  // our own close
    // Failing the connection, a server tears down without awaiting our close reply, so the read may end
    // with a broken pipe after the close frame has arrived: its code is what happened.
    if (ec == websocket::error::closed || c.ws.reason().code != websocket::close_code::none)
    {
        const auto code = received_close_code(c.ws.reason());
        s.fail(
            c,
            failure::closed_by_server,
            fmt::format(
                "closed by the server with {} '{}'",
                code,
                std::string(c.ws.reason().reason.data(), c.ws.reason().reason.size())
            ),
            code
        );
        return;
    }
    s.fail(c, failure::connection_error, "read failed: " + ec.message());
}

void check_echo(run_state& s, connection& c, const beast::flat_buffer& buffer, std::size_t size)
{
    const auto now = bench_clock::now();
    ++s.report.received;
    if (c.flights.empty())
    {
        ++s.report.errors.mismatch;
        s.note_error(fmt::format("connection #{}: an echo of a message never sent ({} B)", c.number, size));
        return;
    }
    const auto flight = c.flights.front();
    c.flights.pop();
    const auto sequence = c.expected_sequence++;
    std::size_t at = 0;
    const std::span<const char> echo(static_cast<const char*>(buffer.data().data()), size);
    if (auto verdict = s.message.check(echo, c.ws.got_text(), sequence, &at); verdict != echo_verdict::ok)
    {
        ++s.report.errors.mismatch;
        s.note_error(fmt::format(
            "connection #{}: echo of message {} mismatched: {}{}",
            c.number,
            sequence,
            describe(verdict),
            verdict == echo_verdict::wrong_bytes || verdict == echo_verdict::wrong_sequence
                ? fmt::format(" (first at byte {})", at)
                : fmt::format(" ({} B, {})", size, c.ws.got_text() ? "text" : "binary")
        ));
        return;
    }
    if (!flight.measured)
        return;
    ++s.report.measured_received;
    s.report.measured_bytes += size;
    s.report.latency_ns.record(static_cast<std::uint64_t>(std::max<std::int64_t>(
        0, std::chrono::duration_cast<std::chrono::nanoseconds>(now - flight.sent).count()
    )));
    s.last_measured_echo = now;
}

net::awaitable<void> read_echoes(run_state& s, connection& c)
{
    beast::flat_buffer buffer;
    for (;;)
    {
        auto [ec, size] = co_await c.ws.async_read(buffer, use_nothrow_awaitable);
        if (ec)
        {
            reading_ended(s, c, ec);
            co_return;
        }
        check_echo(s, c, buffer, size);
        buffer.consume(size);
        if (c.writer_waiting)
            c.room.notify_all();
    }
}

// Throughput settings: whole frames (no 4 KiB fragments), a write buffer that takes a frame in one piece,
// and the fast masking PRNG (a benchmark needs no unpredictable masks).
void tune(ws_stream& ws, const bench_options& opts)
{
    ws.auto_fragment(false);
    ws.write_buffer_bytes(std::clamp<std::size_t>(opts.size + 16, 4096, std::size_t{1} << 20));
    ws.secure_prng(false);
    ws.read_message_max(opts.size + 1024);  // anything larger is not our echo
    ws.text(opts.text);
}

}  // namespace

net::awaitable<void> run_connection(run_state& s, connection& c)
{
    if (auto result = co_await dial(c.ws, s.opts.dial); !result)
        s.fail(c, failure::connect_failed, describe(result, s.opts.dial));
    else
    {
        ++s.report.connected;
        tune(c.ws, s.opts);
    }
    s.dialed();
    if (c.failed)
        co_return;
    co_await s.all_dialed.wait();
    co_await (write_messages(s, c) && read_echoes(s, c));
}

}  // namespace wsecho::bench
