// File: tests/fuzz/feed_stream.hpp — one end of a beast::test::stream pair that decides how many bytes each
// read may take, so the fuzz input reaches the code under test the way a well-behaved peer would send it.
#pragma once

#include <wsecho/net.hpp>

#include <boost/beast/_experimental/test/stream.hpp>

#include <array>
#include <cstddef>
#include <functional>
#include <limits>
#include <string_view>
#include <utility>

namespace wsecho::fuzz {

// Reads are cut in two phases:
// - Until `framing()` is true (the server: the session has upgraded; the client: the handshake is done):
//   with `http_input` (the server's whole input), a read ends at the end of the next header block
//   ("\r\n\r\n"). The session's HTTP reads use a buffer of their own that is not handed to the WebSocket
//   stream, so bytes that one read took in behind the upgrade request would never reach the frame parser;
//   a real client waits for the 101 before it sends frames (RFC 6455 4.1), so they cannot be there. With
//   no `http_input` (the client's handshake), reads are not limited.
// - After that, reads take 1, 3, 7, ... 4096 bytes in turn, so frame headers and payloads arrive split at
//   every kind of place, without the cost of reading everything byte by byte.
class feed_stream
{
public:
    using executor_type = beast::test::stream::executor_type;

    feed_stream(beast::test::stream next, std::string_view http_input, std::function<bool()> framing)
        : next_(std::move(next)), http_input_(http_input), framing_(std::move(framing))
    {}

    executor_type get_executor() noexcept { return next_.get_executor(); }

    template <class MutableBufferSequence, class ReadHandler>
    auto async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler)
    {
        next_.read_size(next_read_size());
        return next_.async_read_some(buffers, std::forward<ReadHandler>(handler));
    }

    template <class ConstBufferSequence, class WriteHandler>
    auto async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler)
    {
        return next_.async_write_some(buffers, std::forward<WriteHandler>(handler));
    }

    // What beast::get_lowest_layer(ws).close() reaches: this is the lowest layer.
    void close() { next_.close(); }

    beast::test::stream& next() noexcept { return next_; }

private:
    std::size_t next_read_size()
    {
        constexpr auto unlimited = std::numeric_limits<std::size_t>::max();
        if (!framing_())
        {
            if (http_input_.empty())
                return unlimited;
            const std::size_t position = next_.nread_bytes();  // reads are sequential: the last one is done
            const auto end = http_input_.find("\r\n\r\n", position);
            return end == std::string_view::npos ? unlimited : end + 4 - position;
        }
        static constexpr std::array<std::size_t, 8> sizes{1, 3, 7, 13, 31, 61, 127, 4096};
        return sizes[framed_reads_++ % sizes.size()];
    }

    beast::test::stream next_;
    std::string_view http_input_;
    std::function<bool()> framing_;
    std::size_t framed_reads_ = 0;
};

// How Beast closes the lowest layer (a cancelled close, a failed stream), found by ADL.
inline void beast_close_socket(feed_stream& stream)
{
    stream.close();
}

// The WebSocket stream's teardown (after a closing handshake, or on failure), found by ADL: the test stream's.
inline void teardown(beast::role_type role, feed_stream& stream, error_code& ec)
{
    teardown(role, stream.next(), ec);
}

template <class TeardownHandler>
void async_teardown(beast::role_type role, feed_stream& stream, TeardownHandler&& handler)
{
    async_teardown(role, stream.next(), std::forward<TeardownHandler>(handler));
}

}  // namespace wsecho::fuzz
