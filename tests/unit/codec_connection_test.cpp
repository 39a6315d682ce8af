// File: unit/codec_connection_test.cpp — codec::connection driven as the server drives it, what it sends read
// back frame by frame; plus the close frame writer on its own (the UTF-8 validator and unmask:
// codec_utf8_and_mask_test.cpp). Frames are built with the parser tests' helpers (frame_parser_support.hpp).
#include <wsecho/codec/connection.hpp>
#include <wsecho/codec/utf8.hpp>

#include <gtest/gtest.h>
#include <malloc.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "frame_parser_support.hpp"

// ASan's count of the heap in use (null without ASan, whose malloc mallinfo2() does not see).
extern "C" [[gnu::weak]] std::size_t __sanitizer_get_current_allocated_bytes();

using namespace wsecho::codec;
using kind = connection::event::kind;

namespace {

namespace frames = wsecho::test::frames;
using frames::bytes;
using frames::close_payload;
using frames::pattern;
using frames::str;

std::span<const std::byte> as_bytes(const std::string& s)
{
    return std::as_bytes(std::span(s));
}

// A masked client frame in the shortest length form: FIN unless `fin` is false, RSV1 when `rsv1`.
bytes frame(std::uint8_t op, const std::string& payload, bool fin = true, bool rsv1 = false)
{
    return frames::wire({{.op = op, .payload = payload, .fin = fin, .rsv = std::uint8_t(rsv1 ? 0x40 : 0)}});
}

bytes operator+(bytes a, const bytes& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// Reads unmasked server frames as "<kind> <payload>" (kind text, binary, close, ping or pong; "+z" after it
// when RSV1 is set); fails the test on a frame without FIN, a mask, a non-minimal length or a frame cut short.
std::vector<std::string> read_frames(std::span<const std::byte> b)
{
    static const char* const kinds[16] = {
        "?", "text", "binary", "?", "?", "?", "?", "?", "close", "ping", "pong"};
    std::vector<std::string> frames;
    while (b.size() >= 2)
    {
        const auto at = [&b](std::size_t i) { return static_cast<std::uint8_t>(b[i]); };
        EXPECT_EQ((at(0) & 0xB0) | (at(1) & 0x80), 0x80)
            << "a server frame has FIN, no RSV2/RSV3 and no mask";
        const std::size_t ext = (at(1) & 0x7F) == 126 ? 2 : (at(1) & 0x7F) == 127 ? 8 : 0;
        std::uint64_t n = ext == 0 ? at(1) & 0x7Fu : 0;
        for (std::size_t i = 0; i < ext && 2 + i < b.size(); ++i)
            n = n << 8 | at(2 + i);
        EXPECT_TRUE(ext == 0 || n > (ext == 2 ? 125u : 0xFFFFu)) << "length not in its shortest form";
        if (b.size() < 2 + ext + n)
            break;
        const std::string kind = kinds[at(0) & 0x0F] ? kinds[at(0) & 0x0F] : "?";
        frames.push_back(kind + ((at(0) & 0x40) != 0 ? "+z " : " ") + str(b.subspan(2 + ext, n)));
        b = b.subspan(2 + ext + n);
    }
    EXPECT_TRUE(b.empty()) << "a frame cut short";
    return frames;
}

std::string close_frame(std::uint16_t code, std::string_view reason = {})
{
    return "close " + close_payload(code, reason);
}

// The server's loop: feed bytes until they are used up or the connection closes, echoing each message.
struct server
{
    explicit server(connection_options o = {}) : c(o) {}

    kind feed(bytes input)
    {
        std::span<std::byte> in(input);
        for (;;)
        {
            const auto e = c.next(in, out);
            in = in.subspan(e.consumed);
            if (e.what != kind::message)
                return e.what;
            messages.push_back(str(e.payload));
            out.append(c.send_message(e.text, e.payload, out));  // the tail, as if written right after `out`
            c.message_done();
        }
    }
    std::vector<std::string> sent() const { return read_frames(out.bytes()); }  // what went out so far

    connection c;
    byte_buffer out;
    std::vector<std::string> messages;
};

std::size_t allocated_bytes()
{
    if (&__sanitizer_get_current_allocated_bytes != nullptr)
        return __sanitizer_get_current_allocated_bytes();
    const auto m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

const connection_options deflate_on{
    .max_message_bytes = 1u << 16, .deflate = deflate_params{}, .compression = {}};

}  // namespace

// Messages, fragmented or not, empty or not, are echoed as one frame each; pings get a pong with their payload.
TEST(codec_connection, echoes_messages)
{
    server s;
    const auto input = frame(1, "hello") + frame(2, pattern(300)) + frame(1, "") + frame(1, "frag", false) +
                       frame(9, "p") + frame(0, "mented") + frame(9, "") + frame(9, pattern(125));
    EXPECT_EQ(s.feed(input), kind::need_more);
    EXPECT_EQ(s.messages, (std::vector<std::string>{"hello", pattern(300), "", "fragmented"}));
    EXPECT_EQ(
        s.sent(),
        (std::vector<std::string>{
            "text hello",
            "binary " + pattern(300),
            "text ",
            "pong p",
            "text fragmented",
            "pong ",
            "pong " + pattern(125)})
    );
}

// Up to 64 KiB a payload is copied into `out`; past it only the header is, and the payload comes back uncopied.
TEST(codec_connection, returns_large_payloads_as_a_tail)
{
    for (std::size_t n : {0u, 125u, 126u, 65535u, 65536u, 65537u, 1u << 20})
    {
        SCOPED_TRACE(n);
        connection c({});
        byte_buffer out;
        auto input = frame(2, pattern(n));
        const auto e = c.next(input, out);
        ASSERT_EQ(e.what, kind::message);
        const auto tail = c.send_message(false, e.payload, out);
        EXPECT_EQ(tail.data(), n > connection::copied_payload_bytes ? e.payload.data() : nullptr);
        EXPECT_EQ(out.size(), n > connection::copied_payload_bytes ? 10 : frame(2, pattern(n)).size() - 4);
        out.append(tail);
        EXPECT_TRUE(read_frames(out.bytes()) == std::vector<std::string>{"binary " + pattern(n)});
    }
}

// The peer's close is answered with its own code (an empty close with 1000), then the connection is closed.
TEST(codec_connection, answers_the_peers_close)
{
    const std::tuple<std::string, std::uint16_t, std::uint16_t> cases[] = {
        // payload, answer, recorded code
        {close_payload(1000, "bye"), 1000, 1000},
        {"", 1000, 1005},
        {close_payload(4999, "x"), 4999, 4999}};
    for (const auto& [payload, answer, recorded] : cases)
    {
        server s;
        EXPECT_EQ(s.feed(frame(8, payload) + frame(1, "late")), kind::closed);
        EXPECT_EQ(s.sent(), std::vector{close_frame(answer)});
        EXPECT_EQ(s.c.current_state(), connection::state::closed);
        EXPECT_EQ(s.c.peer_close_code(), recorded);
        EXPECT_EQ(s.c.peer_close_reason(), payload.size() > 2 ? payload.substr(2) : "");
        EXPECT_FALSE(s.c.failed());
    }
}

// A protocol violation is answered with its close code, then nothing: no echo, pong, ping or second close.
TEST(codec_connection, fails_a_violation_with_its_close_code)
{
    const std::pair<bytes, violation> cases[] = {
        {frame(3, "x"), violation::reserved_opcode},
        {frame(1, "ok \xFF"), violation::invalid_utf8},
        {frame(2, pattern(2000)), violation::message_too_big},
        {frame(0, "x"), violation::unexpected_continuation},
        {frame(8, close_payload(1005)), violation::invalid_close_code}};
    for (const auto& [input, v] : cases)
    {
        SCOPED_TRACE(make_error_code(v).message());
        server s({.max_message_bytes = 1000, .deflate = {}, .compression = {}});
        EXPECT_EQ(s.feed(frame(1, "first") + input + frame(1, "after") + frame(9, "ping")), kind::closed);
        const auto sent = s.sent();
        ASSERT_EQ(sent.size(), 2u);
        EXPECT_EQ(sent[0], "text first");
        EXPECT_EQ(sent[1], close_frame(close_code_for(v), make_error_code(v).message()));
        EXPECT_EQ(s.c.error(), v);
        EXPECT_EQ(s.c.close_code_sent(), close_code_for(v));
        EXPECT_EQ(s.c.current_state(), connection::state::closed);
        const auto before = s.out.size();
        EXPECT_EQ(s.feed(frame(1, "more")), kind::closed);
        EXPECT_TRUE(s.c.send_message(true, as_bytes(pattern(100000)), s.out).empty());
        s.c.send_ping(s.out);
        s.c.send_close(1001, "bye", s.out);
        EXPECT_EQ(s.out.size(), before);
        EXPECT_TRUE(s.c.direct_read_room().empty());
    }
}

// After our close (1001), messages are still reported but not echoed, pings get no pong, a violation gets no
// second close, and the peer's close reply ends the connection.
TEST(codec_connection, sends_nothing_after_our_close)
{
    for (const bool violate : {false, true})
    {
        server s;
        s.c.send_close(1001, "going away", s.out);
        EXPECT_EQ(s.c.current_state(), connection::state::closing);
        EXPECT_EQ(s.feed(frame(1, "late") + frame(9, "p") + frame(2, pattern(70000))), kind::need_more);
        EXPECT_EQ(s.messages, (std::vector<std::string>{"late", pattern(70000)}));
        s.c.send_ping(s.out);
        EXPECT_EQ(s.feed(violate ? frame(1, "bad \xFF") : frame(8, close_payload(1000))), kind::closed);
        EXPECT_EQ(s.sent(), std::vector{close_frame(1001, "going away")});
        EXPECT_EQ(s.c.current_state(), connection::state::closed);
        EXPECT_EQ(s.c.peer_close_code(), violate ? std::nullopt : std::optional<std::uint16_t>(1000));
        EXPECT_EQ(s.c.close_code_sent(), 1001);
    }
}

// A 1 MiB frame read through direct_read_room() in pieces is the whole message, in a room that grows only as
// the message does. message_done() keeps the storage, so the next large message is read into it in one piece;
// release_idle_memory() gives it back.
TEST(codec_connection, assembles_a_large_frame_in_its_room)
{
    for (const bool text : {false, true})
    {
        SCOPED_TRACE(text);
        const std::string payload = text ? std::string(1u << 20, 't') : pattern(1u << 20);
        auto input = frame(text ? 1 : 2, payload);
        connection c({});
        byte_buffer out;
        auto e = c.next(std::span(input).first(14), out);  // the header alone
        std::size_t pos = 14, direct = 0;
        const std::size_t pieces[] = {1000, 70000, 4096, 300000, 1};
        for (std::size_t i = 0; e.what == kind::need_more; ++i)
        {
            ASSERT_LT(pos, input.size());
            const auto room = c.direct_read_room();
            EXPECT_LE(room.size(), std::max<std::size_t>(64 * 1024, pos - 14));
            const std::size_t n =
                std::min({room.empty() ? SIZE_MAX : room.size(), pieces[i % 5], input.size() - pos});
            auto in = room.empty() ? std::span(input).subspan(pos, n) : room.first(n);
            std::copy_n(input.begin() + static_cast<std::ptrdiff_t>(pos), room.empty() ? 0 : n, in.begin());
            direct += room.empty() ? 0 : n;
            e = c.next(in, out);
            EXPECT_EQ(e.consumed, n);
            pos += n;
        }
        ASSERT_EQ(e.what, kind::message);
        EXPECT_EQ(e.text, text);
        EXPECT_TRUE(str(e.payload) == payload);
        EXPECT_GT(direct, payload.size() - 4096);
        EXPECT_TRUE(out.empty());
        auto before = allocated_bytes();
        c.message_done();
        EXPECT_EQ(allocated_bytes(), before);

        ASSERT_EQ(c.next(std::span(input).first(14), out).what, kind::need_more);
        const auto room = c.direct_read_room();
        ASSERT_EQ(room.size(), payload.size());  // the room the last message earned
        std::copy(input.begin() + 14, input.end(), room.begin());
        e = c.next(room, out);
        ASSERT_EQ(e.what, kind::message);
        EXPECT_TRUE(str(e.payload) == payload);
        EXPECT_EQ(allocated_bytes(), before);
        c.message_done();

        c.release_idle_memory();
        EXPECT_GE(before, allocated_bytes() + (1u << 20));
    }
    connection c({});
    byte_buffer out;
    auto input = frame(2, pattern(40000), false) + frame(0, pattern(100));
    ASSERT_EQ(c.next(input, out).what, kind::message);
    const auto before = allocated_bytes();
    c.message_done();
    EXPECT_EQ(allocated_bytes(), before);
}

// direct_read_room() is empty for small frames, between frames, in compressed messages and once closed.
TEST(codec_connection, offers_no_room_when_not_useful)
{
    auto room_after = [](connection_options o, bytes input) {
        connection c(o);
        byte_buffer out;
        c.next(input, out);
        return c.direct_read_room().size();
    };
    auto header = [](bytes f) { return bytes(f.begin(), f.begin() + 8); };  // 2 + 16-bit length + mask key
    EXPECT_EQ(room_after({}, header(frame(2, pattern(4095)))), 0u);
    EXPECT_EQ(room_after({}, header(frame(2, pattern(10000)))), 10000u);
    EXPECT_EQ(room_after({}, frame(2, pattern(10000))), 0u);
    EXPECT_EQ(room_after(deflate_on, header(frame(2, pattern(10000), true, true))), 0u);
    EXPECT_EQ(room_after({}, frame(8, "") + header(frame(2, pattern(10000)))), 0u);
}

// Compressed messages (RSV1) are inflated and echoed compressed; too big, corrupt or bad text fail the
// connection; a large compressed echo leaves no buffer behind once `out` is gone (only zlib's state stays).
TEST(codec_connection, inflates_and_deflates_messages)
{
    auto compress = [](const std::string& m, message_deflater* d = nullptr) {  // with `d`, or a fresh one
        message_deflater fresh({}, {});
        byte_buffer b;
        (d ? *d : fresh).deflate(as_bytes(m), b);
        return str(b.bytes());
    };
    message_deflater client({}, {});  // the second message refers back to the first (context takeover)
    const std::string text = "hello hello hello hello hello hello hello hello hello hello hello hello hello!";
    const auto c1 = compress(text, &client), c2 = compress(text, &client);
    server s(deflate_on);
    EXPECT_EQ(
        s.feed(frame(1, c1, true, true) + frame(1, c2.substr(0, 3), false, true) + frame(0, c2.substr(3))),
        kind::need_more
    );
    EXPECT_EQ(s.messages, (std::vector<std::string>{text, text}));
    message_inflater inflater({});
    for (const auto& f : s.sent())
    {
        byte_buffer plain;
        ASSERT_EQ(f.substr(0, 7), "text+z ");
        EXPECT_EQ(inflater.inflate(as_bytes(f.substr(7)), true, plain, 1u << 20), inflate_status::ok);
        EXPECT_EQ(str(plain.bytes()), text);
    }
    for (const auto& [payload, v] :
         {std::pair{compress(std::string(70000, 'a')), violation::message_too_big},
          {"\xFF\xFF\xFF\xFF", violation::corrupt_compressed_data},
          {compress("bad \xFF text"), violation::invalid_utf8}})
    {
        server f(deflate_on);
        EXPECT_EQ(f.feed(frame(1, payload, true, true)), kind::closed);
        EXPECT_EQ(f.c.error(), v);
    }
    std::string noise(1u << 20, '\0');
    std::uint32_t x = 1;
    for (auto& ch : noise)
        ch = static_cast<char>((x = x * 1664525u + 1013904223u) >> 24);
    connection c(deflate_on);
    const auto before = allocated_bytes();
    {
        byte_buffer out;
        EXPECT_TRUE(c.send_message(false, as_bytes(noise), out).empty());
        EXPECT_GT(out.size(), noise.size());
    }
    EXPECT_LT(allocated_bytes(), before + (512u << 10));
}

// A close reason too long for a control frame is cut on a code point boundary, so it stays UTF-8.
TEST(codec_connection, cuts_close_reasons_between_code_points)
{
    for (std::size_t ascii = 118; ascii <= 123; ++ascii)
    {
        const std::string reason = std::string(ascii, 'r') + "\xF0\x9F\x98\x80\xE2\x82\xAC";
        byte_buffer out;
        append_close_frame(out, 1001, as_bytes(reason));
        const auto frames = read_frames(out.bytes());
        ASSERT_EQ(frames.size(), 1u);
        const auto sent = frames[0].substr(8);  // after "close " and the code
        EXPECT_LE(sent.size(), 123u);
        EXPECT_TRUE(is_valid_utf8(as_bytes(sent))) << ascii;
        EXPECT_EQ(sent, reason.substr(0, sent.size()));
    }
}
