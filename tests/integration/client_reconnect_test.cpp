// File: integration/client_reconnect_test.cpp — --reconnect: which endings are dialled again, with backoff and a
// bound on the attempts, and how stop() ends a reconnection wait.
#include <wsecho/client.hpp>

#include "integration/client_support.hpp"
#include "support/ws_peer.hpp"

using namespace std::chrono_literals;
using namespace wsecho;
using test::client_test;
using test::closed_port;
using test::options_for;

namespace {

client_options reconnecting(client_options opts)
{
    opts.reconnect = {.enabled = true, .max_attempts = 10, .base_delay = 20ms, .max_delay = 200ms};
    opts.connect_timeout = 1s;
    return opts;
}

// Stops the client once `count` replies have come back.
void stop_after_replies(client_options& opts, std::unique_ptr<client>& cl, int count)
{
    opts.on_message = [&cl, count, received = 0](std::string_view, bool) mutable {
        if (++received == count)
            cl->stop();
    };
}

}  // namespace

// --reconnect: while the server is down, each dial fails and is retried with backoff; once the server is
// back on its port, the client connects and goes on.
TEST_F(client_test, reconnects_once_the_server_is_back)
{
    const auto port = endpoint.port();
    srv->stop();
    test::drain(ioc);  // the port is closed now
    auto opts = reconnecting(options_for(endpoint));
    opts.interval = 10ms;
    std::vector<reconnect_attempt> attempts;
    opts.on_reconnect = [&](const reconnect_attempt& a) {
        attempts.push_back(a);
        if (a.number == 2)  // the server comes back on the same port
            start([&] {
                auto o = default_options();
                o.port = port;
                return o;
            }());
    };
    std::unique_ptr<client> cl;
    stop_after_replies(opts, cl, 2);
    cl = std::make_unique<client>(ioc.get_executor(), opts);

    auto report = test::run_coro(ioc, cl->run());

    ASSERT_GE(attempts.size(), 2u);
    EXPECT_EQ(attempts[0].number, 1u);
    EXPECT_EQ(attempts[0].max_attempts, 10u);
    EXPECT_NE(attempts[0].reason.find("Connection refused"), std::string::npos) << attempts[0].reason;
    EXPECT_GE(attempts[1].delay, 20ms) << "attempt 2 waits at least half of twice the base delay";
    EXPECT_TRUE(report.connected());
    EXPECT_EQ(report.connections, 1u);
    EXPECT_EQ(report.reconnects, attempts.size());
    EXPECT_EQ(report.close, close_outcome::receiver_finished);
}

// --reconnect after a lost connection: a server that vanishes without a close frame is dialled again,
// and the client carries on with the server that takes its place.
TEST_F(client_test, reconnects_after_the_connection_is_lost)
{
    const auto port = endpoint.port();
    srv->stop();
    test::drain(ioc);
    test::silent_ws_server doomed(ioc.get_executor(), port);
    auto opts = reconnecting(options_for(doomed.endpoint()));
    opts.interval = 10ms;
    std::vector<reconnect_attempt> attempts;
    opts.on_reconnect = [&](const reconnect_attempt& a) {
        attempts.push_back(a);
        if (a.number == 1)
        {
            auto o = default_options();
            o.port = port;
            start(std::move(o));
        }
    };
    std::unique_ptr<client> cl;
    stop_after_replies(opts, cl, 2);
    cl = std::make_unique<client>(ioc.get_executor(), opts);
    auto crash_after_handshake = [&]() -> net::awaitable<void> {
        co_await doomed.accept_and_go_silent();
        doomed.vanish();
    };
    net::co_spawn(ioc, crash_after_handshake(), test::rethrow);

    auto report = test::run_coro(ioc, cl->run());

    ASSERT_EQ(attempts.size(), 1u);
    EXPECT_NE(attempts[0].reason.find("connection lost"), std::string::npos) << attempts[0].reason;
    EXPECT_EQ(report.connections, 2u);
    EXPECT_EQ(report.reconnects, 1u);
    // A tick may leave between the second reply and stop(); its echo still comes back before the close.
    EXPECT_GE(report.received, 2u);
    EXPECT_EQ(report.received, report.sent);
    EXPECT_FALSE(report.connection_error) << "the report describes the last connection";
    EXPECT_EQ(report.close, close_outcome::receiver_finished);
}

// The attempts are bounded: against a port that stays closed the client gives up after max_attempts,
// reporting the last dial's failure.
TEST(client_peers, reconnect_gives_up_after_max_attempts)
{
    net::io_context ioc;
    auto opts = reconnecting(options_for(closed_port(ioc)));
    opts.reconnect.max_attempts = 3;
    opts.reconnect.base_delay = 5ms;
    client cl(ioc.get_executor(), opts);

    auto report = test::run_coro(ioc, cl.run());

    EXPECT_EQ(report.reconnects, 3u);
    EXPECT_EQ(report.connections, 0u);
    EXPECT_EQ(report.dial_error, net::error::connection_refused);
}

// stop() during a reconnection wait ends run() at once, not after the delay, and is not a failure.
TEST(client_peers, stop_ends_a_reconnection_wait_at_once)
{
    net::io_context ioc;
    auto opts = reconnecting(options_for(closed_port(ioc)));
    opts.reconnect.base_delay = 1h;
    std::unique_ptr<client> cl;
    opts.on_reconnect = [&](const reconnect_attempt&) { cl->stop(); };
    cl = std::make_unique<client>(ioc.get_executor(), opts);

    auto report = test::run_coro(ioc, cl->run(), 3s);

    EXPECT_EQ(report.reconnects, 1u);
    EXPECT_TRUE(report.stopped_before_connected);
    EXPECT_FALSE(report.dial_error);
}

// Which server closes lead to a reconnection: "going away" (1001) does, a normal close (1000) does not.
TEST(client_peers, reconnects_after_going_away_but_not_after_a_normal_close)
{
    for (auto [code, expected_reconnects] : {std::pair<std::uint16_t, unsigned>{1000, 0}, {1001, 1}})
    {
        net::io_context ioc;
        test::silent_ws_server peer(ioc.get_executor());
        net::co_spawn(ioc, peer.accept_and_close(code), test::rethrow);
        auto opts = reconnecting(options_for(peer.endpoint()));
        opts.interval = 1h;
        std::unique_ptr<client> cl;
        opts.on_reconnect = [&](const reconnect_attempt&) { cl->stop(); };
        cl = std::make_unique<client>(ioc.get_executor(), opts);

        auto report = test::run_coro(ioc, cl->run());

        EXPECT_EQ(report.reconnects, expected_reconnects) << code;
    }
}
