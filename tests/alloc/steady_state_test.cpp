// File: alloc/steady_state_test.cpp — issue 5's promise, measured: once warmed up, a session echoes
// messages without a heap allocation or an exception on the server's threads.
//
// The server runs on an io_context of its own, on threads that count_this_thread(); the client runs on the
// test's thread and is not counted. The client reads the totals
// between echoes; the server is then somewhere in the same place of its loop each time, so the difference
// covers exactly the measured echoes, give or take the work of one, which is allocation-free as well.
#include "alloc/counting_allocator.hpp"
#include "support/run_coro.hpp"
#include "support/test_logger.hpp"

#include <wsecho/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using namespace wsecho;

namespace {

constexpr int warmup_messages = 1000;
// 16 KiB messages take ~0.6 ms each to mask, unmask and copy in a Debug build (more under ASan), so those cases
// echo fewer to stay well within the test timeout; small messages echo the full 10 000.
constexpr int measured_small = 10000;
constexpr int measured_large = 2000;

struct echo_case
{
    const char* name;
    std::size_t payload_bytes;
    bool text;
    bool handler;      // server_options::on_message rewrites each message (upper-cases it in place)
    int threads;       // > 1: server_options::multithreaded, a strand per session
    // On one thread the session allocates nothing. On two, its strand moves it between threads, and Asio's
    // recycling caches are per thread: memory (coroutine frames, the executor_function wrappers the strand
    // posts) is often allocated on one thread and freed into the other's cache, where it misses. How often
    // depends on how often the scheduler hands the strand to the other thread, not on our code: measured
    // 1.0-1.1 per echo on a quiet machine, and 1.2-7.7 on the same machine after builds had run (the same
    // binary, before and after; 2026-12-04). It was 48 before the session's strand wrapped the concrete
    // executor. Only per-session allocators for every frame and handler could remove that, and Asio 1.81 has
    // no hook for coroutine frames. The one-thread cases catch any new per-message allocation in the session;
    // this bound catches the strand path regressing that far, without failing on the scheduler's mood.
    std::uint64_t max_allocations_per_echo;
    int messages = 0;  // warm-up and measured echoes each; 0: chosen by size

    int warmup() const { return messages > 0 ? messages : warmup_messages; }
    int measured() const
    {
        if (messages > 0)
            return messages;
        return payload_bytes > 1024 ? measured_large : measured_small;
    }
};

// Allocation-free by construction, so whatever the test counts comes from the server.
void upper_case_in_place(beast::flat_buffer& payload, bool&)
{
    auto bytes = payload.data();
    auto* p = static_cast<char*>(bytes.data());
    std::transform(p, p + bytes.size(), p, [](char c) { return static_cast<char>(std::toupper(c)); });
}

// Echoes `count` copies of `payload` one at a time and checks each echo.
net::awaitable<void> echo_many(websocket::stream<beast::tcp_stream>& ws, beast::flat_buffer& incoming,
                               const std::string& payload, const std::string& expected, int count)
{
    for (int i = 0; i < count; ++i)
    {
        co_await ws.async_write(net::buffer(payload), net::use_awaitable);
        incoming.clear();
        co_await ws.async_read(incoming, net::use_awaitable);
        auto echo = incoming.cdata();
        if (std::string_view(static_cast<const char*>(echo.data()), echo.size()) != expected ||
            ws.got_text() != ws.text())
            throw std::runtime_error("wrong echo at message " + std::to_string(i));
    }
}

// Warms up, then returns what the server's threads did during the measured echoes. The client is written
// out here rather than taken from ws_peer: it needs TCP_NODELAY, or each 16 KiB message would wait for the
// server's delayed ACK (40 ms).
net::awaitable<test::alloc::counts> measure(tcp::endpoint server, echo_case c)
{
    websocket::stream<beast::tcp_stream> ws(co_await net::this_coro::executor);
    co_await beast::get_lowest_layer(ws).async_connect(server, net::use_awaitable);
    beast::get_lowest_layer(ws).socket().set_option(tcp::no_delay(true));
    co_await ws.async_handshake("127.0.0.1", "/socket", net::use_awaitable);
    ws.text(c.text);
    ws.auto_fragment(false);  // one frame per message, as browsers send them
    beast::flat_buffer incoming;
    const std::string payload(c.payload_bytes, 'w');
    const std::string expected(c.payload_bytes, c.handler ? 'W' : 'w');
    co_await echo_many(ws, incoming, payload, expected, c.warmup());
    auto before = test::alloc::counted();
    co_await echo_many(ws, incoming, payload, expected, c.measured());
    auto during = test::alloc::counted() - before;
    co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
    co_return during;
}

// The counted threads that run the server. They call run(), as wsecho-server does, and not run_for(): each
// run_one()/run_for() step gives its handler a fresh per-thread context, so Asio's recycling cache would be
// empty for every handler and each operation would be counted as a malloc that production never makes.
class server_threads
{
public:
    server_threads(net::io_context& ioc, int count) : ioc_(ioc)
    {
        for (int i = 0; i < count; ++i)
            threads_.emplace_back([this] {
                test::alloc::count_this_thread();
                ioc_.run();
                std::lock_guard lock(mutex_);
                ++finished_;
                changed_.notify_all();
            });
    }

