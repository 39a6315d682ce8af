// File: wsecho/detail/echo_loop.hpp — the WebSocket half of a session: wait for bytes or for a reason to act,
// read, let the codec turn what was read into echoes, write them with one system call, and again.
//
//     for (;;) {
//         co_await (read_some_into(stream, room, got) || wait_for_attention());
//         echo every message in what was read; flush;
//         act on shutdown, keep-alive and close deadlines;
//     }
//
// The socket is raw TCP (or TLS over it) and the codec keeps the protocol state, so a read that loses the race
// loses nothing: the `||` is safe here, where over Beast's WebSocket stream it killed the stream.
#pragma once

#include <wsecho/codec/connection.hpp>
#include <wsecho/detail/echo_tally.hpp>
#include <wsecho/detail/session_context.hpp>
#include <wsecho/detail/transport.hpp>
#include <wsecho/detail/wakeup.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <algorithm>
#include <cstring>

namespace wsecho::detail {

template <class Stream>
class echo_loop
{
public:
    echo_loop(Stream& stream, codec::connection& protocol, session_context& ctx)
        : stream_(stream), protocol_(protocol), ctx_(ctx), keeper_(ctx.config->idle_timeout, ctx.liveness)
    {
    }

    // `early`: bytes that came behind the upgrade request, in the same read. They are the first frames.
    net::awaitable<void> run(codec::byte_buffer early)
    {
        using namespace net::experimental::awaitable_operators;
        if constexpr (is_plain_tcp<Stream>)
            stream_.non_blocking(true, ctx_.summary.error);
        saved_input_ = std::move(early);
        bool open = saved_input_.empty() || co_await echo(saved_input_.bytes(), false);
        while (open && (open = co_await attend()))
        {
            auto room = protocol_.direct_read_room();
            const bool direct = !room.empty();
            read_outcome got;
            co_await (read_some_into(stream_, direct ? net::buffer(room.data(), room.size()) : net::buffer(landing_), got) ||
                      wait_for_attention());
            if (!got.has_bytes_or_error())
            {
                give_back_memory_if_idle();
                continue;  // woken to act: attend() says on what
            }
            if (got.ec)
            {
                record_error(got.ec);
                break;
            }
            ctx_.liveness.heard_from_peer();
            if (direct)
                open = co_await echo(room.first(got.bytes), false);
            else if constexpr (is_plain_tcp<Stream>)
                open = co_await echo(read_on(got.bytes), true);
            else
                open = co_await echo(std::span<std::byte>(landing_.data(), got.bytes), false);
        }
        record_protocol_outcome(protocol_, ctx_.summary);
        if (protocol_.current_state() == codec::connection::state::closed)
            co_await end_connection();
        else
            beast::close_socket(beast::get_lowest_layer(stream_));
    }

private:
    // Over TCP: what the waiting read got, followed by whatever else the socket holds right now, read without
    // waiting into the thread's buffer, so one parse and one write serve a whole burst.
    std::span<std::byte> read_on(std::size_t landed)
    {
        auto& input = this_thread_buffers().input;
        std::memcpy(input.data(), landing_.data(), landed);
        std::size_t size = landed;
        if (landed == landing_.size())
        {
            error_code ec;  // would_block: nothing more yet; eof or a reset: the next read reports it
            size += stream_.read_some(net::buffer(input.data() + landed, input.size() - landed), ec);
        }
        return {input.data(), size};
    }

    // TCP writes through the thread's buffer (flush() moves what must wait); TLS through the session's own.
    codec::byte_buffer& output()
    {
        if constexpr (is_plain_tcp<Stream>)
            return this_thread_buffers().output;
        else
            return own_output_;
    }

