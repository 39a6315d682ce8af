// File: bench/payload.hpp — the messages wsecho-bench sends and the byte-for-byte check of every echo.
//
// Every message is a prebuilt body with the message's sequence number stamped over its first (up to 16)
// bytes as hex digits, so an echo proves its content and its place in the stream (a reordered, lost or
// duplicated echo carries the wrong number). Text bodies are printable ASCII; binary ones run through
// all 256 byte values, so a peer that mangles non-UTF-8 bytes is caught too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace wsecho::bench {

enum class echo_verdict
{
    ok,
    wrong_type,  // text came back as binary or the other way round
    wrong_size,
    wrong_sequence,  // the stamp differs: an echo lost, duplicated or out of order
    wrong_bytes,     // the body differs
};

const char* describe(echo_verdict verdict);

class payload
{
public:
    payload(std::size_t size, bool text);

    std::size_t size() const noexcept { return body_.size(); }
    bool text() const noexcept { return text_; }
    // The unstamped body: copy it once per connection, then stamp() the copy before each send.
    const std::vector<char>& body() const noexcept { return body_; }

    // Writes the stamp of `sequence` over the first stamp_width() bytes of `message` (a copy of body()).
    void stamp(std::span<char> message, std::uint64_t sequence) const noexcept;
    std::size_t stamp_width() const noexcept { return stamp_width_; }

    // Compares an echo with the message `sequence` should have been; `mismatch_at` gets the first
    // differing byte's offset for wrong_sequence and wrong_bytes.
    echo_verdict check(
        std::span<const char> echo,
        bool echo_is_text,
        std::uint64_t sequence,
        std::size_t* mismatch_at = nullptr
    ) const noexcept;

private:
    std::vector<char> body_;
    std::size_t stamp_width_;
    bool text_;
};

}  // namespace wsecho::bench