    ~server_threads() { join(); }

    // Waits (bounded) for the context to run out of work, then stops it if it has not; false if it had to.
    bool join()
    {
        bool on_their_own = true;
        {
            std::unique_lock lock(mutex_);
            on_their_own = changed_.wait_for(lock, 10s, [&] { return finished_ == threads_.size(); });
        }
        if (!on_their_own)
            ioc_.stop();
        for (auto& t : threads_)
            if (t.joinable())
                t.join();
        return on_their_own;
    }

private:
    net::io_context& ioc_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::size_t finished_ = 0;
    std::vector<std::thread> threads_;
};

void PrintTo(const echo_case& c, std::ostream* out)
{
    *out << c.name;
}

class steady_state : public ::testing::TestWithParam<echo_case>
{
};

// Runs a server on threads of its own, echoes `c` through it, and returns what the server's threads
// allocated (and threw) during the measured echoes.
test::alloc::counts count_server_work(const echo_case& c)
{
    net::io_context server_ioc(c.threads);
    std::uint64_t sessions_ended = 0;
    server srv(server_ioc.get_executor(), {
                                              .host = "127.0.0.1",
                                              .port = 0,
                                              .multithreaded = c.threads > 1,
                                              .logger = test::test_logger(),
                                              .on_session_end = [&](const session_summary&) { ++sessions_ended; },
                                              .on_message = c.handler ? message_handler(upper_case_in_place)
                                                                      : message_handler(),
                                          });
    net::co_spawn(server_ioc, srv.run(), test::rethrow);
    server_threads threads(server_ioc, c.threads);

    net::io_context client_ioc;
    test::alloc::counts during;
    try
    {
        during = test::run_coro(client_ioc, measure(srv.local_endpoint(), c), 20s);
    }
    catch (...)
    {
        srv.stop();
        threads.join();
        throw;
    }
    srv.stop();
    EXPECT_TRUE(threads.join()) << "the server did not finish on its own; it was stopped";
    EXPECT_EQ(sessions_ended, 1u);
    return during;
}

}  // namespace

// Steady-state echoes cost the server no heap allocation (a bounded few on two threads, see echo_case) and
// no exception; the counts are over 10 000 small messages, so one allocation per message would show as 10 000.
TEST_P(steady_state, echoes_without_allocating_or_throwing)
{
    const echo_case c = GetParam();
    const auto during = count_server_work(c);
    const auto echoes = static_cast<std::uint64_t>(c.measured());
    EXPECT_LE(during.allocations, c.max_allocations_per_echo * echoes)
        << "allocations on the server's threads over " << echoes << " echoes";
    EXPECT_EQ(during.throws, 0u) << "exceptions thrown on the server's threads over " << echoes << " echoes";
}

// The other side of that promise: a message larger than the room a session keeps between messages (64 KiB)
// gets a buffer of its own, given back once echoed, so a connection that once echoed 1 MiB does not hold
// 1 MiB while it waits. Seen from here: every such echo allocates its buffer again. Kept, it would not.
TEST(large_messages, get_a_buffer_of_their_own_each_time)
{
    const echo_case c{"binary_256KiB", 256 * 1024, false, false, 1, 0, 20};
    const auto during = count_server_work(c);
    EXPECT_GE(during.allocations, static_cast<std::uint64_t>(c.measured()))
        << "a 256 KiB message's buffer was kept between messages";
    EXPECT_EQ(during.throws, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    session, steady_state,
    ::testing::Values(echo_case{"small_text", 32, true, false, 1, 0}, echo_case{"binary_16KiB", 16 * 1024, false, false, 1, 0},
                      echo_case{"small_text_with_handler", 32, true, true, 1, 0},
                      echo_case{"small_text_on_two_threads", 32, true, false, 2, 16},
                      echo_case{"binary_16KiB_on_two_threads", 16 * 1024, false, false, 2, 16}),
    [](const ::testing::TestParamInfo<echo_case>& test) { return std::string(test.param.name); });
