// File: integration/conformance_test.cpp — RFC 6455 server behaviour seen through raw frames on 127.0.0.1:
// framing, control frames, reserved bits and opcodes, fragmentation, UTF-8, the closing handshake, the upgrade.
#include "integration/server_fixture.hpp"
#include "support/raw_peer.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using namespace std::string_view_literals;
using namespace wsecho;
using test::closing;
using test::frame_spec;
using test::raw_peer;
using test::server_frame;
using test::write_plan;
namespace opcode = test::opcode;

namespace {

std::string random_bytes(std::size_t size, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    std::string s(size, '\0');
    for (auto& c : s)
        c = static_cast<char>(rng() & 0xff);
    return s;
}

std::string frame(std::uint8_t op, std::string payload, bool fin = true)
{
    return test::encode_frame({.opcode = op, .payload = std::move(payload), .fin = fin});
}

std::string close_frame(std::uint16_t code, std::string_view reason = {})
{
    return frame(opcode::close, test::close_frame_payload(code, reason));
}

// Sends one frame as `plan` says, returns the echo, then closes with 1000 and checks the server's reply.
net::awaitable<server_frame> echo_one(tcp::endpoint server, frame_spec message, write_plan plan)
{
    auto peer = co_await raw_peer::open(server);
    co_await peer.send(std::move(message), std::move(plan));
    auto echo = co_await peer.expect_frame();
    auto bye = co_await peer.close(1000);
    EXPECT_TRUE(bye.frames.empty());
    EXPECT_EQ(bye.close->code, 1000);
    co_return echo;
}

// What the server sent after `bytes` (written at once on a fresh WebSocket) up to its close frame; when a
// close frame came, the TCP connection must end right after it (expect_tcp_end throws on any more bytes).
struct reply
{
    closing got;
    std::optional<test::tcp_end> end;
};

net::awaitable<reply> send_and_read_until_close(tcp::endpoint server, std::string bytes)
{
    auto peer = co_await raw_peer::open(server);
    co_await peer.send(std::move(bytes));
    reply r;
    r.got = co_await peer.read_until_close();
    if (r.got.close)
        r.end = co_await peer.expect_tcp_end();
    else
        r.end = peer.ended();
    co_return r;
}

// Like send_and_read_until_close(), then a close 1000 of our own: for messages that must be echoed.
net::awaitable<std::vector<server_frame>> send_and_read(tcp::endpoint server, std::string bytes, std::size_t count)
{
    auto peer = co_await raw_peer::open(server);
    co_await peer.send(std::move(bytes));
    std::vector<server_frame> frames;
    while (frames.size() < count)
        frames.push_back(co_await peer.expect_frame());
    auto bye = co_await peer.close(1000);
    EXPECT_TRUE(bye.frames.empty()) << bye.frames.size() << " unexpected frames before the close reply";
    EXPECT_EQ(bye.close->code, 1000);
    co_return frames;
}

struct http_outcome
{
    http::response<http::string_body> response;
    test::tcp_end end = test::tcp_end::eof;
};

// Writes a raw request (or anything else) on a fresh connection; returns the answer and how the TCP
// connection then ended (the server must end it: expect_tcp_end throws on further bytes).
net::awaitable<http_outcome> http_then_end(tcp::endpoint server, std::string request)
{
    auto peer = co_await raw_peer::connect(server);
    co_await peer.send(std::move(request));
    http_outcome out;
    out.response = co_await peer.read_http_response();
    out.end = co_await peer.expect_tcp_end();
    co_return out;
}

// A case that must make the server fail the connection with a given close code.
struct failing_case
{
    std::string name;
    std::string bytes;
    std::uint16_t code;
};

class conformance : public test::server_fixture
{
protected:
    // A plain text echo on a new connection: proves the server still serves after the hostile peers before.
    void expect_still_serving()
    {
        auto echoed = test::run_coro(ioc, send_and_read(endpoint, frame(opcode::text, "still serving"), 1));
        ASSERT_EQ(echoed.size(), 1u);
        EXPECT_EQ(echoed[0].opcode, opcode::text);
        EXPECT_EQ(echoed[0].payload, "still serving");
    }

