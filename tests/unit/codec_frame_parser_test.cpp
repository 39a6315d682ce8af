// File: unit/codec_frame_parser_test.cpp — codec::frame_parser, bytes in and events out: every length class,
// every way of cutting the input, close frames, UTF-8 at every boundary, the limits (the violations:
// codec_frame_parser_violations_test.cpp).
#include "frame_parser_support.hpp"

using namespace wsecho::test::frames;

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
