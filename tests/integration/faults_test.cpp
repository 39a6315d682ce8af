// File: integration/faults_test.cpp — peers that misbehave at the transport level: they stop reading,
// vanish mid-frame, go silent halfway, or die during the close. The server stays bounded and serves on.
#include <wsecho/wakeup.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>

#include "integration/server_fixture.hpp"
#include "support/ws_peer.hpp"

using namespace std::chrono_literals;
using namespace wsecho;
using clock_type = std::chrono::steady_clock;

namespace {

class faults_test : public test::server_fixture
{
protected:
    // One full echo first, so lazily created objects exist before the descriptors are counted.
    std::size_t warm_up();
};

constexpr std::string_view upgrade_request =
    "GET /socket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

net::awaitable<tcp::socket> upgraded_socket(tcp::endpoint server)
{
    tcp::socket socket(co_await net::this_coro::executor);
    co_await socket.async_connect(server, net::use_awaitable);
    co_await net::async_write(socket, net::buffer(upgrade_request), net::use_awaitable);
    std::string head;
    co_await net::async_read_until(socket, net::dynamic_buffer(head), "\r\n\r\n", net::use_awaitable);
    EXPECT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;
    co_return socket;
}

// A masked binary frame header for `size` bytes with the 64-bit length, mask key 0: the payload goes as is.
// RFC 6455 allows the 64-bit form only above 65535 bytes (Beast fails shorter ones as non-canonical).
std::string frame_header(std::uint64_t size)
{
    EXPECT_GT(size, 65535u) << "the 64-bit length form is canonical only above 65535 bytes";
    std::string h{static_cast<char>(0x82), static_cast<char>(0x80 | 127)};
    for (int shift = 56; shift >= 0; shift -= 8)
        h += static_cast<char>((size >> shift) & 0xff);
    h.append(4, '\0');
    return h;
}

net::awaitable<std::string> echo_once(tcp::endpoint server)
{
    auto peer = co_await test::ws_peer::connect(server);
    co_await peer.send("still serving", true);
    auto reply = co_await peer.receive();
    co_await peer.close(1000);
    co_return reply.payload;
}

}  // namespace

std::size_t faults_test::warm_up()
{
    auto sessions_before = ended.size();
    EXPECT_EQ(test::run_coro(ioc, echo_once(endpoint)), "still serving");
    test::run_coro(ioc, wait_for_sessions(sessions_before + 1));
    return open_file_descriptors();
}

namespace {

struct push_result
{
    std::uint64_t written = 0;
    error_code error;
};

// What the rest of the test sees of the pusher while it pushes.
struct pusher_state
{
    explicit pusher_state(const net::any_io_executor& ex) : pushed_back(ex) {}
    // Set when the kernel did not take a whole message at once: the server no longer takes the pusher's bytes
    // in as they come. Set at the end too, so a waiter never hangs on a server that takes everything.
    wsecho::event pushed_back;
    bool ended = false;
};

// Writes 1 MiB messages (never reading the echoes) until `total` is written or a write fails. Each message is
// offered to the kernel without waiting first, which tells when the pusher is being pushed back.
net::awaitable<push_result>
push_without_reading(tcp::socket& socket, std::uint64_t total, pusher_state& state)
{
    const std::string message = frame_header(1u << 20) + std::string(1u << 20, 'x');
    socket.non_blocking(true);  // for write_some only: Asio's async operations never block either way
    push_result result;
    while (result.written < total && !result.error)
    {
        error_code ec;
        std::size_t n = socket.write_some(net::buffer(message), ec);
        if (ec == net::error::would_block)
            ec = {};
        if (!ec && n < message.size())
        {
            state.pushed_back.set();
            auto [rest_ec, rest] =
                co_await net::async_write(socket, net::buffer(message) + n, use_nothrow_awaitable);
            ec = rest_ec;
            n += rest;
        }
        result.written += n;
        result.error = ec;
    }
    state.ended = true;
    state.pushed_back.set();
    co_return result;
}

// Another client's echo, once the pusher is pushed back; true when it came back before the pusher's end.
net::awaitable<bool>
serve_another_while_pushed_back(tcp::endpoint server, pusher_state& pusher, std::string& reply)
{
    co_await pusher.pushed_back.wait();
    reply = co_await echo_once(server);
    co_return !pusher.ended;
}

struct backpressure_outcome
{
    push_result pushed;
    std::string other_reply;
    bool other_served_meanwhile = false;
    clock_type::duration push_took{};
};

net::awaitable<backpressure_outcome> backpressure(tcp::endpoint server)
{
    using namespace net::experimental::awaitable_operators;
    auto stuck = co_await upgraded_socket(server);
    pusher_state pusher(co_await net::this_coro::executor);
    backpressure_outcome out;
    auto started = clock_type::now();
    // The pusher ends when the idle timeout drops it; the other client is served meanwhile.
    std::tie(out.pushed, out.other_served_meanwhile) = co_await (
        push_without_reading(stuck, 100u << 20, pusher) &&
        serve_another_while_pushed_back(server, pusher, out.other_reply)
    );
    out.push_took = clock_type::now() - started;
    co_return out;
}

}  // namespace