    // Each case on its own connection: no frame, then a close frame with the case's code, then the TCP end.
    void expect_close_codes(const std::vector<failing_case>& cases)
    {
        for (const auto& c : cases)
        {
            SCOPED_TRACE(c.name);
            auto r = test::run_coro(ioc, send_and_read_until_close(endpoint, c.bytes));
            EXPECT_TRUE(r.got.frames.empty()) << r.got.frames.size() << " frames before the close";
            ASSERT_TRUE(r.got.close) << "the connection ended without a close frame";
            EXPECT_EQ(r.got.close->code, c.code);
            EXPECT_TRUE(r.end);
        }
        expect_still_serving();
        test::run_coro(ioc, wait_for_sessions(cases.size() + 1));  // every hostile session has ended
    }

    // One binary message of `size` random bytes, sent as `plan` says; its echo must be one final binary
    // frame, byte-identical, with the minimal length encoding (`length_bits`).
    void expect_binary_echo(std::size_t size, int length_bits, write_plan plan,
                            std::optional<std::array<std::uint8_t, 4>> key = std::nullopt,
                            std::chrono::milliseconds limit = test::default_test_limit)
    {
        SCOPED_TRACE(std::to_string(size) + " bytes");
        const auto payload = random_bytes(size, static_cast<std::uint32_t>(size));
        auto echo = test::run_coro(
            ioc, echo_one(endpoint, {.opcode = opcode::binary, .payload = payload, .mask_key = key}, std::move(plan)),
            limit);
        EXPECT_TRUE(echo.fin);
        EXPECT_FALSE(echo.rsv1 || echo.rsv2 || echo.rsv3);
        EXPECT_EQ(echo.opcode, opcode::binary);
        EXPECT_EQ(echo.length_bits, length_bits);
        EXPECT_EQ(echo.length_bits, test::minimal_length_bits(size));
        EXPECT_EQ(echo.payload.size(), size);
        EXPECT_TRUE(echo.payload == payload) << "the echo differs from what was sent";
    }
};

struct length_class
{
    std::size_t size;
    int length_bits;  // the minimal encoding: 7-bit, 126 + 16-bit, 127 + 64-bit
};

constexpr length_class length_classes[] = {{0, 7}, {125, 7}, {126, 16}, {127, 16}, {65535, 16}, {65536, 64}};
constexpr std::size_t four_mib = 4u << 20;
constexpr std::array<std::uint8_t, 4> fixed_key = {0x37, 0xfa, 0x21, 0x3d};

}  // namespace

// ---- Framing -------------------------------------------------------------------------------------------

// Every length class (7-, 16- and 64-bit) up to 4 MiB, written at once, comes back identical in one minimal frame.
TEST_F(conformance, echoes_every_length_class_written_at_once)
{
    for (const auto& c : length_classes)
        expect_binary_echo(c.size, c.length_bits, write_plan::whole(), fixed_key);
    expect_binary_echo(four_mib, 64, write_plan::whole(), fixed_key);
}

// The same frames delivered one byte per write (so every header and payload arrives in pieces) are echoed alike.
TEST_F(conformance, echoes_every_length_class_written_byte_by_byte)
{
    for (const auto& c : length_classes)
        expect_binary_echo(c.size, c.length_bits, write_plan::byte_by_byte(), std::nullopt, 20s);
}

// The same frames delivered in odd-sized writes (1, 3, 7, 13, 31, 61, 127 bytes, cyclically) are echoed alike.
TEST_F(conformance, echoes_every_length_class_written_in_odd_chunks)
{
    for (const auto& c : length_classes)
        expect_binary_echo(c.size, c.length_bits, write_plan::odd_chunks());
}

// A 4 MiB frame written as 64 KiB writes alternating with odd small ones is echoed identically.
TEST_F(conformance, echoes_4_mib_written_in_64_kib_and_odd_chunks)
{
    expect_binary_echo(four_mib, 64, write_plan({65536, 1, 65536, 3, 65536, 7, 65536, 13}));
}

// ---- Ping and pong ------------------------------------------------------------------------------------

// Pings with 0- and 125-byte payloads are answered by pongs carrying the identical payload.
TEST_F(conformance, answers_pings_with_the_same_payload)
{
    const auto big = random_bytes(125, 125);
    auto got = test::run_coro(ioc, send_and_read(endpoint, frame(opcode::ping, "") + frame(opcode::ping, big), 2));
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].opcode, opcode::pong);
    EXPECT_TRUE(got[0].fin);
    EXPECT_EQ(got[0].payload, "");
    EXPECT_EQ(got[1].opcode, opcode::pong);
    EXPECT_TRUE(got[1].fin);
    EXPECT_TRUE(got[1].payload == big);
}

