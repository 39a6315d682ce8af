// File: codec/utf8.cpp — the UTF-8 state machine, with a word-at-a-time skip over ASCII.
#include <wsecho/codec/utf8.hpp>

#include <cstring>

namespace wsecho::codec {

namespace {

// States beyond accept (0) and reject (1): how many continuation bytes are still owed, and for the lead
// bytes whose first continuation byte has a narrower range (RFC 3629 §4), which range.
enum : std::uint8_t
{
    need_1 = 2,    // 80..BF, then done
    need_2 = 3,    // 80..BF, then need_1
    need_3 = 4,    // 80..BF, then need_2
    after_e0 = 5,  // A0..BF (no overlong 3-byte forms), then need_1
    after_ed = 6,  // 80..9F (no surrogates), then need_1
    after_f0 = 7,  // 90..BF (no overlong 4-byte forms), then need_2
    after_f4 = 8,  // 80..8F (nothing above U+10FFFF), then need_2
};

std::uint8_t step(std::uint8_t state, std::uint8_t byte) noexcept
{
    auto in = [byte](unsigned lo, unsigned hi) { return byte >= lo && byte <= hi; };
    switch (state)
    {
    case 0:
        if (byte < 0x80)
            return 0;
        if (in(0xC2, 0xDF))
            return need_1;
        if (byte == 0xE0)
            return after_e0;
        if (byte == 0xED)
            return after_ed;
        if (in(0xE1, 0xEF))
            return need_2;
        if (byte == 0xF0)
            return after_f0;
        if (byte == 0xF4)
            return after_f4;
        if (in(0xF1, 0xF3))
            return need_3;
        return 1;
    case need_1: return in(0x80, 0xBF) ? 0 : 1;
    case need_2: return in(0x80, 0xBF) ? need_1 : 1;
    case need_3: return in(0x80, 0xBF) ? need_2 : 1;
    case after_e0: return in(0xA0, 0xBF) ? need_1 : 1;
    case after_ed: return in(0x80, 0x9F) ? need_1 : 1;
    case after_f0: return in(0x90, 0xBF) ? need_2 : 1;
    case after_f4: return in(0x80, 0x8F) ? need_2 : 1;
    default: return 1;
    }
}

constexpr std::uint64_t high_bits = 0x8080808080808080ull;

}  // namespace

bool utf8_validator::feed(std::span<const std::byte> bytes) noexcept
{
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto* end = p + bytes.size();
    std::uint8_t state = state_;
    while (p != end)
    {
        if (state == accept)
        {
            // Most text is ASCII: skip it eight bytes at a time.
            while (end - p >= 8)
            {
                std::uint64_t word = 0;
                std::memcpy(&word, p, 8);
                if (word & high_bits)
                    break;
                p += 8;
            }
            if (p == end)
                break;
        }
        state = step(state, *p++);
        if (state == reject)
            break;
    }
    state_ = state;
    return state_ != reject;
}

bool is_valid_utf8(std::span<const std::byte> bytes) noexcept
{
    utf8_validator v;
    return v.feed(bytes) && v.complete();
}

}  // namespace wsecho::codec
