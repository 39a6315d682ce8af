// File: unit/codec_frame_parser_violations_test.cpp — every protocol violation the frame parser detects, with
// its close code, as one table; invalid UTF-8; and that a failure comes as early as the bytes allow and stays.
#include "frame_parser_support.hpp"

using namespace wsecho::test::frames;

namespace {

const frame_parser::limits with_deflate{.compression = true};

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
