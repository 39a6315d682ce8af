// File: bench/payload.cpp — building, stamping and checking wsecho-bench messages.
#include "bench/payload.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace wsecho::bench {

namespace {

constexpr std::size_t max_stamp = 16;  // hex digits of a 64-bit sequence number

// The last `width` hex digits of `sequence`, most significant first (the low digits change fastest, so
// even a short stamp tells neighbours apart).
std::array<char, max_stamp> stamp_of(std::uint64_t sequence, std::size_t width) noexcept
{
    constexpr char digits[] = "0123456789abcdef";
    std::array<char, max_stamp> out{};
    for (std::size_t i = width; i-- > 0;)
    {
        out[i] = digits[sequence & 0xf];
        sequence >>= 4;
    }
    return out;
}

}  // namespace

const char* describe(echo_verdict verdict)
{
    switch (verdict)
    {
    case echo_verdict::ok: return "ok";
    case echo_verdict::wrong_type: return "wrong message type";
    case echo_verdict::wrong_size: return "wrong size";
    case echo_verdict::wrong_sequence: return "wrong sequence number (lost, duplicated or reordered)";
    case echo_verdict::wrong_bytes: return "bytes differ";
    }
    return "?";
}

payload::payload(std::size_t size, bool text)
    : body_(size), stamp_width_(std::min(size, max_stamp)), text_(text)
{
    for (std::size_t i = 0; i < size; ++i)
        body_[i] = text ? static_cast<char>('!' + i % 94)           // printable ASCII, valid UTF-8
                        : static_cast<char>((i * 131 + 7) & 0xff);  // every byte value, mostly not UTF-8
}

void payload::stamp(std::span<char> message, std::uint64_t sequence) const noexcept
{
    const auto digits = stamp_of(sequence, stamp_width_);
    std::memcpy(message.data(), digits.data(), stamp_width_);
}

echo_verdict payload::check(
    std::span<const char> echo, bool echo_is_text, std::uint64_t sequence, std::size_t* mismatch_at
) const noexcept
{
    if (echo_is_text != text_)
        return echo_verdict::wrong_type;
    if (echo.size() != body_.size())
        return echo_verdict::wrong_size;
    if (body_.empty())
        return echo_verdict::ok;  // nothing to compare, and memcmp must not see an empty span's null data()
    const auto report = [&](std::size_t from, const char* expected, std::size_t n) {
        if (mismatch_at)
            *mismatch_at =
                from + static_cast<std::size_t>(
                           std::mismatch(expected, expected + n, echo.data() + from).first - expected
                       );
    };
    const auto digits = stamp_of(sequence, stamp_width_);
    if (std::memcmp(echo.data(), digits.data(), stamp_width_) != 0)
    {
        report(0, digits.data(), stamp_width_);
        return echo_verdict::wrong_sequence;
    }
    const auto rest = body_.size() - stamp_width_;
    if (std::memcmp(echo.data() + stamp_width_, body_.data() + stamp_width_, rest) != 0)
    {
        report(stamp_width_, body_.data() + stamp_width_, rest);
        return echo_verdict::wrong_bytes;
    }
    return echo_verdict::ok;
}

}  // namespace wsecho::bench
