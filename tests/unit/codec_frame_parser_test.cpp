// File: unit/codec_frame_parser_test.cpp — codec::frame_parser, bytes in and events out: every length class,
// every way of cutting the input, every protocol violation with its close code, and UTF-8 at every boundary.
#include <wsecho/codec/frame_parser.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

using namespace wsecho::codec;
using event = frame_parser::event;

namespace {

using bytes = std::vector<std::byte>;

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

void encode(bytes& out, const client_frame& f)
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

bytes wire(std::initializer_list<client_frame> frames)
{
    bytes out;
    for (const auto& f : frames)
        encode(out, f);
    return out;
}

std::string close_payload(std::uint16_t code, std::string_view reason = {})
{
    return std::string{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)} + std::string(reason);
}

std::string str(std::span<const std::byte> b)
{
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

std::string pattern(std::size_t n)
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

std::ostream& operator<<(std::ostream& os, const entry& e)
{
    os << "{event " << static_cast<int>(e.what) << (e.text ? " text" : "") << ", " << e.payload.size()
       << " bytes";
    if (e.payload.size() <= 32)
        os << " '" << e.payload << "'";
    return os << ", code " << e.code << ", " << make_error_code(e.error).message() << "}";
}

entry message(std::string m, bool text = true)
{
    return {.what = event::data, .text = text, .payload = std::move(m)};
}
entry control(event what, std::string payload = {})
{
    return {.what = what, .payload = std::move(payload)};
}
entry closed(std::uint16_t code, std::string reason = {})
{
    return {.what = event::close, .payload = std::move(reason), .code = code};
}
entry failure(violation v)
{
    return {.what = event::error, .payload = {}, .error = v};
}

// Cuttings of the input: piece sizes used in turn (0: all that is left). Whole, byte by byte, odd sizes.
const std::vector<std::vector<std::size_t>> cuttings{
    {0}, {1}, {1, 3, 7, 13}, {2, 5, 11, 127, 4099}, {13, 65539}};

// Feeds `w` in pieces cut as `cut` says and records the events; a partial message at the end is recorded too.
std::vector<entry> feed(bytes w, const std::vector<std::size_t>& cut, frame_parser::limits limits = {})
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
std::vector<entry> parse(const bytes& w, frame_parser::limits limits = {})
{
    const auto whole = feed(w, {0}, limits);
    for (const auto& cut : cuttings)
        EXPECT_EQ(feed(w, cut, limits), whole) << "cutting starting with " << cut[0];
    return whole;
}

}  // namespace

// Every length class (7-bit, 16-bit, 64-bit, and their edges) decodes and unmasks to the payload sent.
TEST(codec_frame_parser, decodes_every_length_class)
{
    for (std::size_t n : {0u, 1u, 125u, 126u, 65535u, 65536u, 1u << 20})
    {
        SCOPED_TRACE(n);
        EXPECT_EQ(parse(wire({{.op = 2, .payload = pattern(n)}})), std::vector{message(pattern(n), false)});
        const std::string text(n, 'x');
        EXPECT_EQ(parse(wire({{.op = 1, .payload = text, .key = {1, 2, 3, 4}}})), std::vector{message(text)});
    }
}

// Fragments, control frames between them (with payloads up to 125 bytes) and zero-length frames give the same
// events however the input is cut.
TEST(codec_frame_parser, mixed_stream_is_independent_of_cutting)
{
    const auto w = wire({
        {.op = 1, .payload = "Hel", .fin = false},
        {.op = 9, .payload = "p1"},
        {.op = 0, .payload = "", .fin = false},
        {.op = 0xA, .payload = ""},
        {.op = 0, .payload = "lo", .fin = false, .key = {0, 0, 0, 0}},
        {.op = 0x9, .payload = ""},
        {.op = 0, .payload = " W\xC3\xA9"},
        {.op = 2, .payload = ""},
        {.op = 2, .payload = pattern(300), .key = {0xFF, 0, 0x80, 1}},
        {.op = 0xA, .payload = pattern(125)},
        {.op = 9, .payload = pattern(125)},
        {.op = 8, .payload = close_payload(1000, "bye")},
    });
    EXPECT_EQ(
        parse(w),
        (std::vector{
            control(event::ping, "p1"),
            control(event::pong),
            control(event::ping),
            message("Hello W\xC3\xA9"),
            message("", false),
            message(pattern(300), false),
            control(event::pong, pattern(125)),
            control(event::ping, pattern(125)),
            closed(1000, "bye")})
    );
}

