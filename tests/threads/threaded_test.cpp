// File: threads/threaded_test.cpp — the server on an io_context run by two threads, a strand per session,
// with many concurrent clients; meant for the tsan preset (label "threads"), run in every preset.
#include <wsecho/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "support/test_logger.hpp"
#include "support/ws_peer.hpp"

using namespace std::chrono_literals;
using namespace wsecho;

namespace {

constexpr int clients = 40;
constexpr int messages_each = 20;

net::awaitable<void> chat(tcp::endpoint server, int id)
{
    auto peer = co_await test::ws_peer::connect(server);
    for (int i = 0; i < messages_each; ++i)
    {
        auto text = "client " + std::to_string(id) + " message " + std::to_string(i);
        // Every fifth message is over 64 KiB: its echo leaves the payload uncopied, and the flush that writes it
        // may wait, after which the session can resume on the other thread.
        if (i % 5 == 4)
            text += std::string(100'000, static_cast<char>('a' + id % 26));
        co_await peer.send(text, i % 2 == 0);
        auto echo = co_await peer.receive();
        if (echo.payload != text || echo.text != (i % 2 == 0))
            throw std::runtime_error(
                "wrong echo for " + text.substr(0, 40) + ": " + echo.payload.substr(0, 40)
            );
    }
    co_await peer.close(1000);
}

// Counts finished things across threads and lets the test thread wait for them with a bound.
struct tally
{
    std::mutex mutex;
    std::condition_variable changed;
    int count = 0;
    std::vector<std::string> failures;

    void add(std::string failure = {})
    {
        std::lock_guard lock(mutex);
        ++count;
        if (!failure.empty())
            failures.push_back(std::move(failure));
        changed.notify_all();
    }

    bool wait_for(int n, std::chrono::seconds limit)
    {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, limit, [&] { return count >= n; });
    }
};

}  // namespace

// Two threads run the context; every session and every client has its own strand; all echoes (small and over
// 64 KiB) are right,
// every session ends with close 1000, and the server stops cleanly (tsan checks the rest).
TEST(threaded_server, serves_concurrent_clients_on_two_threads)
{
    net::io_context ioc(2);
    tally sessions;
    tally finished_clients;
    std::mutex summaries_mutex;
    std::vector<session_summary> summaries;
    server srv(
        ioc.get_executor(),
        {
            .host = "127.0.0.1",
            .port = 0,
            .multithreaded = true,
            .logger = test::test_logger(),
            .on_session_end =
                [&](const session_summary& s) {
                    {
                        std::lock_guard lock(summaries_mutex);
                        summaries.push_back(s);
                    }
                    sessions.add();
                },
        }
    );
    net::co_spawn(ioc, srv.run(), [](const std::exception_ptr& e) {
        if (e)
            std::rethrow_exception(e);
    });
    for (int id = 0; id < clients; ++id)
        net::co_spawn(
            net::make_strand(ioc),
            chat(srv.local_endpoint(), id),
            [&, id](const std::exception_ptr& e) {
                std::string failure;
                if (e)
                {
                    try
                    {
                        std::rethrow_exception(e);
                    }
                    catch (const std::exception& x)
                    {
                        failure = "client " + std::to_string(id) + ": " + x.what();
                    }
                }
                finished_clients.add(failure);
            }
        );

    std::thread first([&] { ioc.run_for(30s); });
    std::thread second([&] { ioc.run_for(30s); });
    bool clients_done = finished_clients.wait_for(clients, 20s);
    bool sessions_done = sessions.wait_for(clients, 10s);
    srv.stop();
    first.join();  // returns once the listener and every session have ended
    second.join();

    ASSERT_TRUE(clients_done) << finished_clients.count << " of " << clients << " clients finished";
    EXPECT_TRUE(finished_clients.failures.empty()) << finished_clients.failures.front();
    ASSERT_TRUE(sessions_done);
    ASSERT_EQ(summaries.size(), static_cast<std::size_t>(clients));
    for (const auto& s : summaries)
    {
        EXPECT_EQ(s.close_code, 1000) << "session " << s.id;
        EXPECT_EQ(s.messages, static_cast<std::uint64_t>(messages_each)) << "session " << s.id;
    }
    EXPECT_EQ(srv.stats().open, 0u);
    EXPECT_TRUE(ioc.stopped()) << "work was left behind";
}