// A pong nobody asked for is ignored: the text message after it is the first thing the server sends back.
TEST_F(conformance, ignores_an_unsolicited_pong)
{
    auto got = test::run_coro(
        ioc, send_and_read(endpoint, frame(opcode::pong, "unsolicited") + frame(opcode::text, "after the pong"), 1));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].opcode, opcode::text);
    EXPECT_EQ(got[0].payload, "after the pong");
}

// 50 pings written back to back get 50 pongs, in order, each with its ping's payload.
TEST_F(conformance, answers_50_pings_in_a_row)
{
    std::string pings;
    for (int i = 0; i < 50; ++i)
        pings += frame(opcode::ping, "ping " + std::to_string(i));
    auto got = test::run_coro(ioc, send_and_read(endpoint, pings, 50));
    ASSERT_EQ(got.size(), 50u);
    for (std::size_t i = 0; i < got.size(); ++i)
    {
        EXPECT_EQ(got[i].opcode, opcode::pong) << "frame " << i;
        EXPECT_EQ(got[i].payload, "ping " + std::to_string(i));
    }
}

// ---- Protocol errors: close 1002 ------------------------------------------------------------------------

// Oversized or fragmented control frames, reserved bits and opcodes, unmasked frames, broken fragmentation,
// non-minimal lengths and a 1-byte close payload each fail the connection with close 1002.
TEST_F(conformance, fails_protocol_errors_with_1002)
{
    std::vector<failing_case> cases = {
        {"ping with a 126-byte payload", frame(opcode::ping, std::string(126, 'p')), 1002},
        {"RSV1 without an extension", test::encode_frame({.payload = "rsv1", .rsv1 = true}), 1002},
        {"RSV2 without an extension", test::encode_frame({.payload = "rsv2", .rsv2 = true}), 1002},
        {"RSV3 without an extension", test::encode_frame({.payload = "rsv3", .rsv3 = true}), 1002},
        {"RSV1 on a ping", test::encode_frame({.opcode = opcode::ping, .payload = "p", .rsv1 = true}), 1002},
        {"unmasked text frame", test::encode_frame({.payload = "unmasked", .masked = false}), 1002},
        {"continuation without a start", frame(opcode::cont, "orphan"), 1002},
        {"text frame inside a fragmented message", frame(opcode::text, "one", false) + frame(opcode::text, "two"), 1002},
        {"binary frame inside a fragmented message",
         frame(opcode::binary, "one", false) + frame(opcode::binary, "two"), 1002},
        {"fragmented ping (FIN=0)", frame(opcode::ping, "half", false) + frame(opcode::cont, "rest"), 1002},
        {"1-byte close payload", frame(opcode::close, "\x03"), 1002},
        {"5 bytes with a 16-bit length", test::encode_frame({.payload = "short", .length = test::length_encoding::bits16}),
         1002},
        {"200 bytes with a 64-bit length",
         test::encode_frame({.payload = std::string(200, 'x'), .length = test::length_encoding::bits64}), 1002},
    };
    for (std::uint8_t op : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15})
        cases.push_back({"reserved opcode " + std::to_string(op), frame(op, "x"), 1002});
    expect_close_codes(cases);
}

// ---- Fragmentation --------------------------------------------------------------------------------------

// A text message in 3 fragments comes back as one final text frame with the concatenated payload.
TEST_F(conformance, joins_three_fragments_into_one_echo)
{
    auto got = test::run_coro(ioc, send_and_read(endpoint,
                                                 frame(opcode::text, "Hello", false) + frame(opcode::cont, ", ", false) +
                                                     frame(opcode::cont, "world"),
                                                 1));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(got[0].fin);
    EXPECT_EQ(got[0].opcode, opcode::text);
    EXPECT_EQ(got[0].payload, "Hello, world");
}

// A ping between two fragments is answered at once, and the message is still echoed whole after the pong.
TEST_F(conformance, answers_a_ping_between_fragments)
{
    auto got = test::run_coro(ioc, send_and_read(endpoint,
                                                 frame(opcode::text, "first half, ", false) + frame(opcode::ping, "mid") +
                                                     frame(opcode::cont, "second half"),
                                                 2));
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].opcode, opcode::pong);
    EXPECT_EQ(got[0].payload, "mid");
    EXPECT_EQ(got[1].opcode, opcode::text);
    EXPECT_TRUE(got[1].fin);
    EXPECT_EQ(got[1].payload, "first half, second half");
}

