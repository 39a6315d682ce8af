// File: integration/limits_test.cpp — every limit refuses or drops the peer it is for, explains why, counts
// it, and leaves the server serving everyone else.
#include <wsecho/wakeup.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include <fstream>
#include <optional>

#include "integration/server_fixture.hpp"
#include "support/ws_peer.hpp"

using namespace std::chrono_literals;
using namespace wsecho;
using clock_type = std::chrono::steady_clock;

namespace {

using limits_test = test::server_fixture;

net::awaitable<void> echo_once(tcp::endpoint server)
{
    auto peer = co_await test::ws_peer::connect(server);
    co_await peer.send("still serving", true);
    auto reply = co_await peer.receive();
    EXPECT_EQ(reply.payload, "still serving");
    co_await peer.close(1000);
}

}  // namespace

// A client that dribbles half a request is dropped after the handshake timeout, and logged as such.
TEST_F(limits_test, drops_a_slow_request_after_the_handshake_timeout)
{
    restart_with([](server_options& o) { o.handshake_timeout = 200ms; });
    auto started = clock_type::now();
    auto reply = test::run_coro(ioc, test::raw_exchange(endpoint, "GET /socket HTTP/1.1\r\nHost: x\r\nUpgr"));
    auto took = clock_type::now() - started;

    EXPECT_EQ(reply, "") << "nothing is answered to half a request";
    EXPECT_GE(took, 200ms);
    EXPECT_LT(took, 2s);
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_EQ(ended[0].rejected, rejection::request_timeout);
    EXPECT_EQ(srv->stats().rejections(rejection::request_timeout), 1u);
    test::run_coro(ioc, echo_once(endpoint));
}

// A WebSocket peer that answers nothing gets a keep-alive ping, then is dropped at the idle timeout.
TEST_F(limits_test, pings_then_drops_a_dead_peer)
{
    restart_with([](server_options& o) { o.idle_timeout = 300ms; });
    auto started = clock_type::now();
    auto bytes = test::run_coro(ioc, test::raw_ws_exchange(endpoint, ""));  // upgrades, then never reads
    auto took = clock_type::now() - started;

    auto frames = test::decode_server_frames(bytes);
    ASSERT_FALSE(frames.empty());
    EXPECT_EQ(frames[0].opcode, 9) << "a ping before giving up";
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 2s);
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_EQ(ended[0].rejected, rejection::idle_timeout);
    EXPECT_EQ(srv->stats().rejections(rejection::idle_timeout), 1u);
}

namespace {

// What a peer that only listens saw before its quiet spell ended.
struct quiet_spell
{
    bool lasted = false;  // the whole spell passed with nothing but pings (answered by the pending read)
    std::optional<test::ws_message> message;  // something the server sent instead
    error_code dropped;                       // or how the connection ended
};

// The read side of stay_quiet(): it must not throw, because `||` waits for the first *success* and a
// throwing read would never win (the timer would then report a dropped peer as quiet).
net::awaitable<quiet_spell> first_thing_heard(test::ws_peer& peer)
{
    quiet_spell heard;
    try
    {
        heard.message = co_await peer.receive();
    }
    catch (const boost::system::system_error& e)
    {
        heard.dropped = e.code();
    }
    co_return heard;
}

// Connects and just listens (a pending read answers pings) for `quiet`, then gives up the connection.
net::awaitable<quiet_spell> stay_quiet(tcp::endpoint server, std::chrono::milliseconds quiet)
{
    using namespace net::experimental::awaitable_operators;
    auto peer = co_await test::ws_peer::connect(server);
    auto first = co_await (first_thing_heard(peer) || wsecho::timeout(quiet));
    if (first.index() == 0)
        co_return std::get<0>(first);
    co_return quiet_spell{.lasted = true};
}

}  // namespace

