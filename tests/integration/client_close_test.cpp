// File: integration/client_close_test.cpp — how the client's connection ends: its close path against a peer
// that never answers, a server that closes first, and a server that closes with a code no peer may send
// (RFC 6455 §7.4: 5000 and up), answered with close 1002 (protocol error) where Beast 1.81 alone would echo it.
//
// The server for the close codes upgrades with Beast and then talks raw TCP: Beast's server role would handle
// the client's close frame itself (and reply to it), and the test needs to see exactly the bytes the client sent.
#include <wsecho/client.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <array>
#include <cstdint>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>

#include "integration/client_support.hpp"
#include "support/run_coro.hpp"
#include "support/ws_peer.hpp"

using namespace std::chrono_literals;
using namespace wsecho;
using clock_type = std::chrono::steady_clock;
using test::options_for;

namespace {

// What the client sent back after the server's close frame.
struct client_answer
{
    std::uint16_t code = 0;          // from the client's close frame
    std::size_t trailing_bytes = 0;  // anything after that frame before the client's FIN (a second frame)
};

// Accepts one connection, upgrades it, writes a close frame with `code` and reads the client's close frame.
// Malformed answers throw, which fails the test through the `&&` below.
net::awaitable<client_answer> close_with(tcp::acceptor& acceptor, std::uint16_t code)
{
    websocket::stream<tcp::socket> ws(co_await acceptor.async_accept(net::use_awaitable));
    co_await ws.async_accept(net::use_awaitable);
    auto& socket =
        ws.next_layer();  // nothing is buffered in Beast: the client sends nothing before our close

    // FIN + close, unmasked (a server never masks), a 2-byte payload: the code in network byte order.
    const std::array<std::uint8_t, 4> close_frame{
        0x88, 0x02, static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code & 0xff)};
    co_await net::async_write(socket, net::buffer(close_frame), net::use_awaitable);

    std::array<std::uint8_t, 2> header{};
    co_await net::async_read(socket, net::buffer(header), net::use_awaitable);
    if (header[0] != 0x88)
        throw std::runtime_error("the client's first frame after our close is not a final close frame");
    if ((header[1] & 0x80) == 0)
        throw std::runtime_error("the client's close frame is not masked");
    const std::size_t length = header[1] & 0x7f;
    if (length < 2 || length > 125)
        throw std::runtime_error("the client's close frame has no code (or a bad length)");
    std::array<std::uint8_t, 4 + 125> rest{};  // the masking key, then the payload
    co_await net::async_read(socket, net::buffer(rest.data(), 4 + length), net::use_awaitable);
    client_answer answer;
    answer.code = static_cast<std::uint16_t>(((rest[4] ^ rest[0]) << 8) | (rest[5] ^ rest[1]));

    // RFC 6455 §7.1.1: the server ends the TCP connection first, and a client's teardown waits for that. Our
    // FIN goes out now; whatever the client sends before its own FIN is counted (a second frame would be).
    socket.shutdown(tcp::socket::shutdown_send);
    std::array<char, 256> scratch{};
    for (;;)
    {
        auto [ec, n] = co_await socket.async_read_some(net::buffer(scratch), use_nothrow_awaitable);
        answer.trailing_bytes += n;
        if (ec)
            break;
    }
    co_return answer;
}

// Both ends at once; a named coroutine rather than a capturing lambda (GCC 12's coroutine lambda bugs).
net::awaitable<std::tuple<client_report, client_answer>>
client_and_server(client& cl, tcp::acceptor& acceptor, std::uint16_t code)
{
    using namespace net::experimental::awaitable_operators;
    co_return co_await (cl.run() && close_with(acceptor, code));
}

struct close_run
{
    client_report report;
    client_answer answer;
    std::string log;
};