    // Echoes every message in `input`, answers control frames, and writes it all. `shared`: the input is the
    // thread's buffer, which must be copied out before anything waits. False: the connection is over.
    net::awaitable<bool> echo(std::span<std::byte> input, bool shared)
    {
        // output() is asked again after every co_await: with several threads the loop may resume on another
        // thread, whose buffer is then the one to use (each thread's is empty between two waits).
        for (;;)
        {
            const auto e = protocol_.next(input, output());
            input = input.subspan(e.consumed);
            if (e.what == codec::connection::event::need_more)
                break;
            if (e.what == codec::connection::event::closed)
            {
                co_await flush(output(), {});
                co_return false;
            }
            const auto tail = echo_one(e.payload, e.text, output());
            if (!tail.empty())
            {
                if (shared && !input.empty())
                {
                    saved_input_.append(input);
                    input = saved_input_.bytes();
                    shared = false;
                }
                if (!co_await flush(output(), tail))
                    co_return false;
            }
            protocol_.message_done();
        }
        saved_input_.clear();
        saved_input_.release_if_larger(0);
        co_return co_await flush(output(), {});
    }

    // One message: counted, handed to the application's handler if there is one, logged, framed into `out`.
    // Returns what send_message() left to write after `out` (a large payload).
    std::span<const std::byte> echo_one(std::span<const std::byte> payload, bool text, codec::byte_buffer& out)
    {
        const session_config& cfg = *ctx_.config;
        if (cfg.stats)
            cfg.stats->traffic.received(text, payload.size());
        if (protocol_.close_sent())
        {
            // Completed after our close went out: RFC 6455 allows no data after it.
            ++ctx_.summary.unechoed;
            return {};
        }
        if (cfg.on_message)
        {
            handled_.clear();
            handled_.commit(net::buffer_copy(handled_.prepare(payload.size()), net::buffer(payload.data(), payload.size())));
            apply_message_handler(cfg.on_message, handled_, text);
            payload = {static_cast<const std::byte*>(handled_.cdata().data()), handled_.size()};
        }
        if (cfg.log->should_log(spdlog::level::debug))
            log_message(ctx_, net::buffer(payload.data(), payload.size()), text);
        tally_.add(text, payload.size());
        return protocol_.send_message(text, payload, out);
    }

    // Writes `out` and then `tail`. Over TCP it tries at once, without waiting; what the socket does not take
    // moves to the session's own buffer and goes out while the loop waits (a peer that stops reading stalls
    // its own session here, holding at most one read's worth of echoes). Counts the echoes once written.
    net::awaitable<bool> flush(codec::byte_buffer& out, std::span<const std::byte> tail)
    {
        std::size_t written = 0;
        if constexpr (is_plain_tcp<Stream>)
        {
            if (out.empty() && tail.empty())
                co_return true;
            error_code ec;
            written = stream_.write_some(output_then_tail(out, tail), ec);
            if (ec && ec != net::error::would_block)
            {
                out.clear();  // the thread's buffer serves the next session: leave nothing of ours in it
                record_error(ec);
                co_return false;
            }
            if (written == out.size() + tail.size())
            {
                out.clear();
                tally_.count_written(ctx_);
                co_return true;
            }
            const std::size_t from_out = std::min(written, out.size());
            own_output_.append(out.data() + from_out, out.size() - from_out);
            out.clear();
            tail = tail.subspan(written - from_out);
        }
        else if (out.empty() && tail.empty())
            co_return true;
        co_return co_await write_waiting(tail);
    }

    net::awaitable<bool> write_waiting(std::span<const std::byte> tail)
    {
        using namespace net::experimental::awaitable_operators;
        auto progress = [this] { ctx_.liveness.heard_from_peer(); };
        auto done = co_await (write_all(stream_, output_then_tail(own_output_, tail), progress) ||
                              watch_stalled_write());
        own_output_.clear();
        own_output_.release_if_larger(landing_bytes<Stream>);
        if (done.index() == 1)
            co_return false;  // dropped or aborted: the watcher recorded why
        if (auto ec = std::get<0>(done))
        {
            record_error(ec);
            co_return false;
        }
        tally_.count_written(ctx_);
        co_return true;
    }