// ---- UTF-8 ----------------------------------------------------------------------------------------------

// A valid 3-byte code point (€) split across two fragments is echoed intact.
TEST_F(conformance, echoes_a_code_point_split_across_fragments)
{
    auto got = test::run_coro(
        ioc, send_and_read(endpoint, frame(opcode::text, "price: \xe2\x82", false) + frame(opcode::cont, "\xac 5"), 1));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].opcode, opcode::text);
    EXPECT_EQ(got[0].payload, "price: \xe2\x82\xac 5");
}

// Invalid UTF-8 in a text message, whole or split across fragments, or cut inside a code point, gets close 1007.
TEST_F(conformance, fails_invalid_utf8_with_1007)
{
    expect_close_codes({
        {"byte 0xff", frame(opcode::text, "bad \xff byte"), 1007},
        {"overlong encoding of '/'", frame(opcode::text, "\xc0\xaf"), 1007},
        {"UTF-16 surrogate U+D800", frame(opcode::text, "\xed\xa0\x80"), 1007},
        {"code point above U+10FFFF", frame(opcode::text, "\xf4\x90\x80\x80"), 1007},
        {"invalid sequence split across fragments", frame(opcode::text, "a\xe2\x82", false) + frame(opcode::cont, "("),
         1007},
        {"final fragment ends inside a code point", frame(opcode::text, "a\xe2", false) + frame(opcode::cont, "\x82"),
         1007},
        {"single frame ends inside a code point", frame(opcode::text, "a\xe2\x82"), 1007},
    });
}

// ---- Closing handshake ----------------------------------------------------------------------------------

// Close 1000 with a reason is answered with close 1000, then the server ends the TCP connection.
TEST_F(conformance, answers_close_1000_with_1000)
{
    auto r = test::run_coro(ioc, send_and_read_until_close(endpoint, close_frame(1000, "bye")));
    EXPECT_TRUE(r.got.frames.empty());
    ASSERT_TRUE(r.got.close);
    EXPECT_EQ(r.got.close->code, 1000);
    EXPECT_EQ(r.end, test::tcp_end::eof);
}

// A close frame with an empty payload is answered by Beast with close 1000 and no reason (never an empty close).
TEST_F(conformance, answers_an_empty_close_with_1000)
{
    auto r = test::run_coro(ioc, send_and_read_until_close(endpoint, frame(opcode::close, "")));
    EXPECT_TRUE(r.got.frames.empty());
    ASSERT_TRUE(r.got.close);
    EXPECT_EQ(r.got.close->code, 1000);
    EXPECT_EQ(r.got.close->reason, "");
    EXPECT_EQ(r.end, test::tcp_end::eof);
}

// Close codes RFC 6455 §7.4 forbids on the wire (<1000, 1004-1006, 1015, 1016-2999, >=5000) get close 1002.
TEST_F(conformance, fails_invalid_close_codes_with_1002)
{
    std::vector<failing_case> cases;
    for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000})
        cases.push_back({"close code " + std::to_string(code), close_frame(code, "invalid"), 1002});
    expect_close_codes(cases);
}

// Every valid close code, registered (1000-1011) or private (3000-4999), is answered with the same code.
TEST_F(conformance, answers_valid_close_codes_with_the_same_code)
{
    for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999})
    {
        SCOPED_TRACE("close code " + std::to_string(code));
        auto r = test::run_coro(ioc, send_and_read_until_close(endpoint, close_frame(code, "valid")));
        EXPECT_TRUE(r.got.frames.empty());
        ASSERT_TRUE(r.got.close);
        EXPECT_EQ(r.got.close->code, code);
        EXPECT_EQ(r.end, test::tcp_end::eof);
    }
}

// A close reason that is not UTF-8 fails the connection (1007 or 1002: RFC 6455 leaves the choice open).
TEST_F(conformance, fails_a_close_reason_that_is_not_utf8)
{
    auto r = test::run_coro(ioc, send_and_read_until_close(endpoint, close_frame(1000, "bad \xff reason")));
    EXPECT_TRUE(r.got.frames.empty());
    ASSERT_TRUE(r.got.close);
    ASSERT_TRUE(r.got.close->code);
    EXPECT_TRUE(*r.got.close->code == 1007 || *r.got.close->code == 1002) << "got " << *r.got.close->code;
    expect_still_serving();
}

