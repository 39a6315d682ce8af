// File: integration/conformance_control_test.cpp — RFC 6455 control frames seen through raw frames on
// 127.0.0.1: pings and pongs, and the closing handshake (which codes are echoed, which are refused, nothing
// after the close).
#include "integration/conformance.hpp"

using namespace wsecho;
using namespace wsecho::test::rfc6455;

// ---- Ping and pong ------------------------------------------------------------------------------------

// Pings with 0- and 125-byte payloads are answered by pongs carrying the identical payload.
TEST_F(conformance, answers_pings_with_the_same_payload)
{
    const auto big = random_bytes(125, 125);
    auto got =
        test::run_coro(ioc, send_and_read(endpoint, frame(opcode::ping, "") + frame(opcode::ping, big), 2));
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
        ioc,
        send_and_read(endpoint, frame(opcode::pong, "unsolicited") + frame(opcode::text, "after the pong"), 1)
    );
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
    constexpr std::uint16_t invalid_codes[] = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000};
    for (std::uint16_t code : invalid_codes)
        cases.push_back({"close code " + std::to_string(code), close_frame(code, "invalid"), 1002});
    expect_close_codes(cases);
}

// Every valid close code, registered (1000-1011) or private (3000-4999), is answered with the same code.
TEST_F(conformance, answers_valid_close_codes_with_the_same_code)
{
    constexpr std::uint16_t valid_codes[] = {
        1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999};
    for (std::uint16_t code : valid_codes)
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
    auto r = test::run_coro(
        ioc, send_and_read_until_close(endpoint, close_frame(1000, "done") + frame(opcode::text, "late"))
    );
    EXPECT_TRUE(r.got.frames.empty()) << r.got.frames.size() << " frames before the close reply";
    ASSERT_TRUE(r.got.close);
    EXPECT_EQ(r.got.close->code, 1000);
    EXPECT_EQ(r.end, test::tcp_end::eof);  // expect_tcp_end() threw if anything followed the close reply
}
