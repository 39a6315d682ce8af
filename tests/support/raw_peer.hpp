// File: support/raw_peer.hpp — a WebSocket client that writes and reads raw frames over a real socket, for
// conformance tests: any header bits, opcode, masking and length encoding, writes split as the test says.
#pragma once

#include <wsecho/net.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wsecho::test {

// RFC 6455 §5.2 opcodes; 3-7 and 11-15 are reserved.
namespace opcode {
inline constexpr std::uint8_t cont = 0x0;
inline constexpr std::uint8_t text = 0x1;
inline constexpr std::uint8_t binary = 0x2;
inline constexpr std::uint8_t close = 0x8;
inline constexpr std::uint8_t ping = 0x9;
inline constexpr std::uint8_t pong = 0xa;
}  // namespace opcode

// How a frame header writes the payload length. RFC 6455 §5.2 asks for the shortest form (`minimal`);
// the others force a form, e.g. to send a non-minimal one (a length over 125 cannot use `bits7`).
enum class length_encoding
{
    minimal,
    bits7,
    bits16,
    bits64,
};

// Everything about one client frame. Build with designated initializers: {.opcode = opcode::ping, .payload = "x"}.
// Inside a coroutine, never build one as a temporary within a co_await expression (`co_await
// peer.send(frame_spec{...})`): GCC 12 destroys aggregate temporaries there twice. Name it first.
struct frame_spec
{
    std::uint8_t opcode = opcode::text;  // 0-15: reserved opcodes are allowed on purpose
    std::string payload;
    bool fin = true;
    bool rsv1 = false;
    bool rsv2 = false;
    bool rsv3 = false;
    bool masked = true;  // a client must mask (RFC 6455 §5.3); false tests the server's refusal
    std::optional<std::array<std::uint8_t, 4>>
        mask_key;  // none: a new key per frame from a fixed-seed generator
    length_encoding length = length_encoding::minimal;
};

// The frame's bytes on the wire. Throws std::invalid_argument for an opcode over 15 or a forced length
// encoding too small for the payload.
std::string encode_frame(const frame_spec& frame);
// A close frame's payload: the code in network byte order, then the reason (not validated: tests send bad ones).
std::string close_frame_payload(std::uint16_t code, std::string_view reason = {});

// How send() splits its bytes into writes; each write is awaited before the next starts, so the server
// sees partial frames. The sizes are used in turn, cyclically; none means one write.
// (Not an aggregate on purpose, so that `co_await peer.send(bytes, write_plan({1, 3}))` is safe on GCC 12.)
class write_plan
{
public:
    write_plan() = default;
    explicit write_plan(std::vector<std::size_t> chunk_sizes) : chunk_sizes_(std::move(chunk_sizes)) {}

    static write_plan whole() { return write_plan(); }
    static write_plan byte_by_byte() { return write_plan({1}); }
    static write_plan odd_chunks() { return write_plan({1, 3, 7, 13, 31, 61, 127}); }

    const std::vector<std::size_t>& chunk_sizes() const { return chunk_sizes_; }

private:
    std::vector<std::size_t> chunk_sizes_;
};

// One frame from the server (which never masks: read_frame() throws if it did).
struct server_frame
{
    bool fin = false;
    bool rsv1 = false;
    bool rsv2 = false;
    bool rsv3 = false;
    std::uint8_t opcode = 0;
    int length_bits = 7;  // how the header wrote the length: 7, 16 (126 + 2 bytes) or 64 (127 + 8 bytes)
    std::string payload;
};

// The length encoding RFC 6455 §5.2 requires for a payload of `size` bytes: 7, 16 or 64 bits.
int minimal_length_bits(std::size_t size);

// A server close frame, decoded.
struct close_info
{
    std::optional<std::uint16_t> code;  // none: the close frame had an empty payload
    std::string reason;
};

// How the TCP connection ended, as opposed to a WebSocket close frame.
enum class tcp_end
{
    eof,    // an orderly FIN
    reset,  // RST
};

// What read_until_close() saw.
struct closing
{
    std::vector<server_frame> frames;  // every frame before the close frame (data and control)
    std::optional<close_info> close;   // none: the TCP connection ended without a close frame
};

// A client over a real TCP socket that does nothing on its own: no automatic pong, no close reply, no
// masking unless asked. Unexpected I/O errors throw boost::system::system_error (the test fails then).
class raw_peer
{
public:
    // The RFC 6455 §1.3 sample key, and the Sec-WebSocket-Accept a server must answer it with.
    static constexpr std::string_view sample_key = "dGhlIHNhbXBsZSBub25jZQ==";
    static constexpr std::string_view sample_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    // A TCP connection only (with TCP_NODELAY, so each write leaves at once as its own segment).
    static net::awaitable<raw_peer> connect(tcp::endpoint server);
    // connect() and upgrade(): ready for frames.
    static net::awaitable<raw_peer> open(tcp::endpoint server, std::string target = "/socket");

    // Sends GET `target` with sample_key; throws unless the answer is 101 with Upgrade: websocket and
    // Sec-WebSocket-Accept == sample_accept.
    net::awaitable<void> upgrade(std::string target = "/socket");
    // Reads one HTTP response. Bytes after it stay buffered for read_frame().
    net::awaitable<http::response<http::string_body>> read_http_response();

    // Writes `bytes` (an HTTP request, frames, garbage) as `plan` says.
    net::awaitable<void> send(std::string bytes, write_plan plan = write_plan());
    net::awaitable<void> send(const frame_spec& frame, write_plan plan = write_plan());

    // The next server frame, or none once the TCP connection has ended (ended() says how). Throws if the
    // connection ends inside a frame, or if the frame is masked or has a 64-bit length with the top bit set.
    net::awaitable<std::optional<server_frame>> read_frame();
    // read_frame() for when a frame must come: the connection ending first throws.
    net::awaitable<server_frame> expect_frame();
    // Reads frames until a close frame (decoded into `close`) or the end of the TCP connection.
    net::awaitable<closing> read_until_close();
    // Reads until the TCP connection ends; throws if any byte arrives first.
    net::awaitable<tcp_end> expect_tcp_end();
    // Sends a close frame, reads until the server's close frame, then expects the TCP connection to end.
    net::awaitable<closing> close(std::uint16_t code, std::string reason = {});

    // How the TCP connection ended, once it has.
    std::optional<tcp_end> ended() const { return ended_; }

private:
    explicit raw_peer(tcp::socket socket);
    // Reads until `n` bytes are buffered; false if the connection ended first.
    net::awaitable<bool> fill(std::size_t n);

    tcp::socket socket_;
    beast::flat_buffer buffer_;
    std::optional<tcp_end> ended_;
};

}  // namespace wsecho::test