namespace {

// Echoes numbered messages one at a time until the server closes; returns the server's close code.
net::awaitable<std::uint16_t> chat_until_closed(tcp::endpoint server, tally& flowing)
{
    websocket::stream<beast::tcp_stream> ws(co_await net::this_coro::executor);
    co_await beast::get_lowest_layer(ws).async_connect(server, net::use_awaitable);
    co_await ws.async_handshake("127.0.0.1", "/socket", net::use_awaitable);
    beast::flat_buffer buffer;
    for (int i = 0;; ++i)
    {
        auto text = std::to_string(i);
        if (auto [ec, n] = co_await ws.async_write(net::buffer(text), use_nothrow_awaitable); ec)
            break;
        if (auto [ec, n] = co_await ws.async_read(buffer, use_nothrow_awaitable); ec)
            break;
        if (beast::buffers_to_string(buffer.data()) != text)
            throw std::runtime_error("wrong echo for " + text);
        buffer.clear();
        if (i == 10)
            flowing.add();
    }
    // The write or the read saw the close; reading on completes the handshake if the write saw it first.
    while (ws.is_open())
        if (auto [ec, n] = co_await ws.async_read(buffer, use_nothrow_awaitable); ec)
            break;
    co_return static_cast<std::uint16_t>(ws.reason().code);
}

}  // namespace

// Graceful shutdown with sessions on two threads: the drain reaches every strand, each peer gets 1001, and
// everything the server read was echoed (tsan checks the registry and the counters).
TEST(threaded_server, drains_sessions_on_two_threads)
{
    constexpr int peers = 20;
    net::io_context ioc(2);
    tally flowing, finished;
    std::mutex codes_mutex;
    std::vector<std::uint16_t> codes;
    std::atomic<std::uint64_t> unechoed{0};
    server srv(
        ioc.get_executor(),
        {.host = "127.0.0.1",
         .port = 0,
         .multithreaded = true,
         .logger = test::test_logger(),
         .on_session_end = [&](const session_summary& s) { unechoed += s.unechoed; }}
    );
    net::co_spawn(ioc, srv.run(), net::detached);
    for (int id = 0; id < peers; ++id)
        net::co_spawn(
            net::make_strand(ioc),
            chat_until_closed(srv.local_endpoint(), flowing),
            [&](const std::exception_ptr& e, std::uint16_t code) {
                {
                    std::lock_guard lock(codes_mutex);
                    codes.push_back(e ? 0 : code);
                }
                finished.add();
            }
        );
    std::thread first([&] { ioc.run_for(30s); });
    std::thread second([&] { ioc.run_for(30s); });
    bool flowing_all = flowing.wait_for(peers, 10s);
    std::atomic<bool> shut_down{false};
    net::co_spawn(ioc, srv.shutdown(5s), [&](const std::exception_ptr&) { shut_down = true; });
    bool finished_all = finished.wait_for(peers, 10s);
    first.join();  // the context runs out of work once the shutdown and every peer are done
    second.join();

    ASSERT_TRUE(flowing_all);
    ASSERT_TRUE(finished_all);
    EXPECT_TRUE(shut_down);
    for (auto code : codes)
        EXPECT_EQ(code, 1001);
    auto traffic = srv.stats().traffic.sum();
    // Only a message that completed after our close frame went unechoed, and the session said so.
    EXPECT_EQ(traffic.messages_received[0], traffic.messages_sent[0] + unechoed);
    EXPECT_EQ(srv.stats().open, 0u);
    EXPECT_EQ(srv.stats().close_codes.sent_by_code().at(1001), static_cast<std::uint64_t>(peers));
}
