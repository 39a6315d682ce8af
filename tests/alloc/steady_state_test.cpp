// File: alloc/steady_state_test.cpp — issue 5's promise, measured: once warmed up, a session echoes
// messages without a heap allocation or an exception on the server's threads.
//
// The server runs on an io_context of its own, on threads that count_this_thread(); the client runs on the
// test's thread and is not counted. The client reads the totals
// between echoes; the server is then somewhere in the same place of its loop each time, so the difference
// covers exactly the measured echoes, give or take the work of one, which is allocation-free as well.
#include <wsecho/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "alloc/counting_allocator.hpp"
#include "support/run_coro.hpp"
#include "support/test_logger.hpp"

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
    bool handler;  // server_options::on_message rewrites each message (upper-cases it in place)
    int threads;   // > 1: server_options::multithreaded, a strand per session
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
net::awaitable<void> echo_many(
    websocket::stream<beast::tcp_stream>& ws,
    beast::flat_buffer& incoming,
    const std::string& payload,
    const std::string& expected,
    int count
)
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
{};

// Runs a server on threads of its own (`c.threads`, `idle_timeout`), runs `client` against it on the test's
// thread, and returns what the client measured of the server's threads.
template <class Client>
test::alloc::counts count_server_work(
    const echo_case& c, Client client, std::chrono::milliseconds idle_timeout = server_options{}.idle_timeout
)
{
    net::io_context server_ioc(c.threads);
    std::uint64_t sessions_ended = 0;
    server srv(
        server_ioc.get_executor(),
        {
            .host = "127.0.0.1",
            .port = 0,
            .idle_timeout = idle_timeout,
            .multithreaded = c.threads > 1,
            .logger = test::test_logger(),
            .on_session_end = [&](const session_summary&) { ++sessions_ended; },
            .on_message = c.handler ? message_handler(upper_case_in_place) : message_handler(),
        }
    );
    net::co_spawn(server_ioc, srv.run(), test::rethrow);
    server_threads threads(server_ioc, c.threads);

    net::io_context client_ioc;
    test::alloc::counts during;
    try
    {
        during = test::run_coro(client_ioc, client(srv.local_endpoint()), 20s);
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

// What the server's threads did during `c`'s measured echoes.
test::alloc::counts count_server_work(const echo_case& c)
{
    return count_server_work(c, [&](tcp::endpoint server) { return measure(server, c); });
}

// Echoes a few large messages, then waits for the server's keep-alive ping (it comes once the connection was
// quiet for half the idle timeout) and returns what the server's threads did from the last echo to the ping.
net::awaitable<test::alloc::counts> until_ping_after_echoes(tcp::endpoint server, echo_case c)
{
    auto ex = co_await net::this_coro::executor;
    websocket::stream<beast::tcp_stream> ws(ex);
    co_await beast::get_lowest_layer(ws).async_connect(server, net::use_awaitable);
    beast::get_lowest_layer(ws).socket().set_option(tcp::no_delay(true));
    co_await ws.async_handshake("127.0.0.1", "/socket", net::use_awaitable);
    ws.binary(true);
    beast::flat_buffer incoming;
    const std::string payload(c.payload_bytes, 'w');
    co_await echo_many(ws, incoming, payload, payload, c.measured());
    const auto before = test::alloc::counted();

    net::steady_timer ping_seen(ex, net::steady_timer::time_point::max());
    ws.control_callback([&](websocket::frame_type kind, beast::string_view) {
        if (kind == websocket::frame_type::ping)
            ping_seen.cancel();
    });
    test::alloc::counts at_ping;
    auto read_until_closed = [&]() -> net::awaitable<void> {
        incoming.clear();
        co_await ws.async_read(incoming, use_nothrow_awaitable);  // ends with our close
    };
    auto close_after_ping = [&]() -> net::awaitable<void> {
        co_await ping_seen.async_wait(use_nothrow_awaitable);
        at_ping = test::alloc::counted();
        co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
    };
    using namespace net::experimental::awaitable_operators;
    co_await (read_until_closed() && close_after_ping());
    co_return at_ping - before;
}

}  // namespace

// Asio's recycling cache for coroutine frames is 16 slots, first fit: a small frame may borrow a large block
// when it comes first, and a large frame that then finds every large block lent out allocates one of its own
// (which the cache keeps from then on). Since the loop reads first and builds its `||` only when the socket
// is empty, which turn takes which path depends on timing, and so does the order in which frames borrow. Seen
// once in about a third of runs of 10 000 small echoes (both cores busy, 2026-12-05): the `||` operand's
// co_spawn frame (544 bytes), never twice in a run over some 250 runs. The bound allows a few such misses;
// one allocation per message would show as 10 000, one on a path taken once in a thousand messages as 10.
constexpr std::uint64_t frame_cache_misses_allowed = 3;

// Steady-state echoes cost the server no heap allocation (bar the cache misses above; a bounded few per echo
// on two threads, see echo_case) and no exception.
TEST_P(steady_state, echoes_without_allocating_or_throwing)
{
    const echo_case c = GetParam();
    const auto during = count_server_work(c);
    const auto echoes = static_cast<std::uint64_t>(c.measured());
    EXPECT_LE(during.allocations, c.max_allocations_per_echo * echoes + frame_cache_misses_allowed)
        << "allocations on the server's threads over " << echoes << " echoes";
    EXPECT_EQ(during.throws, 0u) << "exceptions thrown on the server's threads over " << echoes << " echoes";
}

// A message larger than the room a session keeps at rest is read into a buffer of its own. While the
// connection is busy the buffer is kept, so the next large message does not map and fault in its memory again
// (scenario d of the benchmarks): 20 more 256 KiB echoes after the warm-up allocate nothing and free no
// large block.
TEST(large_messages, keep_their_buffer_while_the_connection_is_busy)
{
    const echo_case c{"binary_256KiB", 256 * 1024, false, false, 1, 0, 20};
    const auto during = count_server_work(c);
    EXPECT_EQ(during.allocations, 0u) << "allocations over 20 echoes of 256 KiB";
    EXPECT_EQ(during.large_frees, 0u) << "the 256 KiB buffer was given back between busy messages";
    EXPECT_EQ(during.throws, 0u);
}

// ... and give it back once the connection goes quiet, so a connection that once echoed 1 MiB does not hold
// 1 MiB while it waits. The keep-alive ping is the event to wait for: the server sends it after half an idle
// timeout of silence, by when its clock (8 rings per timeout) has found the connection quiet several times.
TEST(large_messages, give_their_buffer_back_when_the_connection_goes_quiet)
{
    const echo_case c{"binary_256KiB", 256 * 1024, false, false, 1, 0, 5};
    const auto until_ping = count_server_work(
        c, [&](tcp::endpoint server) { return until_ping_after_echoes(server, c); }, 400ms
    );
    EXPECT_GE(until_ping.large_frees, 1u)
        << "the 256 KiB buffer was still held when the keep-alive ping came";
    EXPECT_EQ(until_ping.throws, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    session,
    steady_state,
    ::testing::Values(
        echo_case{"small_text", 32, true, false, 1, 0},
        echo_case{"binary_16KiB", 16 * 1024, false, false, 1, 0},
        echo_case{"small_text_with_handler", 32, true, true, 1, 0},
        echo_case{"small_text_on_two_threads", 32, true, false, 2, 16},
        echo_case{"binary_16KiB_on_two_threads", 16 * 1024, false, false, 2, 16}
    ),
    [](const ::testing::TestParamInfo<echo_case>& test) { return std::string(test.param.name); }
);
