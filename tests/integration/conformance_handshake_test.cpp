// File: integration/conformance_handshake_test.cpp — the RFC 6455 opening handshake seen through raw
// requests on 127.0.0.1: malformed upgrades are refused and the connection closed; after a refusal, the same
// connection can still upgrade.
#include <ostream>
#include <string_view>

#include "integration/conformance.hpp"

using namespace wsecho;
using namespace std::string_view_literals;
using namespace wsecho::test::rfc6455;
using test::raw_peer;

namespace {

struct http_outcome
{
    http::response<http::string_body> response;
    test::tcp_end end = test::tcp_end::eof;
};

// Writes a raw request (or anything else) on a fresh connection; returns the answer and how the TCP
// connection then ended (the server must end it: expect_tcp_end throws on further bytes).
net::awaitable<http_outcome> http_then_end(tcp::endpoint server, std::string request)
{
    auto peer = co_await raw_peer::connect(server);
    co_await peer.send(std::move(request));
    http_outcome out;
    out.response = co_await peer.read_http_response();
    out.end = co_await peer.expect_tcp_end();
    co_return out;
}

std::string upgrade_request(std::string_view extra_headers)
{
    return "GET /socket HTTP/1.1\r\nHost: 127.0.0.1\r\n" + std::string(extra_headers) + "\r\n";
}

struct handshake_case
{
    std::string id;  // the gtest name suffix
    std::string request;
    unsigned status;
    std::string header;  // a header the answer must carry, with `value` (empty: none checked)
    std::string value;
};

void PrintTo(const handshake_case& c, std::ostream* os)
{
    *os << c.id;
}

std::vector<handshake_case> bad_upgrades()
{
    return {
        {"no_sec_websocket_key",
         upgrade_request("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"),
         400},
        {"sec_websocket_key_longer_than_base64_of_16_bytes",
         upgrade_request("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==dGhlIHNhbXBsZSBub25jZQ==\r\n"),
         400},
        {"sec_websocket_key_not_base64",
         upgrade_request("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                         "Sec-WebSocket-Key: not-base64-key!!!!!!!==\r\n"),
         400},
        {"sec_websocket_key_of_8_bytes",
         upgrade_request("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                         "Sec-WebSocket-Key: AAAAAAAAAAA=\r\n"),
         400},
        {"sec_websocket_version_8",
         upgrade_request("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"),
         426,
         "Sec-WebSocket-Version",
         "13"},
        {"no_upgrade_header_with_connection_close",
         upgrade_request("Connection: close\r\nSec-WebSocket-Version: 13\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"),
         426,
         "Sec-WebSocket-Version",
         "13"},
        {"garbage_instead_of_http", std::string("\x16\x03\x01\x02\x00 not http at all\r\n\r\n"sv), 400},
    };
}

class bad_upgrade : public conformance, public ::testing::WithParamInterface<handshake_case>
{};

}  // namespace

// A malformed upgrade gets 400, a wrong version 426 naming version 13, a request without Upgrade our own 426,
// garbage 400; then the server closes the connection at once, and a fresh client is still served.
TEST_P(bad_upgrade, is_refused_and_the_connection_closed)
{
    const auto& c = GetParam();
    // "did not finish within the time limit" here means the server kept the connection open after answering.
    auto out = test::run_coro(ioc, http_then_end(endpoint, c.request));
    EXPECT_EQ(out.response.result_int(), c.status) << out.response.body();
    if (!c.header.empty())
    {
        EXPECT_EQ(out.response[c.header], c.value);
    }
    expect_still_serving();
}

INSTANTIATE_TEST_SUITE_P(
    conformance,
    bad_upgrade,
    ::testing::ValuesIn(bad_upgrades()),
    [](const ::testing::TestParamInfo<handshake_case>& p) { return p.param.id; }
);

namespace {

// Sends GET /socket without an Upgrade header on a keep-alive connection, then a real upgrade and one echo
// on the same connection; returns the status of the first answer.
net::awaitable<unsigned> refused_then_upgraded(tcp::endpoint server)
{
    auto peer = co_await raw_peer::connect(server);
    co_await peer.send(upgrade_request("Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
    auto res = co_await peer.read_http_response();
    co_await peer.upgrade();
    co_await peer.send(frame(opcode::text, "upgraded"));
    auto echo = co_await peer.expect_frame();
    EXPECT_EQ(echo.payload, "upgraded");
    co_await peer.close(1000);
    co_return res.result_int();
}

}  // namespace

// Without an Upgrade header on a keep-alive connection, /socket answers 426 and, as README documents, keeps
// the connection: an upgrade sent next on it succeeds.
TEST_F(conformance, answers_426_without_upgrade_and_keeps_the_connection)
{
    EXPECT_EQ(test::run_coro(ioc, refused_then_upgraded(endpoint)), 426u);
}