namespace {

const frame_parser::limits with_deflate{.compression = true};
const frame_parser::limits limit_1000{.max_message_bytes = 1000};
const frame_parser::limits limit_10{.max_message_bytes = 10};

// name, input, violation, close code, limits
using violation_case = std::tuple<std::string, bytes, violation, std::uint16_t, frame_parser::limits>;

std::vector<violation_case> violation_cases()
{
    using enum violation;
    const std::string long_reason(124, 'r');
    std::vector<violation_case> c{
        {"rsv2", wire({{.payload = "x", .rsv = 0x20}}), reserved_bits, 1002, {}},
        {"rsv3", wire({{.payload = "x", .rsv = 0x10}}), reserved_bits, 1002, {}},
        {"unmasked", wire({{.payload = "x", .masked = false}}), unmasked_frame, 1002, {}},
        {"16-bit length of 125", wire({{.payload = pattern(125), .ext = 2}}), non_minimal_length, 1002, {}},
        {"16-bit length of 0", wire({{.payload = "", .ext = 2}}), non_minimal_length, 1002, {}},
        {"64-bit length of 65535",
         wire({{.payload = pattern(65535), .ext = 8}}),
         non_minimal_length,
         1002,
         {}},
        {"64-bit length of 126", wire({{.payload = pattern(126), .ext = 8}}), non_minimal_length, 1002, {}},
        {"64-bit length, top bit", wire({{.op = 2, .announced = 1ull << 63}}), length_too_large, 1002, {}},
        {"64-bit length, all ones", wire({{.op = 2, .announced = ~0ull}}), length_too_large, 1002, {}},
        {"fragmented ping", wire({{.op = 9, .payload = "p", .fin = false}}), fragmented_control, 1002, {}},
        {"fragmented close", wire({{.op = 8, .payload = "", .fin = false}}), fragmented_control, 1002, {}},
        {"ping of 126", wire({{.op = 9, .payload = pattern(126)}}), control_too_long, 1002, {}},
        {"close of 126",
         wire({{.op = 8, .payload = close_payload(1000, long_reason)}}),
         control_too_long,
         1002,
         {}},
        {"rsv1 ping", wire({{.op = 9, .rsv = 0x40}}), compressed_control, 1002, {}},
        {"rsv1 pong, deflate on", wire({{.op = 0xA, .rsv = 0x40}}), compressed_control, 1002, with_deflate},
        {"rsv1 text, no deflate",
         wire({{.payload = "x", .rsv = 0x40}}),
         compression_not_negotiated,
         1002,
         {}},
        {"rsv1 continuation",
         wire({{.payload = "x", .fin = false, .rsv = 0x40}, {.op = 0, .rsv = 0x40}}),
         compressed_continuation,
         1002,
         with_deflate},
        {"continuation first", wire({{.op = 0, .payload = "x"}}), unexpected_continuation, 1002, {}},
        {"continuation after a message",
         wire({{.payload = "a"}, {.op = 0, .payload = "b"}}),
         unexpected_continuation,
         1002,
         {}},
        {"text inside text",
         wire({{.payload = "a", .fin = false}, {.payload = "b"}}),
         unfinished_message,
         1002,
         {}},
        {"binary inside text",
         wire({{.payload = "a", .fin = false}, {.op = 2}}),
         unfinished_message,
         1002,
         {}},
        {"1-byte close", wire({{.op = 8, .payload = "\x03"}}), one_byte_close, 1002, {}},
        {"close reason not UTF-8",
         wire({{.op = 8, .payload = close_payload(1000, "bad \xFF")}}),
         invalid_close_reason,
         1007,
         {}},
        {"close reason cut in a code point",
         wire({{.op = 8, .payload = close_payload(1000, "\xE2\x82")}}),
         invalid_close_reason,
         1007,
         {}},
        {"too big, header alone", wire({{.op = 2, .announced = 1001}}), message_too_big, 1009, limit_1000},
        {"too big, 64-bit header alone",
         wire({{.op = 1, .announced = 1ull << 40}}),
         message_too_big,
         1009,
         {}},
        {"too big across fragments",
         wire({{.payload = "1234", .fin = false}, {.op = 0, .payload = "5678901"}}),
         message_too_big,
         1009,
         limit_10},
        {"text not UTF-8", wire({{.payload = "abc\xFF"}}), invalid_utf8, 1007, {}},
        {"text ends inside a code point", wire({{.payload = "ab\xE2\x82"}}), truncated_utf8, 1007, {}},
        {"fragments end in a code point",
         wire({{.payload = "\xF0\x9F", .fin = false}, {.op = 0, .payload = "\x98"}}),
         truncated_utf8,
         1007,
         {}},
        {"empty last fragment in a code point",
         wire({{.payload = "\xC3", .fin = false}, {.op = 0}}),
         truncated_utf8,
         1007,
         {}},
    };
    const frame_parser::limits defaults;
    for (std::uint8_t op : std::to_array<std::uint8_t>({3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}))
        c.emplace_back("opcode " + std::to_string(op), wire({{.op = op}}), reserved_opcode, 1002, defaults);
    for (std::uint16_t code : std::to_array<std::uint16_t>(
             {0, 999, 1004, 1005, 1006, 1012, 1013, 1014, 1015, 1016, 2000, 2999, 5000, 65535}
         ))
        c.emplace_back(
            "close code " + std::to_string(code),
            wire({{.op = 8, .payload = close_payload(code)}}),
            invalid_close_code,
            1002,
            defaults
        );
    return c;
}

}  // namespace