    // The other side of a write that has to wait: returns only when the session must end meanwhile (the
    // server aborts, or the peer has taken nothing for an idle timeout). Shutdown waits for the write.
    net::awaitable<void> watch_stalled_write()
    {
        for (;;)
        {
            co_await ctx_.control->attention().wait();
            auto cancellation = co_await net::this_coro::cancellation_state;
            if (cancellation.cancelled() != net::cancellation_type::none)
                co_return;  // the write finished
            if (ctx_.control->aborting() || (keeper_.due() && keeper_.tick() == keep_alive::action::drop))
            {
                record_error(beast::error::timeout);
                co_return;
            }
        }
    }

    // Before each wait: acts on what the server asked (abort, shutdown) and on the clocks (keep-alive, the
    // deadline for the peer's close reply). False: the connection is over.
    net::awaitable<bool> attend()
    {
        if (ctx_.control->aborting() || (closing_deadline_ && net::steady_timer::clock_type::now() >= *closing_deadline_))
        {
            record_error(beast::error::timeout);  // the drain timeout, or no close reply in time
            co_return false;
        }
        if (ctx_.control->going_away() && protocol_.current_state() == codec::connection::state::open)
        {
            protocol_.send_close(codec::close_codes::going_away, "server shutting down", output());
            closing_deadline_ = net::steady_timer::clock_type::now() + ctx_.config->handshake_timeout;
            co_return co_await flush(output(), {});
        }
        if (keeper_.due())
            switch (keeper_.tick())
            {
            case keep_alive::action::none: break;
            case keep_alive::action::ping:
                protocol_.send_ping(output());
                co_return co_await flush(output(), {});
            case keep_alive::action::drop: record_error(beast::error::timeout); co_return false;
            }
        co_return true;
    }

    // Woken without bytes. Nothing heard since the last such wake means idle for a whole period of the
    // keep-alive clock (which rings every session): the room a large message left is given back, so a
    // connection holds a megabyte only while it is busy with megabytes.
    void give_back_memory_if_idle()
    {
        if (ctx_.liveness.signs_of_life == signs_at_last_wake_)
            protocol_.release_idle_memory();
        signs_at_last_wake_ = ctx_.liveness.signs_of_life;
    }

    // The other side of the wait for bytes: a shutdown request, the server's keep-alive clock, or (once our
    // close is out) the deadline for the peer's reply. Without a deadline of its own the timer is never the
    // earliest in the queue, so arming it costs no system call.
    auto wait_for_attention()
    {
        auto& attention = ctx_.control->attention();
        return closing_deadline_ ? attention.wait_until(*closing_deadline_) : attention.wait();
    }

    // The closing handshake is over (or the peer broke the protocol): RFC 6455 §7.1.1 has the server end TCP
    // first. Half-close, then wait (bounded) for the peer's end, so our close frame is not lost to a reset.
    net::awaitable<void> end_connection()
    {
        using namespace net::experimental::awaitable_operators;
        error_code ignored;
        if constexpr (is_plain_tcp<Stream>)
        {
            stream_.shutdown(tcp::socket::shutdown_send, ignored);
            co_await (drain_until_eof(stream_) || timeout(ctx_.config->handshake_timeout));
        }
        else
            co_await (stream_.async_shutdown(use_nothrow_awaitable) || timeout(ctx_.config->handshake_timeout));
        beast::close_socket(beast::get_lowest_layer(stream_));
    }

    void record_error(const error_code& ec)
    {
        if (!ctx_.summary.error && !(ec == net::error::operation_aborted && protocol_.close_sent()))
            ctx_.summary.error = ec;
    }

    Stream& stream_;
    codec::connection& protocol_;
    session_context& ctx_;
    keep_alive keeper_;
    std::optional<net::steady_timer::time_point> closing_deadline_;
    std::uint64_t signs_at_last_wake_ = 0;
    echo_tally tally_;
    std::array<std::byte, landing_bytes<Stream>> landing_;
    codec::byte_buffer own_output_;  // output that waits for the socket (TCP), or all output (TLS)
    codec::byte_buffer saved_input_;  // the rest of the thread's input, kept across a wait
    beast::flat_buffer handled_;     // the message handler's copy (only with a handler)
};

}  // namespace wsecho::detail
