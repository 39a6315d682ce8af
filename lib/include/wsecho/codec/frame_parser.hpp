// File: wsecho/codec/frame_parser.hpp — the server's reader of client frames (RFC 6455 §5): takes bytes in
// pieces of any size, gives back unmasked payload and control frames, and fails the connection with the close
// code the RFC asks for. No sockets and no coroutines: the session's loop feeds it whatever a read returned.
#pragma once

#include <wsecho/codec/error.hpp>
#include <wsecho/codec/frame.hpp>
#include <wsecho/codec/mask.hpp>
#include <wsecho/codec/utf8.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace wsecho::codec {

class frame_parser
{
public:
    struct limits
    {
        // A data message whose payload would pass this is failed with 1009 as soon as a frame header says
        // so, before any of it is read. For compressed messages this bounds the compressed size; the
        // inflater bounds the rest.
        std::uint64_t max_message_bytes = 16u << 20;
        // permessage-deflate was negotiated: RSV1 may mark the first frame of a message as compressed.
        bool compression = false;
    };

    enum class event : std::uint8_t
    {
        need_more,  // all of the input was used; nothing is complete: read more
        data,       // payload of the current data message, unmasked in place; `last` when the message ends
        ping,       // a whole ping: control_payload() is what the pong must carry
        pong,       // a whole pong (unsolicited ones are allowed and ignored)
        close,      // a valid close frame: close_code(), close_reason()
        error,      // the peer broke the protocol: error() says how
    };

    struct result
    {
        event what = event::need_more;
        std::size_t consumed = 0;        // bytes of the input used
        std::span<std::byte> payload{};  // event::data: inside the input (already unmasked)
        bool last = false;               // event::data: the message is complete with this payload
    };

    frame_parser() = default;
    explicit frame_parser(const limits& l) : limits_(l) {}

    // Reads from the start of `input` up to the next event. Unmasks payload in place, so the caller can echo
    // it from where it lies. Call again with the rest of the input (`consumed` onwards) for the next event.
    result next(std::span<std::byte> input);

    // The current (or last) data message.
    bool text() const noexcept { return message_op_ == opcode::text; }
    bool compressed() const noexcept { return message_compressed_; }
    bool in_message() const noexcept { return in_message_; }
    // Payload bytes of the current data frame still to come (0 between frames): a caller may read that many
    // straight into the place the message is assembled and hand them to next() from there.
    std::uint64_t data_payload_left() const noexcept
    {
        return in_payload_ && !is_control(frame_op_) ? left_ : 0;
    }

    std::span<const std::byte> control_payload() const noexcept { return {control_.data(), control_size_}; }
    // After event::close. An empty close frame reads as 1005 (no status).
    std::uint16_t close_code() const noexcept { return close_code_; }
    std::span<const std::byte> close_reason() const noexcept;

    // After event::error: which rule the peer broke (close_code_for() says what to answer).
    violation error() const noexcept { return error_; }

private:
    result fail(violation v, std::size_t consumed);
    result start_frame(std::size_t consumed);
    result finish_control(std::size_t consumed);

    limits limits_;

    // The header being read, possibly across inputs.
    std::array<std::byte, max_header_bytes> header_{};
    std::size_t header_size_ = 0;

    // The frame whose payload is being read.
    bool in_payload_ = false;
    bool fin_ = false;
    opcode frame_op_ = opcode::continuation;
    mask_key key_{};
    std::uint64_t left_ = 0;    // payload bytes still to come
    std::uint64_t offset_ = 0;  // payload bytes seen so far (where the mask key continues)

    // The data message in progress (across frames).
    bool in_message_ = false;
    opcode message_op_ = opcode::binary;
    bool message_compressed_ = false;
    std::uint64_t message_size_ = 0;
    utf8_validator utf8_;

    // A control frame's payload, gathered whole (at most 125 bytes).
    std::array<std::byte, max_control_payload> control_{};
    std::size_t control_size_ = 0;
    std::uint16_t close_code_ = 0;

    violation error_ = violation::none;
};

}  // namespace wsecho::codec