// Every protocol violation is detected, however the input is cut, and maps to the close code RFC 6455 asks for.
TEST(codec_frame_parser, detects_every_violation)
{
    for (const auto& [name, input, expected, code, limits] : violation_cases())
    {
        SCOPED_TRACE(name);
        const auto events = parse(input, limits);
        ASSERT_FALSE(events.empty());
        EXPECT_EQ(events.back(), failure(expected));
        EXPECT_EQ(close_code_for(expected), code);
        EXPECT_NE(make_error_code(expected).message(), "unknown violation");
    }
}

// Every close code a peer may send reads back with its reason; an empty close reads as 1005.
TEST(codec_frame_parser, reads_valid_close_frames)
{
    for (std::uint16_t code : std::to_array<std::uint16_t>(
             {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999}
         ))
    {
        SCOPED_TRACE(code);
        EXPECT_EQ(
            parse(wire({{.op = 8, .payload = close_payload(code, "r\xC3\xA9")}})),
            std::vector{closed(code, "r\xC3\xA9")}
        );
    }
    EXPECT_EQ(parse(wire({{.op = 8, .payload = ""}})), std::vector{closed(1005)});
    const std::string longest(123, 'r');
    EXPECT_EQ(
        parse(wire({{.op = 8, .payload = close_payload(1000, longest)}})), std::vector{closed(1000, longest)}
    );
}

// UTF-8 valid only as a whole passes when split across fragments (and, by parse(), across any input cut).
TEST(codec_frame_parser, accepts_utf8_split_anywhere)
{
    const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\xED\x9F\xBF\xEE\x80\x80z";
    const std::vector expected{control(event::ping, "between"), message(text)};
    for (std::size_t i = 0; i <= text.size(); ++i)
        for (std::size_t j = i; j <= text.size(); ++j)
        {
            SCOPED_TRACE(std::to_string(i) + "," + std::to_string(j));
            const auto w = wire(
                {{.payload = text.substr(0, i), .fin = false},
                 {.op = 9, .payload = "between"},
                 {.op = 0, .payload = text.substr(i, j - i), .fin = false},
                 {.op = 0, .payload = text.substr(j)}}
            );
            EXPECT_EQ(feed(w, {1}), expected);
            EXPECT_EQ(feed(w, {0}), expected);
        }
}

// Overlong forms, surrogates, code points past U+10FFFF and stray bytes fail as invalid UTF-8 (1007); a binary
// message carries them.
TEST(codec_frame_parser, rejects_invalid_utf8)
{
    for (const char* bad :
         {"\xC0\x80",
          "\xC1\xBF",
          "\xE0\x80\xAF",
          "\xE0\x9F\xBF",
          "\xF0\x80\x80\xAF",
          "\xF0\x8F\xBF\xBF",
          "\xED\xA0\x80",
          "\xED\xBF\xBF",
          "\xF4\x90\x80\x80",
          "\xF5\x80\x80\x80",
          "\xF8\x88\x80\x80\x80",
          "\x80",
          "\xBF",
          "\xFE",
          "\xFF",
          "\xC3\x28",
          "\xE2\x28\xA1",
          "\xF0\x9F\x98\x28"})
    {
        SCOPED_TRACE(testing::PrintToString(std::string(bad)));
        EXPECT_EQ(
            parse(wire({{.payload = std::string("ok ") + bad + " tail"}})),
            std::vector{failure(violation::invalid_utf8)}
        );
        EXPECT_EQ(parse(wire({{.op = 2, .payload = bad}})), std::vector{message(bad, false)});
    }
}