// A live peer that is merely quiet answers the pings and is kept past several idle timeouts.
TEST_F(limits_test, keeps_a_quiet_peer_that_answers_pings)
{
    restart_with([](server_options& o) { o.idle_timeout = 200ms; });
    auto spell = test::run_coro(ioc, stay_quiet(endpoint, 700ms));
    EXPECT_TRUE(spell.lasted) << "dropped: " << spell.dropped.message()
                              << (spell.message ? ", or sent a message: " + spell.message->payload : "");
    EXPECT_FALSE(spell.dropped);
    EXPECT_TRUE(ended.empty()) << "the server dropped a peer that answered its pings";
}

namespace {

net::awaitable<void> over_capacity(tcp::endpoint server, test::server_fixture& fixture, std::size_t limit)
{
    std::vector<test::ws_peer> peers;
    for (std::size_t i = 0; i < limit; ++i)
        peers.push_back(co_await test::ws_peer::connect(server));

    auto refused = co_await test::http_exchange(server, http::verb::get, "/");
    EXPECT_EQ(refused.result(), http::status::service_unavailable);
    EXPECT_EQ(refused[http::field::retry_after], "1");

    co_await peers.back().close(1000);  // a place frees up...
    peers.pop_back();
    co_await fixture.wait_for_sessions(2);  // the 503 and the closed peer
    co_await echo_once(server);             // ...and the next connection is served
}

}  // namespace

// Past max_connections a connection gets 503 before any upgrade; once one closes, service resumes.
TEST_F(limits_test, refuses_connections_over_the_limit_with_503)
{
    restart_with([](server_options& o) { o.max_connections = 3; });
    test::run_coro(ioc, over_capacity(endpoint, *this, 3));
    EXPECT_EQ(srv->stats().rejections(rejection::over_capacity), 1u);
    auto refused = std::find_if(ended.begin(), ended.end(), [](auto& s) { return s.rejected.has_value(); });
    ASSERT_NE(refused, ended.end());
    EXPECT_EQ(refused->rejected, rejection::over_capacity);
}

// A browser page from another origin cannot open the socket (403); an allowed origin can.
TEST_F(limits_test, enforces_the_origin_policy)
{
    auto upgrade_from = [](std::string origin) {
        return "GET /socket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: " +
               origin + "\r\n\r\n";
    };
    auto refused = test::run_coro(ioc, test::raw_exchange(endpoint, upgrade_from("http://evil.example")));
    EXPECT_EQ(refused.rfind("HTTP/1.1 403 Forbidden\r\n", 0), 0u) << refused;
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_EQ(ended[0].rejected, rejection::origin_not_allowed);
    EXPECT_EQ(srv->stats().rejections(rejection::origin_not_allowed), 1u);

    restart_with([](server_options& o) { o.allowed_origins = {"http://evil.example"}; });
    auto allowed =
        test::run_coro(ioc, [](tcp::endpoint ep, std::string request) -> net::awaitable<std::string> {
            tcp::socket socket(co_await net::this_coro::executor);
            co_await socket.async_connect(ep, net::use_awaitable);
            co_await net::async_write(socket, net::buffer(request), net::use_awaitable);
            std::string head;
            co_await net::async_read_until(socket, net::dynamic_buffer(head), "\r\n\r\n", net::use_awaitable);
            co_return head;
        }(endpoint, upgrade_from("http://evil.example")));
    EXPECT_EQ(allowed.rfind("HTTP/1.1 101", 0), 0u) << allowed;
}

// Request headers over max_header_bytes are refused with 431.
TEST_F(limits_test, refuses_headers_over_the_limit_with_431)
{
    restart_with([](server_options& o) { o.max_header_bytes = 1024; });
    auto reply = test::run_coro(
        ioc,
        test::raw_exchange(
            endpoint, "GET / HTTP/1.1\r\nHost: x\r\nCookie: " + std::string(2000, 'c') + "\r\n\r\n"
        )
    );
    EXPECT_EQ(reply.rfind("HTTP/1.1 431", 0), 0u) << reply.substr(0, 80);
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_EQ(srv->stats().rejections(rejection::header_too_large), 1u);
}

