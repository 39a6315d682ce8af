// File: wsecho/detail/transport.hpp — the few things the echo loop does differently over plain TCP and over
// TLS: where a waiting read lands, whether a write can be tried without waiting, how the connection ends.
#pragma once

#include <wsecho/codec/byte_buffer.hpp>
#include <wsecho/net.hpp>

#include <boost/beast/ssl.hpp>

#include <array>
#include <cstddef>
#include <type_traits>

namespace wsecho::detail {

// wss:// and https://: TLS over the same TCP stream type, so its deadline bounds the TLS handshake too.
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

// Plain TCP reads and writes without waiting when it can (the socket is non-blocking); TLS cannot (a record
// may be half sent), so it always waits.
template <class Stream>
inline constexpr bool is_plain_tcp = std::is_same_v<Stream, tcp::socket>;

// Where a read that waits lands. Over TCP nothing does: an idle connection waits for its socket to become
// readable, holding no buffer, and then reads into the thread's. A TLS read must have its buffer while it
// waits; a TLS record is up to 16 KiB, and OpenSSL holds far more per connection anyway.
template <class Stream>
inline constexpr std::size_t landing_bytes = is_plain_tcp<Stream> ? 0 : 16 * 1024;

// One per thread, used only between two waits of one session: the rest of what a read finds, and the frames
// written in reply. A session that must wait with output pending moves it to a buffer of its own first.
struct thread_buffers
{
    // Never larger than codec::connection::copied_payload_bytes, so a message echoed from here is copied
    // into the output, never left behind as a reference.
    static constexpr std::size_t input_bytes = 64 * 1024;
    std::array<std::byte, input_bytes> input;
    codec::byte_buffer output;
};

inline thread_buffers& this_thread_buffers()
{
    thread_local thread_buffers buffers;
    return buffers;
}

// Over TLS, the operand of `read || attention`: records its result where the loop can see it, because `||`
// returns only the first completion and a read that completed second would lose its bytes.
struct read_outcome
{
    bool done = false;
    error_code ec;
    std::size_t bytes = 0;

    bool has_bytes_or_error() const { return done && ec != net::error::operation_aborted; }
};

template <class Stream>
net::awaitable<void> read_some_into(Stream& stream, net::mutable_buffer target, read_outcome& outcome)
{
    auto [ec, n] = co_await stream.async_read_some(target, use_nothrow_awaitable);
    outcome = {.done = true, .ec = ec, .bytes = n};
}

// Over TCP (a non-blocking socket): a read that does not wait. Not done when the socket holds nothing yet.
inline read_outcome read_now(tcp::socket& socket, net::mutable_buffer target)
{
    error_code ec;
    const std::size_t n = socket.read_some(target, ec);
    if (ec == net::error::would_block || ec == net::error::try_again)
        return {};
    return {.done = true, .ec = ec, .bytes = n};
}

// What a flush writes: the frames in `out`, then a large payload that was not copied into it.
inline std::array<net::const_buffer, 2>
output_then_tail(const codec::byte_buffer& out, std::span<const std::byte> tail)
{
    return {net::const_buffer(out.data(), out.size()), net::const_buffer(tail.data(), tail.size())};
}

// Writes everything, counting each part that went out as a sign of life (a slow reader is not a dead one).
template <class Stream, class Progress>
net::awaitable<error_code>
write_all(Stream& stream, std::array<net::const_buffer, 2> buffers, Progress progress)
{
    while (buffers[0].size() + buffers[1].size() > 0)
    {
        auto [ec, n] = co_await stream.async_write_some(buffers, use_nothrow_awaitable);
        if (ec)
            co_return ec;
        const std::size_t first = std::min(n, buffers[0].size());
        buffers[0] += first;
        buffers[1] += n - first;
        progress();
    }
    co_return error_code{};
}

// Reads and drops whatever comes until the peer ends the connection (or a `||` cancels it).
template <class Stream>
net::awaitable<void> drain_until_eof(Stream& stream)
{
    std::array<std::byte, 512> sink;
    for (;;)
    {
        auto [ec, n] = co_await stream.async_read_some(net::buffer(sink), use_nothrow_awaitable);
        if (ec)
            co_return;
    }
}

}  // namespace wsecho::detail
