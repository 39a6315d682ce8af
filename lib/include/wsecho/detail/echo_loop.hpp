// File: wsecho/detail/echo_loop.hpp — the WebSocket half of a session: wait for bytes or for a reason to act,
// read, let the codec turn what was read into echoes, write them with one system call, and again.
//
//     for (;;) {
//         act on shutdown, keep-alive and close deadlines;
//         read what the socket has; if nothing: co_await (readable(socket) || wait_for_attention()), read;
//         echo every message in what was read; flush (echo_writer.hpp);
//     }
//
// The socket is raw TCP (or TLS over it) and the codec keeps the protocol state, so a read that loses the race
// loses nothing: the `||` is safe here, where over Beast's WebSocket stream it killed the stream.
#pragma once

#include <wsecho/codec/connection.hpp>
#include <wsecho/wakeup.hpp>

#include <wsecho/detail/echo_writer.hpp>
#include <wsecho/detail/session_context.hpp>
#include <wsecho/detail/transport.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>

namespace wsecho::detail {

template <class Stream>
class echo_loop
{
public:
    echo_loop(Stream& stream, codec::connection& protocol, session_context& ctx)
        : stream_(stream), protocol_(protocol), ctx_(ctx), keeper_(ctx.config->idle_timeout, ctx.liveness)
    {}

    // `early`: bytes that came behind the upgrade request, in the same read. They are the first frames.
    net::awaitable<void> run(codec::byte_buffer early)
    {
        using namespace net::experimental::awaitable_operators;
        if constexpr (is_plain_tcp<Stream>)
            stream_.non_blocking(true, ctx_.summary.error);
        saved_input_ = std::move(early);
        writer_.tally().first_byte_read();
        // NOLINTNEXTLINE(bugprone-use-after-move): the frame's copy of `early` (clang-tidy 14, coroutines)
        bool open = saved_input_.empty() || co_await echo(saved_input_.bytes(), false);
        while (open)
        {
            if constexpr (is_plain_tcp<Stream>)  // every other ready session first
                co_await net::post(stream_.get_executor(), net::use_awaitable);
            if (!(open = co_await attend()))
                break;
            const auto room = protocol_.direct_read_room();  // a large message's place, or empty
            read_outcome got = read_without_waiting(room);
            if (!got.done)
            {
                co_await wait_for_bytes_or_attention(room, got);
                got = read_after_waiting(room, got);
            }
            if (!got.has_bytes_or_error())
            {
                give_back_memory_if_idle();
                continue;  // woken to act: attend() says on what
            }
            if (got.ec)
            {
                writer_.record_error(got.ec);
                break;
            }
            ctx_.liveness.heard_from_peer();
            if (!protocol_.in_message())
                writer_.tally().first_byte_read();
            open = co_await echo(bytes_read(room, got.bytes), room.empty() && is_plain_tcp<Stream>);
        }
        record_protocol_outcome(protocol_, ctx_.summary);
        if (protocol_.current_state() == codec::connection::state::closed)
            co_await end_connection();
        else
            beast::close_socket(beast::get_lowest_layer(stream_));
    }

private:
    // Where a read goes: straight into a large message's place when the codec offers one; otherwise, over
    // TCP, the thread's buffer (asked for after every wait: the loop may resume on another thread), over TLS
    // the session's landing buffer.
    net::mutable_buffer read_target(std::span<std::byte> room)
    {
        if (!room.empty())
            return net::buffer(room.data(), room.size());
        if constexpr (is_plain_tcp<Stream>)
            return net::buffer(this_thread_buffers().input);
        else
            return net::buffer(landing_);
    }

    std::span<std::byte> bytes_read(std::span<std::byte> room, std::size_t n)
    {
        const auto target = read_target(room);
        return {static_cast<std::byte*>(target.data()), n};
    }

    // Over TCP, a read that does not wait: under load the next message is nearly always there already. Not
    // done when the socket is empty (over TLS always: a TLS stream has no such read).
    read_outcome read_without_waiting(std::span<std::byte> room)
    {
        if constexpr (is_plain_tcp<Stream>)
            return read_now(stream_, read_target(room));
        else
            return {};
    }

