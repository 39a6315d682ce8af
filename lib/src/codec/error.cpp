// File: codec/error.cpp — the protocol violations' close codes and messages.
#include <wsecho/codec/error.hpp>
#include <wsecho/codec/frame.hpp>

#include <string>

namespace wsecho::codec {

std::uint16_t close_code_for(violation v) noexcept
{
    switch (v)
    {
    case violation::invalid_utf8:
    case violation::truncated_utf8:
    case violation::invalid_close_reason:
    case violation::corrupt_compressed_data: return close_codes::invalid_payload;
    case violation::message_too_big: return close_codes::too_big;
    default: return close_codes::protocol_error;
    }
}

namespace {

// boost::system::error_category has a protected non-virtual destructor by design (categories are never
// deleted through a base pointer); -Wnon-virtual-dtor cannot tell.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class violation_category_impl final : public boost::system::error_category
{
public:
    const char* name() const noexcept override { return "websocket protocol"; }

    std::string message(int ev) const override
    {
        switch (static_cast<violation>(ev))
        {
        case violation::none: return "no violation";
        case violation::reserved_bits: return "reserved bits RSV2/RSV3 set";
        case violation::reserved_opcode: return "reserved opcode";
        case violation::unmasked_frame: return "unmasked frame from a client";
        case violation::non_minimal_length: return "frame length not in its shortest form";
        case violation::length_too_large: return "frame length over 2^63";
        case violation::fragmented_control: return "fragmented control frame";
        case violation::control_too_long: return "control frame over 125 bytes";
        case violation::compressed_control: return "RSV1 set on a control frame";
        case violation::compression_not_negotiated: return "RSV1 set without permessage-deflate";
        case violation::compressed_continuation: return "RSV1 set on a continuation frame";
        case violation::unexpected_continuation: return "continuation frame outside a message";
        case violation::unfinished_message: return "new message inside a fragmented one";
        case violation::one_byte_close: return "close frame with a 1-byte payload";
        case violation::invalid_close_code: return "invalid close code";
        case violation::invalid_utf8: return "text message is not UTF-8";
        case violation::truncated_utf8: return "text message ends inside a UTF-8 sequence";
        case violation::invalid_close_reason: return "close reason is not UTF-8";
        case violation::corrupt_compressed_data: return "compressed message does not inflate";
        case violation::message_too_big: return "message too big";
        }
        return "unknown violation";
    }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& violation_category() noexcept
{
    static const violation_category_impl instance;
    return instance;
}

}  // namespace wsecho::codec
