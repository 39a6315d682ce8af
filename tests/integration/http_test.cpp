// File: integration/http_test.cpp — plain HTTP answers and listen errors over real sockets.
#include <wsecho/detail/http_routes.hpp>

#include "integration/server_fixture.hpp"
#include "support/ws_peer.hpp"

using namespace wsecho;
using wsecho::detail::index_page;

namespace {

using http_test = test::server_fixture;

http::response<http::string_body>
exchange(net::io_context& ioc, tcp::endpoint ep, http::verb method, std::string target)
{
    return test::run_coro(ioc, test::http_exchange(ep, method, std::move(target)));
}

}  // namespace

// "/" serves the page, GET and HEAD alike.
TEST_F(http_test, serves_index_page)
{
    auto res = exchange(ioc, endpoint, http::verb::get, "/");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(res[http::field::content_type], "text/html; charset=utf-8");
    EXPECT_EQ(res.body(), index_page());
    EXPECT_EQ(res[http::field::server].substr(0, 7), "wsecho/");

    auto head = exchange(ioc, endpoint, http::verb::head, "/");
    EXPECT_EQ(head.result(), http::status::ok);
    EXPECT_EQ(head[http::field::content_length], std::to_string(index_page().size()));
}

// Unknown paths 404, other methods 405, /socket without an upgrade 426.
TEST_F(http_test, answers_404_405_426)
{
    EXPECT_EQ(exchange(ioc, endpoint, http::verb::get, "/missing").result(), http::status::not_found);

    auto post = exchange(ioc, endpoint, http::verb::post, "/");
    EXPECT_EQ(post.result(), http::status::method_not_allowed);
    EXPECT_EQ(post[http::field::allow], "GET, HEAD");

    auto plain = exchange(ioc, endpoint, http::verb::get, "/socket");
    EXPECT_EQ(plain.result(), http::status::upgrade_required);
    EXPECT_EQ(plain[http::field::upgrade], "websocket");
}

// Bytes that are not HTTP get a 400 and a closed connection, and the server goes on serving.
TEST_F(http_test, answers_garbage_with_400_and_keeps_serving)
{
    auto reply =
        test::run_coro(ioc, test::raw_exchange(endpoint, "\x16\x03\x01 definitely not http\r\n\r\n"));
    EXPECT_EQ(reply.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << reply;
    EXPECT_EQ(exchange(ioc, endpoint, http::verb::get, "/").result(), http::status::ok);
}

// An upgrade request that breaks RFC 6455 (no Sec-WebSocket-Key) is refused with 400 by the handshake.
TEST_F(http_test, refuses_a_broken_upgrade)
{
    auto reply = test::run_coro(
        ioc,
        test::raw_exchange(
            endpoint,
            "GET /socket HTTP/1.1\r\nHost: x\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        )
    );
    EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_FALSE(ended[0].upgraded);
    EXPECT_EQ(ended[0].error, websocket::error::no_sec_key);
}

// A second server on a port in use fails at construction with one clear sentence.
TEST_F(http_test, reports_a_port_in_use)
{
    try
    {
        server second(ioc.get_executor(), {.host = "127.0.0.1", .port = endpoint.port()});
        ADD_FAILURE() << "a second server bound the same port";
    }
    catch (const std::system_error& e)
    {
        EXPECT_EQ(
            std::string(e.what()),
            "cannot listen on 127.0.0.1:" + std::to_string(endpoint.port()) + ": Address already in use"
        );
    }
}

// An address this machine does not have is a setup error naming it (bind only: no traffic leaves the host).
TEST(http_setup, reports_an_address_not_on_this_host)
{
    net::io_context ioc;
    try
    {
        server s(ioc.get_executor(), {.host = "192.0.2.1", .port = 0});  // TEST-NET-1, never assigned
        ADD_FAILURE() << "listening on 192.0.2.1 succeeded";
    }
    catch (const std::system_error& e)
    {
        EXPECT_EQ(std::string(e.what()), "cannot listen on 192.0.2.1:0: Cannot assign requested address");
    }
}

// /metrics counts the traffic, close codes and refusals this test caused, over real connections.
TEST_F(http_test, metrics_count_real_traffic)
{
    auto talk = [&]() -> net::awaitable<void> {
        auto peer = co_await test::ws_peer::connect(endpoint);
        for (std::string_view text : {"one", "two", "three"})
        {
            co_await peer.send(text, true);
            co_await peer.receive();
        }
        for (std::string_view binary : {std::string_view("\x01\x02", 2), std::string_view("\x03", 1)})
        {
            co_await peer.send(binary, false);
            co_await peer.receive();
        }
        co_await peer.close(4000, "done");
    };
    test::run_coro(ioc, talk());
    test::run_coro(
        ioc,
        test::raw_exchange(
            endpoint,
            "GET /socket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\nOrigin: http://evil.example\r\n\r\n"
        )
    );
    test::run_coro(ioc, wait_for_sessions(2));

    auto res = exchange(ioc, endpoint, http::verb::get, "/metrics");
    ASSERT_EQ(res.result(), http::status::ok);
    const auto& body = res.body();
    for (const char* line : {
             "wsecho_connections_accepted_total 3\n",
             "wsecho_connections_open 1\n",  // the scrape itself
             "wsecho_websocket_upgrades_total 1\n",
             "wsecho_messages_received_total{type=\"text\"} 3\n",
             "wsecho_messages_received_total{type=\"binary\"} 2\n",
             "wsecho_received_bytes_total{type=\"text\"} 11\n",
             "wsecho_received_bytes_total{type=\"binary\"} 3\n",
             "wsecho_messages_sent_total{type=\"text\"} 3\n",
             "wsecho_sent_bytes_total{type=\"binary\"} 3\n",
             "wsecho_close_codes_received_total{code=\"4000\"} 1\n",
             "wsecho_close_codes_sent_total{code=\"4000\"} 1\n",
             "wsecho_handshake_rejections_total{reason=\"origin_not_allowed\"} 1\n",
         })
        EXPECT_NE(body.find(line), std::string::npos) << "missing: " << line << "in:\n" << body;
    EXPECT_EQ(exchange(ioc, endpoint, http::verb::get, "/healthz").body(), "ok\n");
    EXPECT_EQ(exchange(ioc, endpoint, http::verb::get, "/readyz").body(), "ready\n");
}