// Bad text fails at the first impossible byte, before its frame or message ends; an oversized message at its
// header, before any payload.
TEST(codec_frame_parser, fails_as_soon_as_possible)
{
    EXPECT_EQ(
        feed(wire({{.payload = "abc\xFF", .fin = false}}), {1}), std::vector{failure(violation::invalid_utf8)}
    );
    EXPECT_EQ(
        feed(wire({{.payload = "\xED\xA0", .announced = 100}}), {1}),  // 98 payload bytes never come
        std::vector{failure(violation::invalid_utf8)}
    );
    frame_parser p(limit_1000);
    auto header = wire({{.op = 2, .announced = 1001}});
    EXPECT_EQ(p.next(header).what, event::error);
    EXPECT_EQ(p.error(), violation::message_too_big);
}

// A message exactly at max_message_bytes passes, in one frame or in fragments that sum to it.
TEST(codec_frame_parser, accepts_a_message_at_the_limit)
{
    EXPECT_EQ(parse(wire({{.payload = "0123456789"}}), limit_10), std::vector{message("0123456789")});
    const auto w =
        wire({{.payload = "01234", .fin = false}, {.op = 0, .payload = "56789"}, {.payload = "again"}});
    EXPECT_EQ(parse(w, limit_10), (std::vector{message("0123456789"), message("again")}));
}

// data_payload_left() counts down a data frame's payload and is 0 between frames and inside control frames.
TEST(codec_frame_parser, tracks_the_payload_left)
{
    auto w = wire({{.op = 2, .payload = pattern(1000)}, {.op = 9, .payload = "ping"}});
    frame_parser p;
    EXPECT_EQ(p.data_payload_left(), 0u);
    // 2 + 2 length + 4 mask: the header alone.
    EXPECT_EQ(p.next(std::span(w).first(8)).what, event::need_more);
    EXPECT_EQ(p.data_payload_left(), 1000u);
    auto r = p.next(std::span(w).subspan(8, 300));
    EXPECT_EQ(r.what, event::data);
    EXPECT_EQ(r.payload.size(), 300u);
    EXPECT_FALSE(r.last);
    EXPECT_EQ(p.data_payload_left(), 700u);
    EXPECT_TRUE(p.next(std::span(w).subspan(308, 700)).last);
    EXPECT_EQ(p.data_payload_left(), 0u);
    EXPECT_EQ(p.next(std::span(w).subspan(1008, 7)).what, event::need_more);  // the ping's header and 1 byte
    EXPECT_EQ(p.data_payload_left(), 0u);
}

// After an error the parser stays failed: every later call reports the same error and uses nothing.
TEST(codec_frame_parser, errors_are_final)
{
    auto w = wire({{.op = 3}, {.payload = "fine"}});
    frame_parser p;
    const auto r = p.next(w);
    ASSERT_EQ(r.what, event::error);
    const auto again = p.next(std::span(w).subspan(r.consumed));
    EXPECT_EQ(again.what, event::error);
    EXPECT_EQ(again.consumed, 0u);
    EXPECT_EQ(p.error(), violation::reserved_opcode);
}

// An empty input (even a null span) anywhere in a frame is need_more and uses nothing.
TEST(codec_frame_parser, takes_empty_input_anywhere)
{
    for (std::size_t cut : {0u, 1u, 6u, 8u})
    {
        auto w = wire({{.op = 9, .payload = "ping"}});
        frame_parser p;
        EXPECT_EQ(p.next(std::span(w).first(cut)).what, event::need_more);
        EXPECT_EQ(p.next(std::span<std::byte>()).what, event::need_more);
        EXPECT_EQ(p.next(std::span(w).subspan(cut)).what, event::ping);
        EXPECT_EQ(str(p.control_payload()), "ping");
    }
}
