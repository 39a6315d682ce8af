// File: integration/tls_test.cpp — the server over TLS with a CA and certificate made at test time: echo over
// wss://, https:// for the other paths, a client with the wrong CA, a plain-TCP client, and bad files.
#include <wsecho/tls.hpp>

#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "integration/server_fixture.hpp"
#include "integration/test_certificates.hpp"
#include "support/ws_peer.hpp"

using namespace std::chrono_literals;
using namespace wsecho;

namespace {

using test::certificates;

class tls_test : public test::server_fixture
{
public:
    void SetUp() override
    {
        auto opts = default_options();
        opts.tls_cert_file = (certificates() / "server.pem").string();
        opts.tls_key_file = (certificates() / "server.key").string();
        start(std::move(opts));
    }
};

using wss_stream = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

// A verifying client: trusts `ca`, checks the name "localhost" and sends it as SNI.
net::awaitable<error_code> secure_connect(beast::ssl_stream<beast::tcp_stream>& stream, tcp::endpoint server)
{
    co_await beast::get_lowest_layer(stream).async_connect(server, net::use_awaitable);
    SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
    stream.set_verify_callback(net::ssl::host_name_verification("localhost"));
    auto [ec] = co_await stream.async_handshake(net::ssl::stream_base::client, use_nothrow_awaitable);
    co_return ec;
}

std::shared_ptr<net::ssl::context> trusting(const std::string& ca)
{
    return make_client_tls_context({.ca_file = (certificates() / ca).string()});
}

net::awaitable<std::string> echo_over_wss(tcp::endpoint server, net::ssl::context& tls, std::string text)
{
    wss_stream ws(co_await net::this_coro::executor, tls);
    if (auto ec = co_await secure_connect(ws.next_layer(), server))
        throw boost::system::system_error(ec, "TLS handshake");
    co_await ws.async_handshake("localhost", "/socket", net::use_awaitable);
    co_await ws.async_write(net::buffer(text), net::use_awaitable);
    beast::flat_buffer echo;
    co_await ws.async_read(echo, net::use_awaitable);
    co_await ws.async_close(websocket::close_code::normal, net::use_awaitable);
    co_return beast::buffers_to_string(echo.data());
}

}  // namespace

// wss:// echoes, and the other paths answer over https:// on the same port.
TEST_F(tls_test, echoes_over_wss_and_answers_https)
{
    auto tls = trusting("ca.pem");
    EXPECT_EQ(test::run_coro(ioc, echo_over_wss(endpoint, *tls, "secret hello")), "secret hello");

    auto healthz = [&]() -> net::awaitable<http::response<http::string_body>> {
        beast::ssl_stream<beast::tcp_stream> stream(co_await net::this_coro::executor, *tls);
        if (auto ec = co_await secure_connect(stream, endpoint))
            throw boost::system::system_error(ec, "TLS handshake");
        http::request<http::empty_body> req{http::verb::get, "/healthz", 11};
        req.set(http::field::host, "localhost");
        req.keep_alive(false);
        co_await http::async_write(stream, req, net::use_awaitable);
        beast::flat_buffer buffer;
        http::response<http::string_body> res;
        co_await http::async_read(stream, buffer, res, net::use_awaitable);
        co_return res;
    };
    auto res = test::run_coro(ioc, healthz());
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(res.body(), "ok\n");
    test::run_coro(ioc, wait_for_sessions(2));
    EXPECT_TRUE(ended[0].upgraded);
    EXPECT_EQ(ended[0].close_code, 1000);
}

// A client that trusts another CA refuses the server's certificate; the server keeps serving.
TEST_F(tls_test, a_client_with_the_wrong_ca_fails_verification)
{
    auto wrong = trusting("other_ca.pem");
    auto attempt = [&]() -> net::awaitable<error_code> {
        beast::ssl_stream<beast::tcp_stream> stream(co_await net::this_coro::executor, *wrong);
        co_return co_await secure_connect(stream, endpoint);
    };
    auto ec = test::run_coro(ioc, attempt());
    ASSERT_TRUE(ec);
    EXPECT_NE(ec.message().find("certificate verify failed"), std::string::npos) << ec.message();

    auto right = trusting("ca.pem");
    EXPECT_EQ(test::run_coro(ioc, echo_over_wss(endpoint, *right, "still here")), "still here");
}

// Plain ws:// against the TLS port fails cleanly on both sides: the client gets no upgrade, the server
// counts a TLS handshake failure, logs it, and serves the next TLS client.
TEST_F(tls_test, a_plain_client_fails_cleanly_and_the_server_keeps_serving)
{
    auto plain = [&]() -> net::awaitable<error_code> {
        websocket::stream<beast::tcp_stream> ws(co_await net::this_coro::executor);
        co_await beast::get_lowest_layer(ws).async_connect(endpoint, net::use_awaitable);
        beast::get_lowest_layer(ws).expires_after(5s);
        auto [ec] = co_await ws.async_handshake("127.0.0.1", "/socket", use_nothrow_awaitable);
        co_return ec;
    };
    EXPECT_TRUE(test::run_coro(ioc, plain()));
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_EQ(ended[0].rejected, rejection::tls_handshake_failed);
    EXPECT_EQ(srv->stats().rejections(rejection::tls_handshake_failed), 1u);

    auto tls = trusting("ca.pem");
    EXPECT_EQ(test::run_coro(ioc, echo_over_wss(endpoint, *tls, "after")), "after");
}

// Missing, unreadable or mismatched files stop the server at startup with the file named.
TEST(tls_files, bad_files_are_a_clear_startup_error)
{
    net::io_context ioc;
    auto start = [&](std::string cert, std::string key) -> std::string {
        try
        {
            server srv(
                ioc.get_executor(),
                {.host = "127.0.0.1",
                 .port = 0,
                 .tls_cert_file = std::move(cert),
                 .tls_key_file = std::move(key)}
            );
        }
        catch (const std::exception& e)
        {
            return e.what();
        }
        return "started";
    };
    auto dir = certificates();
    auto missing = start("/nonexistent/cert.pem", (dir / "server.key").string());
    EXPECT_NE(missing.find("cannot load TLS certificate /nonexistent/cert.pem"), std::string::npos)
        << missing;
    auto not_a_key = start((dir / "server.pem").string(), (dir / "ca.pem").string());
    EXPECT_NE(not_a_key.find("ca.pem"), std::string::npos) << not_a_key;
    auto mismatch = start((dir / "server.pem").string(), (dir / "ca.key").string());
    EXPECT_NE(mismatch.find("ca.key: key values mismatch"), std::string::npos) << mismatch;
    auto half = start((dir / "server.pem").string(), "");
    EXPECT_NE(half.find("both"), std::string::npos) << half;
    EXPECT_EQ(start((dir / "server.pem").string(), (dir / "server.key").string()), "started");
}
