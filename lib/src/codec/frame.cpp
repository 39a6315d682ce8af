// File: codec/frame.cpp — writing the server's frames (RFC 6455 §5.2).
#include <wsecho/codec/frame.hpp>

#include <algorithm>

namespace wsecho::codec {

void append_frame_header(byte_buffer& out, opcode op, std::uint64_t payload_size, bool compressed)
{
    // FIN, RSV1 when compressed, the opcode; then the length in 7 bits, or 126 and 16 bits, or 127 and 64 bits,
    // in network byte order. A server's frames carry no mask.
    std::uint8_t header[10];
    header[0] = static_cast<std::uint8_t>(0x80 | (compressed ? 0x40 : 0) | static_cast<std::uint8_t>(op));
    std::size_t size = 2;
    if (payload_size < 126)
        header[1] = static_cast<std::uint8_t>(payload_size);
    else if (payload_size <= 0xFFFF)
    {
        header[1] = 126;
        header[2] = static_cast<std::uint8_t>(payload_size >> 8);
        header[3] = static_cast<std::uint8_t>(payload_size);
        size = 4;
    }
    else
    {
        header[1] = 127;
        for (std::size_t i = 0; i < 8; ++i)
            header[2 + i] = static_cast<std::uint8_t>(payload_size >> (56 - 8 * i));
        size = 10;
    }
    out.append(header, size);
}

void append_frame(byte_buffer& out, opcode op, std::span<const std::byte> payload, bool compressed)
{
    // One reservation for header and payload: no second grow for the common small echo.
    out.prepare(10 + payload.size());
    append_frame_header(out, op, payload.size(), compressed);
    out.append(payload);
}

void append_close_frame(byte_buffer& out, std::uint16_t code, std::span<const std::byte> reason)
{
    std::byte payload[max_control_payload];
    payload[0] = static_cast<std::byte>(code >> 8);
    payload[1] = static_cast<std::byte>(code & 0xFF);
    std::size_t reason_size = std::min(reason.size(), max_control_payload - 2);
    // Cut on a code point boundary: a reason cut inside a UTF-8 sequence is invalid, and the peer must fail on it.
    while (reason_size > 0 && reason_size < reason.size() &&
           (static_cast<std::uint8_t>(reason[reason_size]) & 0xC0) == 0x80)
        --reason_size;
    std::copy_n(reason.begin(), reason_size, payload + 2);
    append_frame(out, opcode::close, std::span<const std::byte>(payload, 2 + reason_size));
}

}  // namespace wsecho::codec
