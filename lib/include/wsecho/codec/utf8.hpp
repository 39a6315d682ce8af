// File: wsecho/codec/utf8.hpp — UTF-8 validation that can stop anywhere: a text message arrives in frames and
// reads of any size, and a code point may be cut between any two of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace wsecho::codec {

// RFC 3629 exactly: no overlong forms, no surrogates (U+D800-DFFF), nothing above U+10FFFF. Fails as soon as a
// byte cannot continue any valid sequence, so a peer learns of bad text before the message ends (RFC 6455
// §8.1 asks to fail "as soon as" possible).
class utf8_validator
{
public:
    // False once the bytes so far cannot be the start of valid UTF-8.
    bool feed(std::span<const std::byte> bytes) noexcept;
    // True when everything fed is valid and ends on a code point boundary.
    bool complete() const noexcept { return state_ == accept; }
    void reset() noexcept { state_ = accept; }

private:
    static constexpr std::uint8_t accept = 0;
    static constexpr std::uint8_t reject = 1;
    std::uint8_t state_ = accept;
};

// The whole of `bytes` at once.
bool is_valid_utf8(std::span<const std::byte> bytes) noexcept;

}  // namespace wsecho::codec
