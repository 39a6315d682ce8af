// File: wsecho/detail/echo_writer.hpp — how the echo loop's output reaches the socket. Over TCP it is tried at
// once, without waiting; what the socket does not take waits in the session's own buffer, written while a
// watcher races it for the reasons to give up (the server aborts, the peer takes nothing for an idle timeout):
//
//     co_await (write_all(stream, own_output, progress) || watch_stalled_write());
#pragma once

#include <wsecho/codec/connection.hpp>

#include <wsecho/detail/echo_tally.hpp>
#include <wsecho/detail/keep_alive.hpp>
#include <wsecho/detail/session_context.hpp>
#include <wsecho/detail/transport.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <algorithm>

namespace wsecho::detail {

template <class Stream>
class echo_writer
{
public:
    echo_writer(Stream& stream, const codec::connection& protocol, session_context& ctx, keep_alive& keeper)
        : stream_(stream), protocol_(protocol), ctx_(ctx), keeper_(keeper)
    {}

    // Writes `out` and then `tail` (a large payload the codec did not copy). A peer that stops reading stalls
    // its own session here, holding at most one read's worth of echoes. Counts the echoes once written.
    // False: the connection is over (the reason is in the summary).
    net::awaitable<bool> flush(codec::byte_buffer& out, std::span<const std::byte> tail)
    {
        if constexpr (is_plain_tcp<Stream>)
        {
            if (out.empty() && tail.empty())
                co_return true;
            error_code ec;
            const std::size_t written = stream_.write_some(output_then_tail(out, tail), ec);
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

    // Where TLS frames its output (TCP frames into the thread's buffer and moves here only what must wait).
    codec::byte_buffer& own_output() { return own_output_; }
    echo_tally& tally() { return tally_; }

    // The first error is the one that explains the ending; an aborted read after our close is not an error.
    void record_error(const error_code& ec)
    {
        if (!ctx_.summary.error && !(ec == net::error::operation_aborted && protocol_.close_sent()))
            ctx_.summary.error = ec;
    }

private:
    net::awaitable<bool> write_waiting(std::span<const std::byte> tail)
    {
        using namespace net::experimental::awaitable_operators;
        auto progress = [this] { ctx_.liveness.heard_from_peer(); };
        auto done = co_await (
            write_all(stream_, output_then_tail(own_output_, tail), progress) || watch_stalled_write()
        );
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

    Stream& stream_;
    const codec::connection& protocol_;
    session_context& ctx_;
    keep_alive& keeper_;
    echo_tally tally_;
    codec::byte_buffer own_output_;  // output that waits for the socket (TCP), or all output (TLS)
};

}  // namespace wsecho::detail
