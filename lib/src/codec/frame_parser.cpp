// File: codec/frame_parser.cpp — RFC 6455 §5 from the server's side: every rule a client frame must follow.
#include <wsecho/codec/frame_parser.hpp>

#include <algorithm>
#include <cstring>

namespace wsecho::codec {

namespace {

// Header bytes for a frame whose first two bytes are b0, b1: 2, plus the extended length, plus the mask key.
std::size_t header_length(std::byte b1) noexcept
{
    const auto len7 = static_cast<std::uint8_t>(b1) & 0x7F;
    const std::size_t length_bytes = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    const bool masked = (static_cast<std::uint8_t>(b1) & 0x80) != 0;
    return 2 + length_bytes + (masked ? 4 : 0);
}

bool is_known_opcode(std::uint8_t op) noexcept
{
    return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

std::uint64_t read_big_endian(const std::byte* p, std::size_t n) noexcept
{
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i)
        v = (v << 8) | static_cast<std::uint8_t>(p[i]);
    return v;
}

}  // namespace

std::span<const std::byte> frame_parser::close_reason() const noexcept
{
    return control_size_ > 2 ? std::span<const std::byte>(control_.data() + 2, control_size_ - 2)
                             : std::span<const std::byte>();
}

frame_parser::result frame_parser::fail(violation v, std::size_t consumed)
{
    error_ = v;
    return {.what = event::error, .consumed = consumed};
}

frame_parser::result frame_parser::next(std::span<std::byte> input)
{
    if (error_ != violation::none)
        return {.what = event::error};
    std::size_t used = 0;
    if (!in_payload_)
    {
        // The header: read in place when the input holds all of it (the common case), else gathered.
        const std::byte* header = nullptr;
        if (header_size_ == 0 && input.size() >= 2 && input.size() >= header_length(input[1]))
        {
            header = input.data();
            used = header_length(input[1]);
            std::memcpy(header_.data(), header, used);
        }
        else
        {
            while (used < input.size())
            {
                const std::size_t want = header_size_ < 2 ? 2 : header_length(header_[1]);
                if (header_size_ == want)
                    break;
                const std::size_t n = std::min(want - header_size_, input.size() - used);
                std::memcpy(header_.data() + header_size_, input.data() + used, n);
                header_size_ += n;
                used += n;
            }
            if (header_size_ < 2 || header_size_ < header_length(header_[1]))
                return {.what = event::need_more, .consumed = used};
        }
        header_size_ = 0;
        auto started = start_frame(used);
        if (started.what == event::error)
            return started;
    }

    const std::size_t available = input.size() - used;
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, available));
    std::byte* payload = input.data() + used;
    unmask(payload, n, key_, static_cast<std::size_t>(offset_ % 4));
    offset_ += n;
    left_ -= n;
    used += n;

    if (is_control(frame_op_))
    {
        // Not memcpy: `payload` may be null when n is 0.
        std::copy_n(payload, n, control_.data() + control_size_);
        control_size_ += n;
        if (left_ > 0)
            return {.what = event::need_more, .consumed = used};
        in_payload_ = false;
        return finish_control(used);
    }

    if (n == 0 && left_ > 0)
        return {.what = event::need_more, .consumed = used};
    const std::span<std::byte> data(payload, n);
    const bool check_text = message_op_ == opcode::text && !message_compressed_;
    if (check_text && !utf8_.feed(data))
        return fail(violation::invalid_utf8, used);
    const bool last = left_ == 0 && fin_;
    if (left_ == 0)
        in_payload_ = false;
    if (last)
    {
        in_message_ = false;
        if (check_text && !utf8_.complete())
            return fail(violation::truncated_utf8, used);
    }
    return {.what = event::data, .consumed = used, .payload = data, .last = last};
}

frame_parser::result frame_parser::start_frame(std::size_t consumed)
{
    const auto b0 = static_cast<std::uint8_t>(header_[0]);
    const auto b1 = static_cast<std::uint8_t>(header_[1]);
    const bool fin = (b0 & 0x80) != 0;
    const bool rsv1 = (b0 & 0x40) != 0;
    const std::uint8_t op = b0 & 0x0F;

    if (b0 & 0x30)
        return fail(violation::reserved_bits, consumed);
    if (!is_known_opcode(op))
        return fail(violation::reserved_opcode, consumed);
    const auto kind = static_cast<opcode>(op);
    if ((b1 & 0x80) == 0)
        return fail(violation::unmasked_frame, consumed);

    std::uint64_t length = b1 & 0x7F;
    if (length == 126)
    {
        length = read_big_endian(&header_[2], 2);
        if (length < 126)
            return fail(violation::non_minimal_length, consumed);
    }
    else if (length == 127)
    {
        length = read_big_endian(&header_[2], 8);
        if (length >> 63)
            return fail(violation::length_too_large, consumed);
        if (length <= 0xFFFF)
            return fail(violation::non_minimal_length, consumed);
    }
    std::memcpy(key_.data(), &header_[header_length(header_[1]) - 4], 4);

    if (is_control(kind))
    {
        if (!fin)
            return fail(violation::fragmented_control, consumed);
        if (length > max_control_payload)
            return fail(violation::control_too_long, consumed);
        if (rsv1)
            return fail(violation::compressed_control, consumed);
        control_size_ = 0;
    }
    else
    {
        if (rsv1 && !limits_.compression)
            return fail(violation::compression_not_negotiated, consumed);
        if (kind == opcode::continuation)
        {
            if (!in_message_)
                return fail(violation::unexpected_continuation, consumed);
            if (rsv1)
                return fail(violation::compressed_continuation, consumed);
        }
        else
        {
            if (in_message_)
                return fail(violation::unfinished_message, consumed);
            in_message_ = true;
            message_op_ = kind;
            message_compressed_ = rsv1;
            message_size_ = 0;
            utf8_.reset();
        }
        // Compressed payload may come out slightly larger than the message it carries (stored blocks).
        const std::uint64_t max = limits_.max_message_bytes;
        const std::uint64_t limit =
            message_compressed_ && max < (std::uint64_t{1} << 62) ? max + max / 16 + 1024 : max;
        if (length > limit - message_size_)
            return fail(violation::message_too_big, consumed);
        message_size_ += length;
    }
    in_payload_ = true;
    fin_ = fin;
    frame_op_ = kind;
    left_ = length;
    offset_ = 0;
    return {.what = event::need_more, .consumed = consumed};
}

frame_parser::result frame_parser::finish_control(std::size_t consumed)
{
    switch (frame_op_)
    {
    case opcode::ping: return {.what = event::ping, .consumed = consumed};
    case opcode::pong: return {.what = event::pong, .consumed = consumed};
    default: break;
    }
    if (control_size_ == 1)
        return fail(violation::one_byte_close, consumed);
    if (control_size_ == 0)
    {
        close_code_ = close_codes::no_status;
        return {.what = event::close, .consumed = consumed};
    }
    close_code_ = static_cast<std::uint16_t>(read_big_endian(control_.data(), 2));
    if (!is_valid_close_code(close_code_))
        return fail(violation::invalid_close_code, consumed);
    if (!is_valid_utf8(close_reason()))
        return fail(violation::invalid_close_reason, consumed);
    return {.what = event::close, .consumed = consumed};
}

}  // namespace wsecho::codec
