// File: integration/client_dial_test.cpp — the client's dial: what a refused or unanswered connection reports,
// what goes into the upgrade request (headers, subprotocols), and stop() while dialling.
#include <wsecho/client.hpp>

#include "integration/client_support.hpp"

using namespace std::chrono_literals;
using namespace wsecho;
using clock_type = std::chrono::steady_clock;
using test::client_test;
using test::closed_port;
using test::options_for;

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
    EXPECT_EQ(
        describe_dial_failure(report, opts),
        "cannot connect to " + opts.url.to_string() + ": Connection refused"
    );
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
    EXPECT_EQ(
        describe_dial_failure(report, opts),
        "cannot connect to " + opts.url.to_string() + ": timed out after 200ms (during handshake)"
    );
}

// Our server refusing the upgrade (wrong path) is reported with the HTTP status it answered.
TEST_F(client_test, reports_the_status_of_a_refused_upgrade)
{
    auto opts = options_for(endpoint);
    opts.url.target = "/not-a-socket";
    client cl(ioc.get_executor(), opts);
    auto report = test::run_coro(ioc, cl.run());
    EXPECT_EQ(report.dial_error, websocket::error::upgrade_declined);
    EXPECT_EQ(
        describe_dial_failure(report, opts),
        "cannot connect to " + opts.url.to_string() +
            ": the server answered 404 Not Found instead of upgrading"
    );
}

// Extra headers reach the server: an Origin header from another site is refused with 403 by the default
// policy, and accepted once the server allows that origin.
TEST_F(client_test, headers_go_into_the_upgrade_request)
{
    auto opts = options_for(endpoint);
    opts.headers = {{"Origin", "https://elsewhere.example"}, {"X-Trace", "1"}};
    opts.count = 1;
    opts.interval = 10ms;
    {
        client refused(ioc.get_executor(), opts);
        auto report = test::run_coro(ioc, refused.run());
        EXPECT_EQ(report.dial_error, websocket::error::upgrade_declined);
        EXPECT_EQ(report.dial_detail, "the server answered 403 Forbidden instead of upgrading");
    }
    restart_with([](server_options& o) { o.allowed_origins = {"https://elsewhere.example"}; });
    opts.url.port = std::to_string(endpoint.port());
    client allowed(ioc.get_executor(), opts);
    auto report = test::run_coro(ioc, allowed.run());
    EXPECT_TRUE(report.connected());
    EXPECT_EQ(report.received, 1u);
}

// Our server does not negotiate subprotocols: an offered one is answered with none, which is allowed.
TEST_F(client_test, an_offered_subprotocol_may_be_declined)
{
    auto opts = options_for(endpoint);
    opts.subprotocols = {"chat"};
    opts.count = 1;
    opts.interval = 10ms;
    client cl(ioc.get_executor(), opts);
    auto report = test::run_coro(ioc, cl.run());
    EXPECT_TRUE(report.connected());
    EXPECT_EQ(report.subprotocol, "");
    EXPECT_EQ(report.received, 1u);
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