// A peer that sends 100 MiB but never reads cannot make the server buffer it: it stalls after what the
// kernel buffers and the session's two messages hold, others are served meanwhile, and the idle timeout
// then drops it.
TEST_F(faults_test, a_peer_that_never_reads_cannot_grow_server_memory)
{
    restart_with([](server_options& o) { o.idle_timeout = 500ms; });

    auto [pushed, other_reply, other_served_meanwhile, push_took] =
        test::run_coro(ioc, backpressure(endpoint), 10s);

    EXPECT_EQ(other_reply, "still serving");
    EXPECT_TRUE(other_served_meanwhile) << "the other client was served only once the pusher was gone";
    EXPECT_TRUE(pushed.error) << "all of it was accepted: nothing pushed back";
    EXPECT_LT(pushed.written, 64u << 20) << "the server took far more than two messages plus socket buffers";
    EXPECT_GE(push_took, 500ms);
    test::run_coro(ioc, wait_for_sessions(2));
    auto stuck = std::find_if(ended.begin(), ended.end(), [](auto& s) { return s.rejected.has_value(); });
    ASSERT_NE(stuck, ended.end());
    EXPECT_EQ(stuck->rejected, rejection::idle_timeout);
}

namespace {

net::awaitable<void> reset_mid_frame(tcp::endpoint server)
{
    auto socket = co_await upgraded_socket(server);
    auto partial = frame_header(100'000) + std::string(300, 'y');  // 300 of 100000 payload bytes
    co_await net::async_write(socket, net::buffer(partial), net::use_awaitable);
    socket.set_option(net::socket_base::linger(true, 0));
    socket.close();  // RST in the middle of the frame
}

net::awaitable<void> half_frame_then_silence(tcp::endpoint server, tcp::socket& keep)
{
    keep = co_await upgraded_socket(server);
    auto partial = frame_header(100'000) + std::string(10, 'z');
    co_await net::async_write(keep, net::buffer(partial), net::use_awaitable);
}

}  // namespace

// A peer reset in the middle of a frame ends only its own session.
TEST_F(faults_test, survives_a_reset_mid_frame)
{
    auto fds_before = warm_up();
    test::run_coro(ioc, reset_mid_frame(endpoint));
    test::run_coro(ioc, wait_for_sessions(2));
    EXPECT_TRUE(ended[1].error);
    EXPECT_EQ(test::run_coro(ioc, echo_once(endpoint)), "still serving");
    test::run_coro(ioc, wait_for_sessions(3));
    EXPECT_EQ(open_file_descriptors(), fds_before);
}

// Half a frame and then silence: the idle timeout ends the session, and the server serves on meanwhile.
TEST_F(faults_test, drops_a_peer_silent_after_half_a_frame)
{
    restart_with([](server_options& o) { o.idle_timeout = 300ms; });
    auto fds_before = warm_up();
    {
        tcp::socket silent(ioc);
        test::run_coro(ioc, half_frame_then_silence(endpoint, silent));
        EXPECT_EQ(test::run_coro(ioc, echo_once(endpoint)), "still serving");
        test::run_coro(ioc, wait_for_sessions(3));
    }
    auto dropped = std::find_if(ended.begin(), ended.end(), [](auto& s) { return s.rejected.has_value(); });
    ASSERT_NE(dropped, ended.end());
    EXPECT_EQ(dropped->rejected, rejection::idle_timeout);
    EXPECT_EQ(open_file_descriptors(), fds_before);
}

namespace {

// One 100 000-byte frame sent in 30 parts, `gap` apart; returns the echo as read back (header included).
net::awaitable<std::string> trickle_one_message(tcp::endpoint server, clock_type::duration gap)
{
    constexpr std::size_t size = 100'000, parts = 30;
    auto socket = co_await upgraded_socket(server);
    auto header = frame_header(size);
    co_await net::async_write(socket, net::buffer(header), net::use_awaitable);
    std::string part(size / parts + 1, 's');
    net::steady_timer pause(co_await net::this_coro::executor);
    for (std::size_t sent = 0; sent < size; sent += part.size())
    {
        pause.expires_after(gap);
        co_await pause.async_wait(net::use_awaitable);
        co_await net::async_write(
            socket, net::buffer(part.data(), std::min(part.size(), size - sent)), net::use_awaitable
        );
    }
    // A ping may come first if the machine stalled the trickle for a whole tick; skip it.
    std::string echo;
    for (;;)
    {
        echo.clear();
        co_await net::async_read(
            socket, net::dynamic_buffer(echo), net::transfer_exactly(2), net::use_awaitable
        );
        if (static_cast<unsigned char>(echo[0]) != 0x89)
            break;
        std::string ping(static_cast<unsigned char>(echo[1]) & 0x7f, '\0');
        co_await net::async_read(socket, net::buffer(ping), net::use_awaitable);
    }
    constexpr std::size_t echo_header = 10;  // 0x82, 127, and the 64-bit length
    co_await net::async_read(
        socket, net::dynamic_buffer(echo), net::transfer_exactly(echo_header - 2 + size), net::use_awaitable
    );
    co_return echo;
}

// Sends a close frame and dies before reading the server's reply.
net::awaitable<void> die_during_close(tcp::endpoint server)
{
    auto socket = co_await upgraded_socket(server);
    auto close = test::encode_client_frame(8, test::close_payload(1000));
    co_await net::async_write(socket, net::buffer(close), net::use_awaitable);
    socket.set_option(net::socket_base::linger(true, 0));
    socket.close();
}

}  // namespace

// A client killed during the close handshake leaves no session behind.
TEST_F(faults_test, survives_a_client_killed_during_the_close_handshake)
{
    auto fds_before = warm_up();
    test::run_coro(ioc, die_during_close(endpoint));
    test::run_coro(ioc, wait_for_sessions(2));
    EXPECT_EQ(srv->stats().open, 0u);
    EXPECT_EQ(test::run_coro(ioc, echo_once(endpoint)), "still serving");
    test::run_coro(ioc, wait_for_sessions(3));
    EXPECT_EQ(open_file_descriptors(), fds_before);
}

// A message that takes longer than the idle timeout to arrive, but keeps arriving, is not silence: every
// part read is a sign of life, so the peer is not dropped.
TEST_F(faults_test, a_message_arriving_slowly_is_not_mistaken_for_silence)
{
    restart_with([](server_options& o) { o.idle_timeout = 100ms; });
    // 30 parts 15 ms apart: 450 ms, three times the 150 ms by which a silent peer is dropped.
    auto echo = test::run_coro(ioc, trickle_one_message(endpoint, 15ms));
    ASSERT_EQ(echo.size(), 10u + 100'000u);
    EXPECT_EQ(static_cast<unsigned char>(echo[0]), 0x82);
    EXPECT_EQ(echo.find_first_not_of('s', 10), std::string::npos);
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_FALSE(ended[0].rejected) << "dropped as idle while the message was still arriving";
}