    // The one wait of a turn: bytes from the peer, or a reason to act. Over TCP it waits for the socket to
    // become readable, holding no buffer; a wait that loses the race took nothing. Over TLS the read itself is
    // raced, and records its outcome in `got` whichever operand wins (read_some_into). Not a coroutine: the
    // loop awaits the `||` itself, so an idle connection keeps no frame for this function.
    auto wait_for_bytes_or_attention(std::span<std::byte> room, read_outcome& got)
    {
        using namespace net::experimental::awaitable_operators;
        if constexpr (is_plain_tcp<Stream>)
            return stream_.async_wait(tcp::socket::wait_read, use_nothrow_awaitable) || wait_for_attention();
        else
            return read_some_into(stream_, read_target(room), got) || wait_for_attention();
    }

    // Over TCP the read comes after the wait, whichever operand won: bytes that arrived as the timer rang are
    // read now, not lost. Not done: woken to act, nothing to read. Over TLS the raced read already happened.
    read_outcome read_after_waiting(std::span<std::byte> room, read_outcome got)
    {
        if constexpr (is_plain_tcp<Stream>)
            return read_now(stream_, read_target(room));
        else
            return got;
    }

    // TCP writes through the thread's buffer (flush() moves what must wait); TLS through the session's own.
    codec::byte_buffer& output()
    {
        if constexpr (is_plain_tcp<Stream>)
            return this_thread_buffers().output;
        else
            return writer_.own_output();
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
                co_await writer_.flush(output(), {});
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
                if (!co_await writer_.flush(output(), tail))
                    co_return false;
            }
            protocol_.message_done();
        }
        saved_input_.clear();
        saved_input_.release_if_larger(0);
        co_return co_await writer_.flush(output(), {});
    }

    // One message: counted, handed to the application's handler if there is one, logged, framed into `out`.
    // Returns what send_message() left to write after `out` (a large payload).
    std::span<const std::byte>
    echo_one(std::span<const std::byte> payload, bool text, codec::byte_buffer& out)
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
            handled_.commit(net::buffer_copy(
                handled_.prepare(payload.size()), net::buffer(payload.data(), payload.size())
            ));
            apply_message_handler(cfg.on_message, handled_, text);
            payload = {static_cast<const std::byte*>(handled_.cdata().data()), handled_.size()};
        }
        if (cfg.log->should_log(spdlog::level::debug))
            log_message(ctx_, net::buffer(payload.data(), payload.size()), text);
        writer_.tally().add(text, payload.size());
        return protocol_.send_message(text, payload, out);
    }

    // Before each wait: acts on what the server asked (abort, shutdown) and on the clocks (keep-alive, the
    // deadline for the peer's close reply). False: the connection is over.
    net::awaitable<bool> attend()
    {
        if (ctx_.control->aborting() ||
            (closing_deadline_ && net::steady_timer::clock_type::now() >= *closing_deadline_))
        {
            writer_.record_error(beast::error::timeout);  // the drain timeout, or no close reply in time
            co_return false;
        }
        if (ctx_.control->shutting_down() && protocol_.current_state() == codec::connection::state::open)
        {
            protocol_.send_close(codec::close_codes::going_away, "server shutting down", output());
            closing_deadline_ = net::steady_timer::clock_type::now() + ctx_.config->handshake_timeout;
            co_return co_await writer_.flush(output(), {});
        }
        if (keeper_.due())
            switch (keeper_.tick())
            {
            case keep_alive::action::none: break;
            case keep_alive::action::ping:
                protocol_.send_ping(output());
                co_return co_await writer_.flush(output(), {});
            case keep_alive::action::drop: writer_.record_error(beast::error::timeout); co_return false;
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
            co_await (
                stream_.async_shutdown(use_nothrow_awaitable) || timeout(ctx_.config->handshake_timeout)
            );
        beast::close_socket(beast::get_lowest_layer(stream_));
    }

    Stream& stream_;
    codec::connection& protocol_;
    session_context& ctx_;
    keep_alive keeper_;
    echo_writer<Stream> writer_{stream_, protocol_, ctx_, keeper_};
    std::optional<net::steady_timer::time_point> closing_deadline_;
    std::uint64_t signs_at_last_wake_ = 0;
    std::array<std::byte, landing_bytes<Stream>> landing_;
    codec::byte_buffer saved_input_;  // the rest of the thread's input, kept across a wait
    beast::flat_buffer handled_;      // the message handler's copy (only with a handler)
};

template <class Stream>
net::awaitable<void>
run_echo_loop(Stream& stream, codec::connection& protocol, session_context& ctx, codec::byte_buffer early)
{
    echo_loop<Stream> loop(stream, protocol, ctx);
    // clang-tidy 14 counts the coroutine frame's own copy of `early` as a move before every co_await.
    co_await loop.run(std::move(early));  // NOLINT(bugprone-use-after-move)
}

}  // namespace wsecho::detail
