// File: integration/http_test.cpp — plain HTTP answers and listen errors over real sockets.
#include "integration/server_fixture.hpp"
#include "support/ws_peer.hpp"

#include <wsecho/http_routes.hpp>

using namespace wsecho;

namespace {

using http_test = test::server_fixture;

http::response<http::string_body> exchange(net::io_context& ioc, tcp::endpoint ep, http::verb method,
                                           std::string target)
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
    auto reply = test::run_coro(ioc, test::raw_exchange(endpoint, "\x16\x03\x01 definitely not http\r\n\r\n"));
    EXPECT_EQ(reply.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << reply;
    EXPECT_EQ(exchange(ioc, endpoint, http::verb::get, "/").result(), http::status::ok);
}

// An upgrade request that breaks RFC 6455 (no Sec-WebSocket-Key) is refused with 400 by the handshake.
TEST_F(http_test, refuses_a_broken_upgrade)
{
    auto reply = test::run_coro(ioc, test::raw_exchange(endpoint, "GET /socket HTTP/1.1\r\nHost: x\r\n"
                                                                  "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                                                  "Sec-WebSocket-Version: 13\r\n\r\n"));
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
        EXPECT_EQ(std::string(e.what()),
                  "cannot listen on 127.0.0.1:" + std::to_string(endpoint.port()) + ": Address already in use");
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
