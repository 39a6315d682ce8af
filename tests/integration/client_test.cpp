// File: integration/client_test.cpp — the client against our server and against misbehaving peers.
#include "integration/server_fixture.hpp"
#include "support/ws_peer.hpp"

#include <wsecho/client.hpp>

#include <boost/asio/steady_timer.hpp>

using namespace std::chrono_literals;
using namespace wsecho;
using clock_type = std::chrono::steady_clock;

namespace {

using client_test = test::server_fixture;

client_options options_for(tcp::endpoint ep)
{
    client_options opts;
    opts.url = {.host = ep.address().to_string(), .port = std::to_string(ep.port()), .target = "/socket"};
    opts.logger = test::test_logger();
    opts.message = "tick {n}";
    return opts;
}

// A free port with nothing listening: bind, note the port, close.
tcp::endpoint closed_port(net::io_context& ioc)
{
    tcp::acceptor a(ioc, tcp::endpoint(net::ip::address_v4::loopback(), 0));
    auto ep = a.local_endpoint();
    a.close();
    return ep;
}

}  // namespace

// The sender keeps the interval, every message is echoed and logged, and stop() closes with 1000,
// which the server records.
TEST_F(client_test, sends_every_interval_and_closes_with_1000)
{
    auto opts = options_for(endpoint);
    opts.interval = 20ms;
    std::vector<std::string> replies;
    std::unique_ptr<client> cl;
    opts.on_message = [&](std::string_view payload, bool text) {
        EXPECT_TRUE(text);
        replies.emplace_back(payload);
        if (replies.size() == 5)
            cl->stop();
    };
    cl = std::make_unique<client>(ioc.get_executor(), opts);

    auto started = clock_type::now();
    auto report = test::run_coro(ioc, cl->run());
    auto elapsed = clock_type::now() - started;

    EXPECT_TRUE(report.connected());
    EXPECT_EQ(report.close, close_outcome::receiver_finished);
    EXPECT_EQ(report.sent, 5u);
    EXPECT_EQ(report.received, 5u);
    EXPECT_EQ(replies, (std::vector<std::string>{"tick 1", "tick 2", "tick 3", "tick 4", "tick 5"}));
    EXPECT_GE(elapsed, 5 * opts.interval) << "the first message goes out one interval after connecting";
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_EQ(ended[0].close_code, 1000);
    EXPECT_EQ(ended[0].messages, 5u);
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

// A refused dial fails at once with a line naming the URL and the reason.
TEST(client_peers, dial_to_a_closed_port_fails_fast)
{
    net::io_context ioc;
    auto opts = options_for(closed_port(ioc));
    opts.connect_timeout = 3s;
    client cl(ioc.get_executor(), opts);

    auto started = clock_type::now();
    auto report = test::run_coro(ioc, cl.run());

    EXPECT_LT(clock_type::now() - started, opts.connect_timeout);
    EXPECT_FALSE(report.connected());
    EXPECT_EQ(report.dial_error, net::error::connection_refused);
    EXPECT_EQ(report.failed_step, "connect");
    EXPECT_EQ(describe_dial_failure(report, opts),
              "cannot connect to " + opts.url.to_string() + ": Connection refused");
}

// A server that accepts TCP but never answers the upgrade: the dial gives up after connect_timeout.
TEST(client_peers, dial_times_out_when_the_upgrade_is_never_answered)
{
    net::io_context ioc;
    tcp::acceptor mute(ioc, tcp::endpoint(net::ip::address_v4::loopback(), 0));  // listens, never accepts
    auto opts = options_for(mute.local_endpoint());
    opts.connect_timeout = 200ms;
    client cl(ioc.get_executor(), opts);

    auto started = clock_type::now();
    auto report = test::run_coro(ioc, cl.run());
    auto took = clock_type::now() - started;

    EXPECT_EQ(report.dial_error, beast::error::timeout);
    EXPECT_EQ(report.failed_step, "handshake");
    EXPECT_GE(took, opts.connect_timeout);
    EXPECT_LT(took, 2s);
    EXPECT_EQ(describe_dial_failure(report, opts),
              "cannot connect to " + opts.url.to_string() + ": timed out after 200ms (during handshake)");
}

// Our server refusing the upgrade (wrong path) is reported with the HTTP status it answered.
TEST_F(client_test, reports_the_status_of_a_refused_upgrade)
{
    auto opts = options_for(endpoint);
    opts.url.target = "/not-a-socket";
    client cl(ioc.get_executor(), opts);
    auto report = test::run_coro(ioc, cl.run());
    EXPECT_EQ(report.dial_error, websocket::error::upgrade_declined);
    EXPECT_EQ(describe_dial_failure(report, opts),
              "cannot connect to " + opts.url.to_string() + ": the server answered 404 Not Found instead of upgrading");
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

// stop() while the dial is still waiting ends the dial at once instead of after connect_timeout.
TEST(client_peers, stop_during_dial_returns_at_once)
{
    net::io_context ioc;
    tcp::acceptor mute(ioc, tcp::endpoint(net::ip::address_v4::loopback(), 0));
    auto opts = options_for(mute.local_endpoint());
    opts.connect_timeout = 10s;
    client cl(ioc.get_executor(), opts);
    cl.stop();

    auto report = test::run_coro(ioc, cl.run(), 3s);

    EXPECT_TRUE(report.stopped_before_connected);
    EXPECT_FALSE(report.connected());
}
