// File: integration/shutdown_test.cpp — graceful shutdown over real sockets: every message the server read
// is echoed before its close 1001, a peer that never reads is cut off at the drain timeout, and idle
// keep-alive connections end at once.
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <string>

#include "integration/server_fixture.hpp"
#include "support/event_counter.hpp"
#include "support/ws_peer.hpp"

using namespace std::chrono_literals;
using namespace wsecho;
using namespace net::experimental::awaitable_operators;

namespace {

using shutdown_test = test::server_fixture;

using ws_stream = websocket::stream<beast::tcp_stream>;

net::awaitable<std::unique_ptr<ws_stream>> open_socket(tcp::endpoint server)
{
    auto ws = std::make_unique<ws_stream>(co_await net::this_coro::executor);
    co_await beast::get_lowest_layer(*ws).async_connect(server, net::use_awaitable);
    co_await ws->async_handshake("127.0.0.1", "/socket", net::use_awaitable);
    co_return ws;
}

// What a peer sending as fast as it can saw of the server's shutdown.
struct flood_result
{
    std::uint64_t sent = 0;
    std::uint64_t echoed = 0;  // echoes received, each checked to be the next message sent
    bool in_order = true;
    std::optional<std::uint16_t> close_code;  // the server's close frame
};

// Sends numbered messages back to back while reading echoes, until the server closes. Signals
// `flowing` once 100 echoes have come back, so the shutdown hits traffic in full flight.
net::awaitable<flood_result> flood(tcp::endpoint server, test::event_counter& flowing)
{
    auto ws = co_await open_socket(server);
    flood_result r;
    auto send_all = [&]() -> net::awaitable<void> {
        for (;;)
        {
            auto payload = std::to_string(r.sent);
            if (auto [ec, n] = co_await ws->async_write(net::buffer(payload), use_nothrow_awaitable); ec)
                co_return;
            ++r.sent;
        }
    };
    auto receive_all = [&]() -> net::awaitable<void> {
        beast::flat_buffer buffer;
        for (;;)
        {
            if (auto [ec, n] = co_await ws->async_read(buffer, use_nothrow_awaitable); ec)
            {
                if (ec == websocket::error::closed)
                    r.close_code = static_cast<std::uint16_t>(ws->reason().code);
                co_return;
            }
            r.in_order = r.in_order && beast::buffers_to_string(buffer.data()) == std::to_string(r.echoed);
            buffer.clear();
            if (++r.echoed == 100)
                flowing.add();
        }
    };
    co_await (send_all() && receive_all());
    co_return r;
}

}  // namespace

// Several peers send at full speed; on shutdown each gets every echo it is owed, in order, then 1001,
// and the server's record of each session agrees with what its peer received.
TEST_F(shutdown_test, echoes_everything_read_then_closes_with_1001)
{
    restart_with([](server_options& o) { o.handshake_timeout = 30s; });  // only the handshakes can end it
    constexpr std::size_t peers = 4;
    test::event_counter flowing(ioc.get_executor());
    std::vector<flood_result> results;
    auto scenario = [&]() -> net::awaitable<void> {
        auto all = [&]() -> net::awaitable<void> {
            auto [a, b, c, d] = co_await (
                flood(endpoint, flowing) && flood(endpoint, flowing) && flood(endpoint, flowing) &&
                flood(endpoint, flowing)
            );
            results = {a, b, c, d};
        };
        auto stop_when_flowing = [&]() -> net::awaitable<void> {
            co_await flowing.wait_for(peers);
            co_await srv->shutdown(20s);
        };
        co_await (all() && stop_when_flowing());
    };
    test::run_coro(ioc, scenario(), 10s);
    test::run_coro(ioc, wait_for_sessions(peers));

    ASSERT_EQ(results.size(), peers);
    std::uint64_t echoed_by_peers = 0, echoed_by_server = 0;
    for (const auto& r : results)
    {
        EXPECT_TRUE(r.in_order);
        EXPECT_EQ(r.close_code, 1001);
        EXPECT_GE(r.echoed, 100u);
        EXPECT_LE(r.echoed, r.sent);
        echoed_by_peers += r.echoed;
    }
    for (const auto& s : ended)
    {
        EXPECT_EQ(s.close_sent, 1001);
        EXPECT_EQ(s.close_code, 1001) << "the peer's reply completed the handshake";
        EXPECT_FALSE(s.error) << s.error.message();
        echoed_by_server += s.messages;
    }
    EXPECT_EQ(echoed_by_server, echoed_by_peers);
    // Everything read before the close frame was echoed; only what completed after it was not.
    auto traffic = srv->stats().traffic.sum();
    std::uint64_t unechoed = 0;
    for (const auto& s : ended)
        unechoed += s.unechoed;
    EXPECT_EQ(traffic.messages_received[0], traffic.messages_sent[0] + unechoed);
}

// A peer that stops reading cannot receive its close frame: the drain timeout cuts it off and the
// shutdown still completes (the handshake timeout alone would take 30 s).
TEST_F(shutdown_test, cuts_off_a_peer_that_stopped_reading_at_the_drain_timeout)
{
    restart_with([](server_options& o) { o.handshake_timeout = 30s; });
    std::unique_ptr<ws_stream> hung;
    test::event_counter written(ioc.get_executor());
    auto scenario = [&]() -> net::awaitable<void> {
        hung = co_await open_socket(endpoint);
        hung->binary(true);
        // Megabytes the server echoes into a socket nobody reads: its write stalls, so its loop stops
        // reading, and a close frame could never be answered anyway. Only the server's forced close ends this.
        auto push = [&]() -> net::awaitable<void> {
            std::string mebibyte(1u << 20, 'x');
            for (int i = 0; i < 64; ++i)
            {
                if (auto [ec, n] = co_await hung->async_write(net::buffer(mebibyte), use_nothrow_awaitable);
                    ec)
                    co_return;
                written.add();
            }
        };
        auto stop_when_stuck = [&]() -> net::awaitable<void> {
            co_await written.wait_for(4);
            co_await srv->shutdown(100ms);
        };
        co_await (push() && stop_when_stuck());
    };
    test::run_coro(ioc, scenario(), 10s);
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_FALSE(ended[0].close_code) << "the peer never replied";
    EXPECT_EQ(srv->stats().open, 0u);
}

// A keep-alive HTTP connection waiting for its next request is closed at once; /readyz said ready before.
TEST_F(shutdown_test, ends_idle_keep_alive_connections_at_once)
{
    restart_with([](server_options& o) { o.handshake_timeout = 30s; });
    auto scenario = [&]() -> net::awaitable<void> {
        beast::tcp_stream stream(co_await net::this_coro::executor);
        co_await stream.async_connect(endpoint, net::use_awaitable);
        http::request<http::empty_body> req{http::verb::get, "/readyz", 11};
        req.set(http::field::host, "127.0.0.1");
        co_await http::async_write(stream, req, net::use_awaitable);
        beast::flat_buffer buffer;
        http::response<http::string_body> res;
        co_await http::async_read(stream, buffer, res, net::use_awaitable);
        EXPECT_EQ(res.result(), http::status::ok);
        EXPECT_TRUE(res.keep_alive());

        co_await srv->shutdown(20s);
        char byte;
        auto [ec, n] = co_await stream.async_read_some(net::buffer(&byte, 1), use_nothrow_awaitable);
        EXPECT_EQ(ec, net::error::eof);
    };
    test::run_coro(ioc, scenario(), 10s);
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_TRUE(srv->stats().draining);
}