namespace {

// Opens `count` connections that vanish abruptly: some mid-request, some mid-frame after an upgrade.
net::awaitable<void> abrupt_connections(tcp::endpoint server, int count)
{
    for (int i = 0; i < count; ++i)
    {
        tcp::socket socket(co_await net::this_coro::executor);
        co_await socket.async_connect(server, net::use_awaitable);
        std::string half = i % 2 ? "GET /socket HTTP/1.1\r\nHost: x\r\n" : "GET / HTTP/1.1\r\nHo";
        co_await net::async_write(socket, net::buffer(half), net::use_awaitable);
        socket.set_option(net::socket_base::linger(true, 0));  // close with RST, like a killed process
    }
}

}  // namespace

// A thousand connections dropped without a goodbye leave no file descriptor behind, and the server serves on.
TEST_F(limits_test, leaks_no_descriptors_after_abrupt_disconnects)
{
    test::run_coro(ioc, echo_once(endpoint));  // warm up: the first session's lazily created objects
    test::run_coro(ioc, wait_for_sessions(1));
    auto before = open_file_descriptors();

    test::run_coro(ioc, abrupt_connections(endpoint, 1000), 20s);
    test::run_coro(ioc, wait_for_sessions(1001), 20s);
    EXPECT_EQ(open_file_descriptors(), before);
    EXPECT_EQ(srv->stats().open, 0u);
    test::run_coro(ioc, echo_once(endpoint));
}

// A close code past 4999 is answered with 1002 (Beast alone would echo it) and counted as a protocol error.
TEST_F(limits_test, answers_out_of_range_close_codes_with_1002)
{
    auto bytes = test::run_coro(
        ioc, test::raw_ws_exchange(endpoint, test::encode_client_frame(8, test::close_payload(5000, "bad")))
    );
    auto frames = test::decode_server_frames(bytes);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].opcode, 8);
    EXPECT_EQ(frames[0].payload.substr(0, 2), test::close_payload(1002));
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_EQ(ended[0].rejected, rejection::protocol_error);
    EXPECT_EQ(ended[0].close_code, 5000);
    EXPECT_EQ(srv->stats().rejections(rejection::protocol_error), 1u);
}

// An empty close frame is recorded as 1005 ("no status received"), not as code 0.
TEST_F(limits_test, records_an_empty_close_as_1005)
{
    auto bytes = test::run_coro(ioc, test::raw_ws_exchange(endpoint, test::encode_client_frame(8, "")));
    ASSERT_FALSE(test::decode_server_frames(bytes).empty());
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_EQ(ended[0].close_code, 1005);
    EXPECT_FALSE(ended[0].rejected);
}

namespace {

// Resident memory of this process in KiB (VmRSS from /proc/self/status).
std::size_t resident_kib()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stoul(line.substr(6));
    return 0;
}

}  // namespace

// Rounds of a thousand abrupt disconnects do not make memory grow: after the first round has warmed the
// allocator, later rounds end where it ended. (Under ASan, RSS is inflated by its quarantine; its
// LeakSanitizer checks for leaks at exit instead.)
TEST_F(limits_test, memory_does_not_grow_over_rounds_of_abrupt_disconnects)
{
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "ASan's quarantine keeps freed memory resident; LeakSanitizer covers leaks in this build";
#endif
    std::size_t sessions = 0;
    auto round = [&] {
        test::run_coro(ioc, abrupt_connections(endpoint, 1000), 20s);
        sessions += 1000;
        test::run_coro(ioc, wait_for_sessions(sessions), 20s);
    };
    round();
    auto after_first = resident_kib();
    round();
    round();
    auto after_third = resident_kib();
    EXPECT_LT(after_third, after_first + 2048)
        << "RSS grew from " << after_first << " KiB to " << after_third << " KiB";
    EXPECT_EQ(srv->stats().open, 0u);
}
