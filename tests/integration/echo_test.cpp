// File: integration/echo_test.cpp — the echo server over real loopback sockets.
#include <random>

#include "integration/server_fixture.hpp"
#include "support/ws_peer.hpp"

using namespace std::chrono_literals;
using namespace wsecho;
using test::ws_message;
using test::ws_peer;

namespace {

using echo_test = test::server_fixture;

// Random bytes for binary; random valid UTF-8 (1–3 byte characters) of exactly `size` bytes for text.
std::string make_payload(std::size_t size, bool text, std::mt19937& rng)
{
    std::string s;
    s.reserve(size);
    if (!text)
    {
        while (s.size() < size)
            s += static_cast<char>(rng() & 0xff);
        return s;
    }
    const char* pieces[] = {"a", "Z", " ", "\xc3\xa9", "\xe2\x82\xac", "\xe6\x97\xa5"};
    while (s.size() < size)
    {
        std::string_view piece = pieces[rng() % std::size(pieces)];
        if (s.size() + piece.size() > size)
            piece = "x";
        s += piece;
    }
    return s;
}

net::awaitable<std::vector<ws_message>> echo_each(tcp::endpoint server, std::vector<ws_message> messages)
{
    auto peer = co_await ws_peer::connect(server);
    std::vector<ws_message> echoed;
    for (const auto& m : messages)
    {
        co_await peer.send(m.payload, m.text);
        echoed.push_back(co_await peer.receive());
    }
    co_await peer.close(1000);
    co_return echoed;
}

}  // namespace

// Every payload length class comes back byte-identical and with its own type.
TEST_F(echo_test, echoes_all_sizes_byte_identical_with_type)
{
    std::mt19937 rng(42);
    std::vector<ws_message> sent;
    for (std::size_t size : {0u, 1u, 125u, 126u, 65535u, 65536u, 1u << 20})
        for (bool text : {true, false})
            sent.push_back({make_payload(size, text, rng), text});

    auto echoed = test::run_coro(ioc, echo_each(endpoint, sent));

    ASSERT_EQ(echoed.size(), sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i)
    {
        EXPECT_EQ(echoed[i].text, sent[i].text) << "message " << i;
        EXPECT_TRUE(echoed[i].payload == sent[i].payload)
            << "message " << i << " of " << sent[i].payload.size() << " bytes";
    }
}

namespace {

net::awaitable<std::vector<ws_message>> pipeline(tcp::endpoint server, int count)
{
    auto peer = co_await ws_peer::connect(server);
    for (int i = 0; i < count; ++i)
        co_await peer.send("message " + std::to_string(i), true);
    std::vector<ws_message> echoed;
    for (int i = 0; i < count; ++i)
        echoed.push_back(co_await peer.receive());
    co_await peer.close(1000);
    co_return echoed;
}

}  // namespace

// 100 messages sent back to back (not waiting for echoes) come back complete and in order.
TEST_F(echo_test, keeps_order_of_100_pipelined_messages)
{
    auto echoed = test::run_coro(ioc, pipeline(endpoint, 100));
    ASSERT_EQ(echoed.size(), 100u);
    for (int i = 0; i < 100; ++i)
        EXPECT_EQ(echoed[static_cast<std::size_t>(i)].payload, "message " + std::to_string(i));
}

namespace {

// Two in flight: each message goes out before the previous echo is read, so the server's reads alternate between
// a read that waits and one that finds the next message already there.
net::awaitable<std::vector<std::string>> two_in_flight(tcp::endpoint server, int count)
{
    auto peer = co_await ws_peer::connect(server);
    std::vector<std::string> echoed;
    co_await peer.send("message 0", true);
    for (int i = 1; i <= count; ++i)
    {
        if (i < count)
            co_await peer.send("message " + std::to_string(i), true);
        echoed.push_back((co_await peer.receive()).payload);
    }
    co_await peer.close(1000);
    co_return echoed;
}

}  // namespace

// Each echo is its own message, never an earlier one again. Guards the read path's choice of buffer: GCC 12
// once evaluated both arms of a conditional inside a co_await operand, echoing a stale message a second time.
TEST_F(echo_test, echoes_each_message_once_when_reads_alternate_between_waiting_and_not)
{
    constexpr int count = 2000;
    auto echoed = test::run_coro(ioc, two_in_flight(endpoint, count));
    ASSERT_EQ(echoed.size(), static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i)
        ASSERT_EQ(echoed[static_cast<std::size_t>(i)], "message " + std::to_string(i));
}

