// File: wsecho/codec/deflate.hpp — permessage-deflate (RFC 7692) on zlib: the handshake negotiation, and the
// per-connection inflater and deflater that turn whole messages into compressed payloads and back.
//
// Plain classes, no I/O: the caller hands in payload bytes and a byte_buffer to append to. zlib stays out of
// this header (the streams live behind a pointer), so including it costs nothing to code that does not compress.
#pragma once

#include <wsecho/codec/byte_buffer.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

struct z_stream_s;  // zlib's stream state; only deflate.cpp sees zlib.h

namespace wsecho::codec {

// What the server is willing to do (filled from wsecho::deflate_options by the caller). Values out of range
// are clamped: window bits to 9..15, level to 0..9, mem_level to 1..9.
struct deflate_settings
{
    int max_window_bits = 15;          // 9..15
    bool no_context_takeover = false;  // ask for it in both directions
    int level = 6;                     // zlib level 0..9
    int mem_level = 4;                 // zlib memLevel 1..9
};

// The agreed parameters of one connection, server's point of view (RFC 7692 §7.1).
struct deflate_params
{
    int server_max_window_bits = 15;          // window of our compressor
    int client_max_window_bits = 15;          // window of the peer's compressor (ours inflates any, with 15)
    bool server_no_context_takeover = false;  // we reset our compressor after each message
    bool client_no_context_takeover = false;  // the peer resets its compressor after each message
    bool operator==(const deflate_params&) const = default;
};

struct deflate_negotiation
{
    deflate_params params;
    std::string response;  // the Sec-WebSocket-Extensions value for the 101
};

// Picks the first acceptable permessage-deflate offer in a Sec-WebSocket-Extensions value (several header
// lines joined with ", "), or nothing (then the 101 carries no extension). Other extensions, malformed list
// elements, and offers with an unknown, duplicate or invalid parameter are skipped (RFC 7692 §5, §7.1), and so
// is server_max_window_bits=8, which zlib cannot honour.
std::optional<deflate_negotiation> negotiate_deflate(std::string_view offers, const deflate_settings& ours);

enum class inflate_status
{
    ok,
    too_big,
    corrupt
};

namespace detail {
// Ends a zlib stream (inflateEnd, or deflateEnd) and frees it. Both are instantiated in deflate.cpp.
template <bool Inflate>
struct zlib_stream_deleter
{
    void operator()(z_stream_s* stream) const noexcept;
};
extern template struct zlib_stream_deleter<true>;
extern template struct zlib_stream_deleter<false>;
}  // namespace detail

// Decompresses the messages a client sends on one connection, in order. The zlib state (about 7 KiB, plus a
// 32 KiB window once data flows) is made on the first compressed message, so an idle connection pays nothing.
// After too_big or corrupt the stream is unusable and every later call returns the same status: the caller
// fails the connection (close 1009 or 1007). Movable, not copyable; not thread safe.
class message_inflater
{
public:
    explicit message_inflater(const deflate_params& params) : params_(params) {}

    // Inflates one part of a compressed message's payload and appends the result to `out`. `last`: this part
    // ends the message (the 00 00 FF FF tail RFC 7692 strips is fed after it; with client_no_context_takeover
    // the stream is reset afterwards). Returns too_big as soon as the message inflated so far would exceed
    // `max_message_bytes`: `out` then never grows by more than that limit for the message. Returns corrupt
    // for data zlib rejects.
    inflate_status
    inflate(std::span<const std::byte> part, bool last, byte_buffer& out, std::size_t max_message_bytes);

    // Whether zlib memory is held (it is from the first compressed message on): for tests and metrics.
    bool has_zlib_state() const noexcept { return stream_ != nullptr; }

private:
    inflate_status feed(std::span<const std::byte> input, byte_buffer& out, std::size_t max_message_bytes);
    void end_message();

    deflate_params params_;
    std::unique_ptr<z_stream_s, detail::zlib_stream_deleter<true>> stream_;
    std::size_t message_bytes_ = 0;  // inflated so far in this message, against the limit
    bool message_has_input_ =
        false;                   // a compressed payload of zero bytes is an empty message: zlib sees nothing
    bool stream_ended_ = false;  // the peer ended its DEFLATE stream (a BFINAL block) in this message
    inflate_status failure_ = inflate_status::ok;
};

// Compresses the messages the server sends on one connection, in order. Like the inflater, the zlib state
// (about 2^(window+2) + 2^(mem_level+9) bytes) is made on the first non-empty message. Movable, not
// copyable; not thread safe.
class message_deflater
{
public:
    message_deflater(const deflate_params& params, const deflate_settings& ours);

    // Compresses one whole message (raw deflate, Z_SYNC_FLUSH, the trailing 00 00 FF FF removed) and appends
    // it to `out`. An empty message becomes the single byte 00 (RFC 7692 §7.2.3.6).
    void deflate(std::span<const std::byte> message, byte_buffer& out);

    // Whether zlib memory is held (it is from the first non-empty message on): for tests and metrics.
    bool has_zlib_state() const noexcept { return stream_ != nullptr; }

private:
    deflate_params params_;
    int level_;
    int mem_level_;
    std::unique_ptr<z_stream_s, detail::zlib_stream_deleter<false>> stream_;
};

}  // namespace wsecho::codec
