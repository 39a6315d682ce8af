// File: wsecho/codec/frame.hpp — RFC 6455 §5.2 frame vocabulary: opcodes, close codes, and the server's frame
// header, shared by the parser and everything that writes frames.
#pragma once

#include <wsecho/codec/byte_buffer.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace wsecho::codec {

enum class opcode : std::uint8_t
{
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

inline constexpr bool is_control(opcode op) noexcept
{
    return (static_cast<std::uint8_t>(op) & 0x8) != 0;
}

// Close codes this server sends (RFC 6455 §7.4.1).
namespace close_codes {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t going_away = 1001;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t no_status = 1005;  // never on the wire: how an empty close frame reads
inline constexpr std::uint16_t invalid_payload = 1007;
inline constexpr std::uint16_t too_big = 1009;
}  // namespace close_codes

// Whether a peer may put `code` on the wire (RFC 6455 §7.4.1-2): 1000-1003, 1007-1011 (registered since),
// 3000-4999 (libraries and applications). Everything else, 1005 and 1006 included, is a protocol error.
inline constexpr bool is_valid_close_code(std::uint16_t code) noexcept
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
}

// Control frames carry at most this much payload (RFC 6455 §5.5).
inline constexpr std::size_t max_control_payload = 125;
// The longest frame header: 2 bytes, a 64-bit length, a 4-byte mask.
inline constexpr std::size_t max_header_bytes = 14;

// Appends an unmasked (server) frame header for one final frame of `payload_size` bytes, in the shortest
// length form RFC 6455 allows. `compressed` sets RSV1 (permessage-deflate).
void append_frame_header(byte_buffer& out, opcode op, std::uint64_t payload_size, bool compressed = false);

// Appends a whole final frame: header and payload.
void append_frame(byte_buffer& out, opcode op, std::span<const std::byte> payload, bool compressed = false);

// Appends a close frame with `code` and `reason` (cut to fit the 125-byte control payload, between code points).
void append_close_frame(byte_buffer& out, std::uint16_t code, std::span<const std::byte> reason = {});

}  // namespace wsecho::codec
