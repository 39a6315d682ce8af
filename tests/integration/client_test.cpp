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
    // On a loaded machine the next tick can leave before stop() runs; its reply still arrives before the
    // close (nothing sent is lost), so the exact count is not fixed, only that every tick was answered in order.
    EXPECT_GE(report.sent, 5u);
    EXPECT_EQ(report.received, report.sent);
    ASSERT_EQ(replies.size(), report.received);
    for (std::size_t i = 0; i < replies.size(); ++i)
        EXPECT_EQ(replies[i], "tick " + std::to_string(i + 1));
    EXPECT_GE(elapsed, 5 * opts.interval) << "the first message goes out one interval after connecting";
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_EQ(ended[0].close_code, 1000);
    // The same race on the server's side: it echoed every tick the client sent, the late one included, and
    // none came after the close.
    EXPECT_EQ(ended[0].messages, report.sent);
    EXPECT_EQ(ended[0].unechoed, 0u);
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

// --count: the client sends that many messages, waits for their replies and closes with 1000 by itself.
TEST_F(client_test, count_sends_that_many_then_closes_with_1000)
{
    auto opts = options_for(endpoint);
    opts.interval = 10ms;
    opts.count = 3;
    client cl(ioc.get_executor(), opts);

    auto report = test::run_coro(ioc, cl.run());

    EXPECT_TRUE(report.messages_finished);
    EXPECT_EQ(report.sent, 3u);
    EXPECT_EQ(report.received, 3u);
    EXPECT_EQ(report.close, close_outcome::receiver_finished);
    EXPECT_FALSE(report.connection_error);
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_EQ(ended[0].close_code, 1000);
    EXPECT_EQ(ended[0].messages, 3u);
}

// --binary: the messages go out as binary frames, and the server echoes them as binary.
TEST_F(client_test, binary_sends_binary_frames)
{
    auto opts = options_for(endpoint);
    opts.interval = 10ms;
    opts.count = 2;
    opts.binary = true;
    std::vector<std::pair<std::string, bool>> replies;
    opts.on_message = [&](std::string_view payload, bool text) { replies.emplace_back(payload, text); };
    client cl(ioc.get_executor(), opts);

    auto report = test::run_coro(ioc, cl.run());

    EXPECT_EQ(report.received, 2u);
    EXPECT_EQ(replies, (std::vector<std::pair<std::string, bool>>{{"tick 1", false}, {"tick 2", false}}));
}

namespace {

// A message source like --stdin's: yields the given lines at once, then ends.
net::awaitable<std::optional<std::string>> next_of(std::vector<std::string>& lines)
{
    if (lines.empty())
        co_return std::nullopt;
    auto line = lines.front();
    lines.erase(lines.begin());
    co_return line;
}

}  // namespace

// A custom source replaces the ticker: each message goes out as soon as it is there (no interval), and when
// the source runs out the client waits for every reply before it closes with 1000.
TEST_F(client_test, source_messages_go_out_at_once_and_every_reply_arrives_before_the_close)
{
    auto opts = options_for(endpoint);
    opts.interval = 1h;  // not used: the source decides
    std::vector<std::string> lines{"one", "two", "", "four"};
    opts.next_message = [&] { return next_of(lines); };
    std::vector<std::string> replies;
    opts.on_message = [&](std::string_view payload, bool) { replies.emplace_back(payload); };
    client cl(ioc.get_executor(), opts);

    auto report = test::run_coro(ioc, cl.run());

    EXPECT_EQ(replies, (std::vector<std::string>{"one", "two", "", "four"}));
    EXPECT_EQ(report.close, close_outcome::receiver_finished);
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_EQ(ended[0].close_code, 1000);
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

namespace {

client_options reconnecting(client_options opts)
{
    opts.reconnect = {.enabled = true, .max_attempts = 10, .base_delay = 20ms, .max_delay = 200ms};
    opts.connect_timeout = 1s;
    return opts;
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
    int received_replies = 0;
    opts.on_message = [&](std::string_view, bool) {
        if (++received_replies == 2)
            cl->stop();
    };
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
    int received_replies = 0;
    opts.on_message = [&](std::string_view, bool) {
        if (++received_replies == 2)
            cl->stop();
    };
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
