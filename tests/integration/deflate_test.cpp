// File: integration/deflate_test.cpp — permessage-deflate between a Beast client (and wsecho::client) and the
// server over real sockets: negotiation, compressed echoes of several sizes, the size limit on inflated data.
#include <wsecho/client.hpp>
#include <wsecho/deflate.hpp>

#include <random>

#include "integration/server_fixture.hpp"
#include "support/payloads.hpp"

using namespace std::chrono_literals;
using namespace wsecho;
using wsecho::test::compressible_text;
using wsecho::test::random_bytes;

namespace {

class deflate_test : public test::server_fixture
{
public:
    void SetUp() override
    {
        auto opts = default_options();
        opts.deflate.enabled = true;
        opts.max_message_bytes = 2u << 20;
        start(std::move(opts));
    }
};

using ws_stream = websocket::stream<beast::tcp_stream>;

// A client that offers permessage-deflate; `extensions` receives what the server agreed to.
net::awaitable<std::unique_ptr<ws_stream>>
open_compressed(tcp::endpoint server, std::string& extensions, deflate_options offer = {.enabled = true})
{
    auto ws = std::make_unique<ws_stream>(co_await net::this_coro::executor);
    ws->set_option(to_beast_option(offer, false));
    ws->read_message_max(64u << 20);
    co_await beast::get_lowest_layer(*ws).async_connect(server, net::use_awaitable);
    websocket::response_type res;
    co_await ws->async_handshake(res, "127.0.0.1", "/socket", net::use_awaitable);
    extensions = std::string(res[http::field::sec_websocket_extensions]);
    co_return ws;
}

// wsecho::client with deflate on, sending `messages` one after the other; returns the replies.
client_report run_compressed_client(
    net::io_context& ioc,
    tcp::endpoint server,
    std::vector<std::string> messages,
    std::vector<std::string>& replies
)
{
    client_options opts;
    opts.url = {.host = "127.0.0.1", .port = std::to_string(server.port()), .target = "/socket"};
    opts.logger = test::test_logger();
    opts.deflate.enabled = true;
    std::size_t next = 0;
    opts.next_message = [&]() -> net::awaitable<std::optional<std::string>> {
        if (next == messages.size())
            co_return std::nullopt;
        co_return messages[next++];
    };
    opts.on_message = [&](std::string_view payload, bool) { replies.emplace_back(payload); };
    client cl(ioc.get_executor(), opts);
    return test::run_coro(ioc, cl.run(), 10s);
}

}  // namespace

// Negotiated, and every size comes back byte-identical, compressible or not, text or binary.
TEST_F(deflate_test, echoes_compressed_messages_of_every_size)
{
    std::string extensions;
    std::mt19937 rng(7);
    auto scenario = [&]() -> net::awaitable<void> {
        auto ws = co_await open_compressed(endpoint, extensions);
        for (std::size_t size : {0u, 1u, 63u, 64u, 125u, 126u, 65536u, 1u << 20})
            for (bool text : {true, false})
            {
                auto payload = text ? compressible_text(size) : random_bytes(size, rng);
                ws->text(text);
                co_await ws->async_write(net::buffer(payload), net::use_awaitable);
                beast::flat_buffer echo;
                co_await ws->async_read(echo, net::use_awaitable);
                EXPECT_EQ(beast::buffers_to_string(echo.data()), payload)
                    << size << (text ? " text" : " binary");
                EXPECT_EQ(ws->got_text(), text);
            }
        co_await ws->async_close(websocket::close_code::normal, net::use_awaitable);
    };
    test::run_coro(ioc, scenario(), 10s);
    EXPECT_NE(extensions.find("permessage-deflate"), std::string::npos) << extensions;
}