// A text frame right behind the close frame (same write) is not echoed: only the close reply, then TCP EOF.
TEST_F(conformance, echoes_nothing_after_the_close)
{
    auto r =
        test::run_coro(ioc, send_and_read_until_close(endpoint, close_frame(1000, "done") + frame(opcode::text, "late")));
    EXPECT_TRUE(r.got.frames.empty()) << r.got.frames.size() << " frames before the close reply";
    ASSERT_TRUE(r.got.close);
    EXPECT_EQ(r.got.close->code, 1000);
    EXPECT_EQ(r.end, test::tcp_end::eof);  // expect_tcp_end() threw if anything followed the close reply
}

// ---- Opening handshake ----------------------------------------------------------------------------------

namespace {

std::string upgrade_request(std::string_view extra_headers)
{
    return "GET /socket HTTP/1.1\r\nHost: 127.0.0.1\r\n" + std::string(extra_headers) + "\r\n";
}

struct handshake_case
{
    std::string id;  // the gtest name suffix
    std::string request;
    unsigned status;
    std::string header;  // a header the answer must carry, with `value` (empty: none checked)
    std::string value;
};

void PrintTo(const handshake_case& c, std::ostream* os)
{
    *os << c.id;
}

std::vector<handshake_case> bad_upgrades()
{
    return {
        {"no_sec_websocket_key",
         upgrade_request("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"), 400},
        {"sec_websocket_key_longer_than_base64_of_16_bytes",
         upgrade_request("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==dGhlIHNhbXBsZSBub25jZQ==\r\n"),
         400},
        {"sec_websocket_key_not_base64",
         upgrade_request("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                         "Sec-WebSocket-Key: not-base64-key!!!!!!!==\r\n"),
         400},
        {"sec_websocket_key_of_8_bytes",
         upgrade_request("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                         "Sec-WebSocket-Key: AAAAAAAAAAA=\r\n"),
         400},
        {"sec_websocket_version_8",
         upgrade_request("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"),
         426, "Sec-WebSocket-Version", "13"},
        {"no_upgrade_header_with_connection_close",
         upgrade_request("Connection: close\r\nSec-WebSocket-Version: 13\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"),
         426, "Sec-WebSocket-Version", "13"},
        {"garbage_instead_of_http", std::string("\x16\x03\x01\x02\x00 not http at all\r\n\r\n"sv), 400},
    };
}

class bad_upgrade : public conformance, public ::testing::WithParamInterface<handshake_case>
{
};

}  // namespace

// A malformed upgrade gets 400, a wrong version 426 naming version 13, a request without Upgrade our own 426,
// garbage 400; then the server closes the connection at once, and a fresh client is still served.
TEST_P(bad_upgrade, is_refused_and_the_connection_closed)
{
    const auto& c = GetParam();
    // "did not finish within the time limit" here means the server kept the connection open after answering.
    auto out = test::run_coro(ioc, http_then_end(endpoint, c.request));
    EXPECT_EQ(out.response.result_int(), c.status) << out.response.body();
    if (!c.header.empty())
    {
        EXPECT_EQ(out.response[c.header], c.value);
    }
    expect_still_serving();
}

INSTANTIATE_TEST_SUITE_P(conformance, bad_upgrade, ::testing::ValuesIn(bad_upgrades()),
                         [](const ::testing::TestParamInfo<handshake_case>& p) { return p.param.id; });

namespace {

// Sends GET /socket without an Upgrade header on a keep-alive connection, then a real upgrade and one echo
// on the same connection; returns the status of the first answer.
net::awaitable<unsigned> refused_then_upgraded(tcp::endpoint server)
{
    auto peer = co_await raw_peer::connect(server);
    co_await peer.send(upgrade_request("Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
    auto res = co_await peer.read_http_response();
    co_await peer.upgrade();
    co_await peer.send(frame(opcode::text, "upgraded"));
    auto echo = co_await peer.expect_frame();
    EXPECT_EQ(echo.payload, "upgraded");
    co_await peer.close(1000);
    co_return res.result_int();
}

}  // namespace

// Without an Upgrade header on a keep-alive connection, /socket answers 426 and, as README documents, keeps
// the connection: an upgrade sent next on it succeeds.
TEST_F(conformance, answers_426_without_upgrade_and_keeps_the_connection)
{
    EXPECT_EQ(test::run_coro(ioc, refused_then_upgraded(endpoint)), 426u);
}
