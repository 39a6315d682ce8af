// File: wsecho/codec/error.hpp — every way a client can break the WebSocket protocol, the close code each one
// is answered with (RFC 6455 §7.4.1), and an error_code category so logs name the exact rule.
#pragma once

#include <boost/system/error_code.hpp>

#include <cstdint>
#include <type_traits>

namespace wsecho::codec {

enum class violation : std::uint8_t
{
    none = 0,
    // 1002 protocol error
    reserved_bits = 1,           // RSV2 or RSV3 set
    reserved_opcode,             // opcode 3-7 or B-F
    unmasked_frame,              // a client frame without a mask (§5.1)
    non_minimal_length,          // 126/127 length forms for a length that fits a shorter one
    length_too_large,            // 64-bit length with the top bit set
    fragmented_control,          // a control frame without FIN
    control_too_long,            // a control frame over 125 bytes
    compressed_control,          // RSV1 on a control frame
    compression_not_negotiated,  // RSV1 without permessage-deflate
    compressed_continuation,     // RSV1 on a continuation frame (RFC 7692 §6.1)
    unexpected_continuation,     // a continuation frame outside a message
    unfinished_message,          // a text or binary frame while a fragmented message is open
    one_byte_close,              // a close payload of one byte
    invalid_close_code,          // a close code no peer may send (1005, 1006, 5000, ...)
    // 1007 invalid payload data
    invalid_utf8,             // a text message that is not UTF-8
    truncated_utf8,           // a text message ending inside a code point
    invalid_close_reason,     // a close reason that is not UTF-8
    corrupt_compressed_data,  // a compressed message that does not inflate
    // 1009 message too big
    message_too_big,
};

// The close code a server sends for `v`.
std::uint16_t close_code_for(violation v) noexcept;

const boost::system::error_category& violation_category() noexcept;

inline boost::system::error_code make_error_code(violation v) noexcept
{
    return {static_cast<int>(v), violation_category()};
}

}  // namespace wsecho::codec

template <>
struct boost::system::is_error_code_enum<wsecho::codec::violation> : std::true_type
{};
