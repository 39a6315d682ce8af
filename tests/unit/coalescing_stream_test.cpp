// File: unit/coalescing_stream_test.cpp — the echo frames wsecho writes itself, read back by Beast's client,
// and their order against Beast's own frames. In memory (beast::test::stream), so byte-exact and instant.
#include "support/run_coro.hpp"

#include <wsecho/detail/coalescing_stream.hpp>

#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace wsecho;
using test_stream = beast::test::stream;
using coalescing = detail::coalescing_stream<test_stream>;

namespace {

struct received
{
    std::string payload;
    bool text = false;
};

class coalescing_over_memory : public ::testing::Test
{
protected:
    net::io_context ioc;
    test_stream server_end{ioc};
    test_stream client_end{ioc};
    std::optional<websocket::stream<coalescing>> server;
    std::optional<websocket::stream<test_stream>> client;

    coalescing_over_memory()
    {
        client_end.connect(server_end);
        server.emplace(coalescing(std::move(server_end)));
        client.emplace(std::move(client_end));
        test::run_coro(ioc, handshake());
    }

    net::awaitable<bool> handshake()
    {
        using namespace net::experimental::awaitable_operators;
        co_await (server->async_accept(net::use_awaitable) && client->async_handshake("localhost", "/", net::use_awaitable));
        co_return true;
    }

    // What the client reads until `count` messages arrived, or its read fails (then `ended` says how).
    net::awaitable<std::vector<received>> read_messages(std::size_t count, error_code& ended)
    {
        std::vector<received> messages;
        while (messages.size() < count)
        {
            beast::flat_buffer buffer;
            auto [ec, size] = co_await client->async_read(buffer, use_nothrow_awaitable);
            if (ec)
            {
                ended = ec;
                break;
            }
            messages.push_back({beast::buffers_to_string(buffer.cdata()), client->got_text()});
        }
        co_return messages;
    }

    // A write of Beast's own: it goes out after the queue. The client's read answers it unseen.
    void send_ping()
    {
        net::co_spawn(ioc, [this]() -> net::awaitable<void> {
            co_await server->async_ping({}, use_nothrow_awaitable);
        }, net::detached);
    }

    // The server's read is what sends the queue (Beast needs the peer's bytes next). It never completes
    // here: the client sends nothing, and the test ends with the queue delivered.
    void start_server_read()
    {
        net::co_spawn(ioc, [this]() -> net::awaitable<void> {
            beast::flat_buffer sink;
            co_await server->async_read(sink, use_nothrow_awaitable);
        }, net::detached);
    }
};

TEST_F(coalescing_over_memory, frames_of_every_length_class_reach_beast_intact_and_in_order)
{
    // 7-bit lengths up to 125, 16-bit from 126 to 65535, 64-bit from 65536.
    const std::vector<std::size_t> sizes = {0, 1, 125, 126, 65535};
    for (std::size_t i = 0; i < sizes.size(); ++i)
    {
        std::string payload(sizes[i], static_cast<char>('a' + i));
        ASSERT_TRUE(server->next_layer().append_echo(i % 2 == 0, net::buffer(payload)));
        send_ping();  // Beast's ping follows the queue out, so the next frame starts on an empty queue
        error_code ended;
        auto got = test::run_coro(ioc, read_messages(1, ended));
        ASSERT_EQ(got.size(), 1u) << "size " << sizes[i] << ": " << ended.message();
        EXPECT_EQ(got[0].payload, payload) << "size " << sizes[i];
        EXPECT_EQ(got[0].text, i % 2 == 0) << "size " << sizes[i];
    }
    std::string largest(65536, 'z');
    ASSERT_TRUE(server->next_layer().append_echo(false, net::buffer(largest)));
    send_ping();
    error_code ended;
    auto got = test::run_coro(ioc, read_messages(1, ended));
    ASSERT_EQ(got.size(), 1u) << ended.message();
    EXPECT_EQ(got[0].payload.size(), largest.size());
    EXPECT_EQ(got[0].payload, largest);
}

TEST_F(coalescing_over_memory, queued_frames_wait_for_the_next_read_then_go_out_together)
{
    auto& socket = server->next_layer().next_layer();
    const auto writes_before = socket.nwrite();
    for (int i = 0; i < 16; ++i)
        ASSERT_TRUE(server->next_layer().append_echo(true, net::buffer(std::to_string(i))));
    ioc.poll();
    EXPECT_EQ(socket.nwrite(), writes_before) << "nothing is sent before Beast reads";

    start_server_read();
    error_code ended;
    auto got = test::run_coro(ioc, read_messages(16, ended));
    ASSERT_EQ(got.size(), 16u) << ended.message();
    for (int i = 0; i < 16; ++i)
        EXPECT_EQ(got[i].payload, std::to_string(i));
    EXPECT_EQ(socket.nwrite(), writes_before + 1) << "the 16 frames went out in one write";
}

TEST_F(coalescing_over_memory, beasts_close_frame_goes_out_after_the_queued_echoes)
{
    ASSERT_TRUE(server->next_layer().append_echo(true, net::buffer(std::string("last words"))));
    // Beast's close is a write through the layer: it must follow the queue, never overtake it.
    net::co_spawn(ioc, [this]() -> net::awaitable<void> {
        co_await server->async_close(websocket::close_code::going_away, use_nothrow_awaitable);
    }, net::detached);
    error_code ended;
    auto got = test::run_coro(ioc, read_messages(2, ended));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].payload, "last words");
    EXPECT_EQ(ended, websocket::error::closed);
    EXPECT_EQ(client->reason().code, websocket::close_code::going_away);
}

TEST_F(coalescing_over_memory, a_full_queue_refuses_more_and_beasts_write_follows_the_queue)
{
    std::string first(coalescing::max_pending_bytes / 2, 'x');
    std::string second(coalescing::max_pending_bytes / 2, 'y');
    EXPECT_TRUE(server->next_layer().append_echo(false, net::buffer(first)));
    EXPECT_FALSE(server->next_layer().append_echo(false, net::buffer(second))) << "its header passes the limit";
    // What the session does then: Beast writes it, after the queue has gone out.
    net::co_spawn(ioc, [this, &second]() -> net::awaitable<void> {
        server->binary(true);
        co_await server->async_write(net::buffer(second), use_nothrow_awaitable);
    }, net::detached);
    error_code ended;
    auto got = test::run_coro(ioc, read_messages(2, ended));
    ASSERT_EQ(got.size(), 2u) << ended.message();
    EXPECT_EQ(got[0].payload, first);
    EXPECT_EQ(got[1].payload, second);
}

}  // namespace
