// File: websocket_frame.cpp — the one frame format the server writes itself (see coalescing_stream.hpp).
#include <wsecho/detail/coalescing_stream.hpp>

#include <array>
#include <cstdint>

namespace wsecho::detail {

void append_frame(beast::flat_buffer& out, bool text, net::const_buffer payload)
{
    // RFC 6455 §5.2: FIN and the opcode, then the length in 7 bits, or 126 and 16 bits, or 127 and 64 bits,
    // in network byte order. A server's frames carry no mask.
    std::array<std::uint8_t, 10> header{};
    header[0] = 0x80 | (text ? 0x1 : 0x2);
    const std::uint64_t length = payload.size();
    std::size_t header_size = 2;
    if (length < 126)
        header[1] = static_cast<std::uint8_t>(length);
    else if (length <= 0xFFFF)
    {
        header[1] = 126;
        header[2] = static_cast<std::uint8_t>(length >> 8);
        header[3] = static_cast<std::uint8_t>(length);
        header_size = 4;
    }
    else
    {
        header[1] = 127;
        for (std::size_t i = 0; i < 8; ++i)
            header[2 + i] = static_cast<std::uint8_t>(length >> (56 - 8 * i));
        header_size = 10;
    }
    auto space = out.prepare(header_size + payload.size());
    net::buffer_copy(space, std::array{net::const_buffer(header.data(), header_size), payload});
    out.commit(header_size + payload.size());
}

}  // namespace wsecho::detail