// The server agrees to the client's smaller window and to no context takeover (memory-bounded clients).
TEST_F(deflate_test, honours_a_clients_smaller_window_and_no_context_takeover)
{
    std::string extensions;
    auto scenario = [&]() -> net::awaitable<void> {
        auto ws = co_await open_compressed(
            endpoint, extensions, {.enabled = true, .max_window_bits = 10, .no_context_takeover = true}
        );
        for (int i = 0; i < 3; ++i)
        {
            auto payload = compressible_text(10000);
            co_await ws->async_write(net::buffer(payload), net::use_awaitable);
            beast::flat_buffer echo;
            co_await ws->async_read(echo, net::use_awaitable);
            EXPECT_EQ(beast::buffers_to_string(echo.data()), payload);
        }
        co_await ws->async_close(websocket::close_code::normal, net::use_awaitable);
    };
    test::run_coro(ioc, scenario(), 10s);
    EXPECT_NE(extensions.find("client_no_context_takeover"), std::string::npos) << extensions;
    EXPECT_NE(extensions.find("server_no_context_takeover"), std::string::npos) << extensions;
    EXPECT_NE(extensions.find("server_max_window_bits=10"), std::string::npos) << extensions;
}

// 8 MiB of zeros compress to about 8 KiB on the wire, but the 2 MiB limit counts inflated bytes: close 1009.
TEST_F(deflate_test, refuses_a_decompression_bomb_with_1009)
{
    std::string extensions;
    std::optional<std::uint16_t> close_code;
    auto scenario = [&]() -> net::awaitable<void> {
        auto ws = co_await open_compressed(endpoint, extensions, {.enabled = true, .level = 9});
        ws->binary(true);
        ws->auto_fragment(false);  // one small frame: written before the server has inflated past its limit
        std::string zeros(8u << 20, '\0');
        co_await ws->async_write(net::buffer(zeros), net::use_awaitable);
        beast::flat_buffer echo;
        auto [ec, n] = co_await ws->async_read(echo, use_nothrow_awaitable);
        EXPECT_TRUE(ec);
        // Failing the connection, Beast sends its close and tears down without awaiting our reply, so the
        // read may end with a broken pipe (our reply) after it has received the code.
        if (ws->reason().code != websocket::close_code::none)
            close_code = static_cast<std::uint16_t>(ws->reason().code);
    };
    test::run_coro(ioc, scenario(), 10s);
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_EQ(close_code, 1009);
    EXPECT_EQ(ended[0].rejected, rejection::message_too_big);
    EXPECT_EQ(ended[0].messages, 0u);
}

// Off by default: a server without it ignores the offer and messages flow uncompressed.
TEST_F(deflate_test, is_not_negotiated_unless_enabled)
{
    restart_with([](server_options&) {});
    std::string extensions = "not set";
    auto scenario = [&]() -> net::awaitable<void> {
        auto ws = co_await open_compressed(endpoint, extensions);
        co_await ws->async_write(net::buffer(std::string("plain")), net::use_awaitable);
        beast::flat_buffer echo;
        co_await ws->async_read(echo, net::use_awaitable);
        EXPECT_EQ(beast::buffers_to_string(echo.data()), "plain");
        co_await ws->async_close(websocket::close_code::normal, net::use_awaitable);
    };
    test::run_coro(ioc, scenario());
    EXPECT_EQ(extensions, "");
}

// The wsecho client asks for permessage-deflate (--deflate) and gets every size back intact.
TEST_F(deflate_test, the_wsecho_client_negotiates_it_and_echoes_every_size)
{
    std::vector<std::string> messages;
    for (std::size_t size : {1u, 100u, 10000u, 1u << 20})
        messages.push_back(compressible_text(size));
    std::vector<std::string> replies;
    auto report = run_compressed_client(ioc, endpoint, messages, replies);
    EXPECT_NE(report.extensions.find("permessage-deflate"), std::string::npos) << report.extensions;
    EXPECT_EQ(replies, messages);
    EXPECT_EQ(report.close, close_outcome::receiver_finished);
}

// A server without it declines the client's offer, and the client goes on uncompressed.
TEST_F(deflate_test, the_wsecho_client_goes_on_uncompressed_when_declined)
{
    restart_with([](server_options&) {});
    std::vector<std::string> replies;
    auto report = run_compressed_client(ioc, endpoint, {"plain", compressible_text(5000)}, replies);
    EXPECT_TRUE(report.connected());
    EXPECT_EQ(report.extensions, "");
    EXPECT_EQ(replies, (std::vector<std::string>{"plain", compressible_text(5000)}));
}