namespace {

net::awaitable<void> one_client(tcp::endpoint server, int id, int& finished, wakeup& done)
{
    std::vector<ws_message> sent;
    for (int i = 0; i < 5; ++i)
        sent.push_back({"client " + std::to_string(id) + " message " + std::to_string(i), i % 2 == 0});
    auto echoed = co_await echo_each(server, sent);
    EXPECT_EQ(echoed, sent) << "client " << id;
    ++finished;
    done.notify_all();
}

net::awaitable<void> many_clients(tcp::endpoint server, int count)
{
    wakeup done(co_await net::this_coro::executor);
    int finished = 0;
    for (int id = 0; id < count; ++id)
        net::co_spawn(
            co_await net::this_coro::executor, one_client(server, id, finished, done), test::rethrow
        );
    while (finished < count)
        co_await done.wait();
}

}  // namespace

// 50 connections at once are each served their own echoes, and all end with close 1000.
TEST_F(echo_test, serves_50_concurrent_connections)
{
    test::run_coro(ioc, many_clients(endpoint, 50));
    test::run_coro(ioc, wait_for_sessions(50));
    for (const auto& s : ended)
    {
        EXPECT_EQ(s.close_code, 1000) << "session " << s.id;
        EXPECT_EQ(s.messages, 5u) << "session " << s.id;
    }
}

namespace {

net::awaitable<std::uint16_t> close_with(tcp::endpoint server, std::uint16_t code, std::string reason)
{
    auto peer = co_await ws_peer::connect(server);
    co_await peer.send("one", true);
    co_await peer.receive();
    co_return co_await peer.close(code, reason);
}

}  // namespace

// The server answers a close with the same code and records the peer's code and reason.
TEST_F(echo_test, records_the_peers_close_code)
{
    EXPECT_EQ(test::run_coro(ioc, close_with(endpoint, 1000, "bye")), 1000);
    test::run_coro(ioc, wait_for_sessions(1));
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_TRUE(ended[0].upgraded);
    EXPECT_EQ(ended[0].close_code, 1000);
    EXPECT_EQ(ended[0].close_reason, "bye");
    EXPECT_EQ(ended[0].messages, 1u);
    EXPECT_EQ(ended[0].bytes, 3u);
    EXPECT_FALSE(ended[0].error);
}

// Messages followed at once by a close frame, in one write: every echo goes out before the close
// reply (the echo loop writes them in order, ahead of the close), and nothing after it.
TEST_F(echo_test, echoes_everything_received_before_the_close)
{
    std::string frames;
    for (int i = 0; i < 10; ++i)
        frames += test::encode_client_frame(1, "m" + std::to_string(i));
    frames += test::encode_client_frame(8, test::close_payload(1000, "done"));

    auto bytes = test::run_coro(ioc, test::raw_ws_exchange(endpoint, frames));
    auto got = test::decode_server_frames(bytes);

    ASSERT_EQ(got.size(), 11u);
    for (int i = 0; i < 10; ++i)
    {
        EXPECT_EQ(got[static_cast<std::size_t>(i)].opcode, 1);
        EXPECT_EQ(got[static_cast<std::size_t>(i)].payload, "m" + std::to_string(i));
    }
    EXPECT_EQ(got[10].opcode, 8);
    EXPECT_EQ(got[10].payload.substr(0, 2), test::close_payload(1000));
}

// A peer that vanishes without a close handshake ends its session quietly; others keep being served.
TEST_F(echo_test, survives_a_peer_that_disappears)
{
    auto vanish = [](tcp::endpoint server) -> net::awaitable<void> {
        auto peer = co_await ws_peer::connect(server);
        co_await peer.send("before vanishing", true);
        co_await peer.receive();
    };  // peer destroyed: TCP closed, no close frame
    test::run_coro(ioc, vanish(endpoint));
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_FALSE(ended[0].close_code);
    EXPECT_TRUE(ended[0].error);

    auto echoed = test::run_coro(ioc, echo_each(endpoint, {{"still here", true}}));
    EXPECT_EQ(echoed[0].payload, "still here");
}
