// File: unit/frame_parser_support.hpp — what the frame parser's tests share: client frames written as bytes
// (masked as a client must), and the parser's events collected as comparable entries, whatever the input's cuts.
#pragma once

#include <wsecho/codec/frame_parser.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace wsecho::test::frames {

using namespace wsecho::codec;
using event = frame_parser::event;

using bytes = std::vector<std::byte>;

inline const frame_parser::limits limit_1000{.max_message_bytes = 1000};
inline const frame_parser::limits limit_10{.max_message_bytes = 10};

// One client frame as a test writes it; encode() masks it. `announced` replaces the payload's length in the
// header (a header that promises more than follows); `ext` forces 0, 2 or 8 extended length bytes (-1: the
// shortest form), which makes non-minimal lengths.
struct client_frame
{
    std::uint8_t op = 0x1;
    std::string payload{};
    bool fin = true;
    std::uint8_t rsv = 0;  // 0x40 RSV1, 0x20 RSV2, 0x10 RSV3
    int ext = -1;
    bool masked = true;
    std::optional<std::uint64_t> announced{};
    std::array<std::uint8_t, 4> key{0x37, 0xFA, 0x21, 0x3D};
};

inline void encode(bytes& out, const client_frame& f)
{
    auto put = [&out](std::uint64_t v) { out.push_back(static_cast<std::byte>(v)); };
    const std::uint64_t n = f.announced.value_or(f.payload.size());
    const int ext = f.ext >= 0 ? f.ext : n < 126 ? 0 : n <= 0xFFFF ? 2 : 8;
    put((f.fin ? 0x80u : 0u) | f.rsv | f.op);
    put((f.masked ? 0x80u : 0u) | (ext == 0 ? n : ext == 2 ? 126 : 127));
    for (int i = ext - 1; i >= 0; --i)
        put(n >> (8 * i));
    for (std::size_t i = 0; i < (f.masked ? 4u : 0u); ++i)
        put(f.key[i]);
    for (std::size_t i = 0; i < f.payload.size(); ++i)
        put(static_cast<std::uint8_t>(f.payload[i]) ^ (f.masked ? f.key[i % 4] : 0u));
}

inline bytes wire(std::initializer_list<client_frame> frames)
{
    bytes out;
    for (const auto& f : frames)
        encode(out, f);
    return out;
}

inline std::string close_payload(std::uint16_t code, std::string_view reason = {})
{
    return std::string{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)} + std::string(reason);
}

inline std::string str(std::span<const std::byte> b)
{
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

inline std::string pattern(std::size_t n)
{
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        s[i] = static_cast<char>((i * 7 + i / 251) & 0xFF);
    return s;
}

// What came out of the parser, with data events joined into whole messages (so cuttings compare equal).
struct entry
{
    event what = event::need_more;
    bool text = false;
    std::string payload{};  // the message, the ping/pong payload, or the close reason
    std::uint16_t code = 0;
    violation error = violation::none;
    bool operator==(const entry&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const entry& e)
{
    os << "{event " << static_cast<int>(e.what) << (e.text ? " text" : "") << ", " << e.payload.size()
       << " bytes";
    if (e.payload.size() <= 32)
        os << " '" << e.payload << "'";
    return os << ", code " << e.code << ", " << make_error_code(e.error).message() << "}";
}

inline entry message(std::string m, bool text = true)
{
    return {.what = event::data, .text = text, .payload = std::move(m)};
}
inline entry control(event what, std::string payload = {})
{
    return {.what = what, .payload = std::move(payload)};
}
inline entry closed(std::uint16_t code, std::string reason = {})
{
    return {.what = event::close, .payload = std::move(reason), .code = code};
}
inline entry failure(violation v)
{
    return {.what = event::error, .payload = {}, .error = v};
}

// Cuttings of the input: piece sizes used in turn (0: all that is left). Whole, byte by byte, odd sizes.
const std::vector<std::vector<std::size_t>> cuttings{
    {0}, {1}, {1, 3, 7, 13}, {2, 5, 11, 127, 4099}, {13, 65539}};

// Feeds `w` in pieces cut as `cut` says and records the events; a partial message at the end is recorded too.
inline std::vector<entry> feed(bytes w, const std::vector<std::size_t>& cut, frame_parser::limits limits = {})
{
    frame_parser p(limits);
    std::vector<entry> out;
    std::string msg;
    for (std::size_t piece = 0, pos = 0; pos < w.size(); ++piece)
    {
        const std::size_t want = cut[piece % cut.size()];
        std::span<std::byte> in(w.data() + pos, want == 0 ? w.size() - pos : std::min(want, w.size() - pos));
        pos += in.size();
        for (bool more = true; more;)
        {
            const auto r = p.next(in);
            EXPECT_LE(r.consumed, in.size());
            in = in.subspan(r.consumed);
            switch (r.what)
            {
            case event::need_more:
                EXPECT_TRUE(in.empty()) << "need_more must use all of the input";
                more = false;
                break;
            case event::data:
                msg += str(r.payload);
                if (r.last)
                    out.push_back(message(std::exchange(msg, {}), p.text()));
                break;
            case event::ping:
            case event::pong: out.push_back(control(r.what, str(p.control_payload()))); break;
            case event::close: out.push_back(closed(p.close_code(), str(p.close_reason()))); break;
            case event::error: out.push_back(failure(p.error())); return out;
            }
        }
    }
    if (!msg.empty())
        out.push_back({.what = event::need_more, .payload = msg});
    return out;
}

// The events of `w` fed whole, after checking that every other cutting gives the same.
inline std::vector<entry> parse(const bytes& w, frame_parser::limits limits = {})
{
    const auto whole = feed(w, {0}, limits);
    for (const auto& cut : cuttings)
        EXPECT_EQ(feed(w, cut, limits), whole) << "cutting starting with " << cut[0];
    return whole;
}

}  // namespace wsecho::test::frames