// A client (nothing to send: the test is about the close) against close_with(code).
close_run run_against_close(std::uint16_t code)
{
    net::io_context ioc;
    tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::address_v4::loopback(), 0));
    client_options opts;
    opts.url = {
        .host = "127.0.0.1", .port = std::to_string(acceptor.local_endpoint().port()), .target = "/socket"};
    opts.interval = 1h;
    std::ostringstream log_text;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(log_text);
    opts.logger = std::make_shared<spdlog::logger>("close-client", sink);
    client cl(ioc.get_executor(), opts);

    auto [report, answer] = test::run_coro(ioc, client_and_server(cl, acceptor, code));
    return {std::move(report), answer, log_text.str()};
}

}  // namespace

// 5000 and 65535 are past the last range RFC 6455 §7.4.2 gives (4000-4999, for applications): the client
// fails the connection with 1002 instead of echoing the code, and says so.
TEST(client_close, refuses_a_close_code_above_4999_with_1002)
{
    for (std::uint16_t code : std::initializer_list<std::uint16_t>{5000, 65535})
    {
        auto run = run_against_close(code);

        EXPECT_EQ(run.answer.code, 1002) << "server's code " << code;
        EXPECT_EQ(run.answer.trailing_bytes, 0u) << "one close frame only, server's code " << code;
        EXPECT_TRUE(run.report.connected());
        EXPECT_EQ(run.report.server_close_code, code);
        EXPECT_TRUE(run.report.server_close_refused);
        EXPECT_FALSE(run.report.connection_error) << run.report.connection_error.message();
        EXPECT_EQ(run.report.close, close_outcome::not_needed);
        const auto line = "server closed the connection with code " + std::to_string(code);
        EXPECT_NE(run.log.find(line), std::string::npos) << run.log;
        EXPECT_NE(run.log.find("refused as a protocol error (answered with close 1002)"), std::string::npos)
            << run.log;
    }
}

// The boundary: 4999 is an application's code, and the client echoes it like any valid one.
TEST(client_close, echoes_a_close_code_of_4999)
{
    auto run = run_against_close(4999);

    EXPECT_EQ(run.answer.code, 4999);
    EXPECT_EQ(run.answer.trailing_bytes, 0u);
    EXPECT_EQ(run.report.server_close_code, 4999);
    EXPECT_FALSE(run.report.server_close_refused);
    EXPECT_FALSE(run.report.connection_error) << run.report.connection_error.message();
    EXPECT_EQ(run.log.find("refused"), std::string::npos) << run.log;
}

// Against a peer that completed the handshake and never answers, the close path gives up after
// close_timeout, closes the socket and returns (it does not hang).
TEST(client_peers, close_times_out_against_a_silent_peer)
{
    net::io_context ioc;
    test::silent_ws_server peer(ioc.get_executor());
    auto opts = options_for(peer.endpoint());
    opts.interval = 1h;  // nothing to send: the test is about the close
    opts.close_timeout = 200ms;
    client cl(ioc.get_executor(), opts);

    clock_type::time_point stopped_at;
    auto stop_when_connected = [&]() -> net::awaitable<void> {
        co_await peer.accept_and_go_silent();
        stopped_at = clock_type::now();
        cl.stop();
    };
    net::co_spawn(ioc, stop_when_connected(), test::rethrow);
    auto report = test::run_coro(ioc, cl.run());
    auto close_took = clock_type::now() - stopped_at;

    EXPECT_EQ(report.close, close_outcome::timed_out);
    EXPECT_GE(close_took, opts.close_timeout);
    EXPECT_LT(close_took, 2s);
}

// When the server closes first, the client ends by itself, reporting the server's close code.
TEST(client_peers, ends_when_the_server_closes)
{
    net::io_context ioc;
    test::silent_ws_server peer(ioc.get_executor());
    net::co_spawn(ioc, peer.accept_and_close(1001), test::rethrow);
    auto opts = options_for(peer.endpoint());
    opts.interval = 1h;
    client cl(ioc.get_executor(), opts);

    auto report = test::run_coro(ioc, cl.run());

    EXPECT_TRUE(report.connected());
    EXPECT_EQ(report.server_close_code, 1001);
    EXPECT_EQ(report.close, close_outcome::not_needed);
    EXPECT_FALSE(report.connection_error);
}
