// File: integration/conformance.hpp — what the RFC 6455 conformance tests (conformance_*_test.cpp) share:
// frames built by hand, exchanges with a raw peer, and the fixture that checks close codes and echoes.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "integration/server_fixture.hpp"
#include "support/raw_peer.hpp"

namespace wsecho::test::rfc6455 {

namespace opcode = test::opcode;  // so that `using namespace rfc6455` brings it too

inline std::string random_bytes(std::size_t size, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    std::string s(size, '\0');
    for (auto& c : s)
        c = static_cast<char>(rng() & 0xff);
    return s;
}

inline std::string frame(std::uint8_t op, std::string payload, bool fin = true)
{
    return test::encode_frame({.opcode = op, .payload = std::move(payload), .fin = fin});
}

inline std::string close_frame(std::uint16_t code, std::string_view reason = {})
{
    return frame(opcode::close, test::close_frame_payload(code, reason));
}

// Sends one frame as `plan` says, returns the echo, then closes with 1000 and checks the server's reply.
inline net::awaitable<server_frame> echo_one(tcp::endpoint server, frame_spec message, write_plan plan)
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

inline net::awaitable<reply> send_and_read_until_close(tcp::endpoint server, std::string bytes)
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
inline net::awaitable<std::vector<server_frame>>
send_and_read(tcp::endpoint server, std::string bytes, std::size_t count)
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
    void expect_binary_echo(
        std::size_t size,
        int length_bits,
        write_plan plan,
        std::optional<std::array<std::uint8_t, 4>> key = std::nullopt,
        std::chrono::milliseconds limit = test::default_test_limit
    )
    {
        SCOPED_TRACE(std::to_string(size) + " bytes");
        const auto payload = random_bytes(size, static_cast<std::uint32_t>(size));
        auto echo = test::run_coro(
            ioc,
            echo_one(
                endpoint, {.opcode = opcode::binary, .payload = payload, .mask_key = key}, std::move(plan)
            ),
            limit
        );
        EXPECT_TRUE(echo.fin);
        EXPECT_FALSE(echo.rsv1 || echo.rsv2 || echo.rsv3);
        EXPECT_EQ(echo.opcode, opcode::binary);
        EXPECT_EQ(echo.length_bits, length_bits);
        EXPECT_EQ(echo.length_bits, test::minimal_length_bits(size));
        EXPECT_EQ(echo.payload.size(), size);
        EXPECT_TRUE(echo.payload == payload) << "the echo differs from what was sent";
    }
};

}  // namespace wsecho::test::rfc6455
