// File: wsecho/codec/connection.hpp — one server-side WebSocket connection as a state machine over bytes: the
// frame parser, message assembly, permessage-deflate, pings and the closing handshake. The session's loop
// (detail/echo_loop.hpp) only moves bytes between it and the socket.
#pragma once

#include <wsecho/codec/byte_buffer.hpp>
#include <wsecho/codec/deflate.hpp>
#include <wsecho/codec/frame_parser.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

namespace wsecho::codec {

struct connection_options
{
    std::uint64_t max_message_bytes = 16u << 20;  // bigger messages fail the connection with 1009
    std::optional<deflate_params> deflate;        // set when permessage-deflate was negotiated
    deflate_settings compression;                 // our compression level and memory
    std::size_t min_compressed_bytes = 64;        // smaller messages go out uncompressed
};

class connection
{
public:
    enum class state : std::uint8_t
    {
        open,
        closing,  // we sent a close frame and wait for the peer's
        closed,   // the closing handshake is over, or the connection failed: send nothing more, end TCP
    };

    struct event
    {
        enum kind : std::uint8_t
        {
            need_more,  // the input is used up: read more
            message,    // a whole data message: payload, text
            closed,     // state() became closed: flush what was appended, then end the connection
        };
        kind what = need_more;
        std::size_t consumed = 0;  // bytes of the input used
        std::span<const std::byte>
            payload{};  // message: valid until the next call of next() or message_done()
        bool text = false;
    };

    explicit connection(const connection_options& options);
    ~connection();
    connection(const connection&) = delete;  // owns zlib streams
    connection& operator=(const connection&) = delete;
    connection(connection&&) noexcept;
    connection& operator=(connection&&) noexcept;

    // Reads from the start of `input` (unmasking in place) up to the next whole message or the end of the
    // connection. Pongs to pings, the reply to the peer's close frame and our close frame when the peer broke
    // the protocol are appended to `out`. Call again with the rest of the input.
    event next(std::span<std::byte> input, byte_buffer& out);

    // Frames one message, compressed when negotiated and worth it. A large payload is not copied: what is
    // returned must be written right after `out`'s bytes (empty when everything is in `out`). Nothing once a
    // close frame was sent (RFC 6455 §5.5.1).
    std::span<const std::byte> send_message(bool text, std::span<const std::byte> payload, byte_buffer& out);
    // The message next() returned has been echoed (and written, if send_message() returned part of it). Its
    // room is kept for the next one: a busy connection does not map and fault in a large message each time.
    void message_done();
    // The connection has been idle for a while: give back the room kept for messages (see message_done).
    void release_idle_memory() noexcept;

    void send_ping(byte_buffer& out);
    // Our own close (1001 at shutdown): state() becomes closing, and next() reports closed once the peer
    // answered.
    void send_close(std::uint16_t code, std::string_view reason, byte_buffer& out);

    // Where to read the rest of a large data frame, straight into the place the message is assembled (not
    // through the read buffer and a copy); empty when reading into the usual buffer is as good. Hand what was
    // read there to next() as its input.
    std::span<std::byte> direct_read_room();

    state current_state() const noexcept { return state_; }
    bool close_sent() const noexcept { return close_sent_ != 0; }
    // A data message has begun and not yet ended: the next bytes continue it.
    bool in_message() const noexcept { return assembling_; }
    std::uint16_t close_code_sent() const noexcept { return close_sent_; }
    // The peer's close frame, once it came (1005 for an empty one).
    std::optional<std::uint16_t> peer_close_code() const noexcept { return peer_close_code_; }
    std::string_view peer_close_reason() const noexcept;
    // Which rule the peer broke, once we failed the connection for it (its close code went out).
    bool failed() const noexcept { return error_ != violation::none; }
    violation error() const noexcept { return error_; }

    // Messages larger than this are not copied into the output (see send_message).
    static constexpr std::size_t copied_payload_bytes = 64 * 1024;
    // Scratch room a compressed echo keeps between messages; a larger one is given back at once.
    static constexpr std::size_t retained_message_bytes = 64 * 1024;

private:
    event on_data(const frame_parser::result& r, byte_buffer& out);
    event fail(violation v, std::size_t consumed, byte_buffer& out);
    void begin_message() noexcept;

    connection_options options_;
    frame_parser parser_;
    state state_ = state::open;
    byte_buffer message_;  // a message that did not arrive whole in one input, or an inflated one
    bool assembling_ = false;
    std::size_t kept_room_ = 0;  // message_'s capacity when the message began: room earned by earlier ones
    std::unique_ptr<message_inflater> inflater_;  // made on the first compressed message
    std::unique_ptr<message_deflater> deflater_;
    utf8_validator inflated_utf8_;
    std::uint16_t close_sent_ = 0;
    std::optional<std::uint16_t> peer_close_code_;
    violation error_ = violation::none;
};

}  // namespace wsecho::codec
