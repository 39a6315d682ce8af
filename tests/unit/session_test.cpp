// File: unit/session_test.cpp — the session coroutine over an in-memory stream: exact, fast, no sockets.
// No `||` races here: beast::test::stream ignores per-operation cancellation (those live in integration/).
#include "support/run_coro.hpp"
#include "support/test_logger.hpp"
#include "support/ws_peer.hpp"

#include <wsecho/detail/session.hpp>

#include <boost/beast/_experimental/test/stream.hpp>
#include <gtest/gtest.h>

using namespace std::chrono_literals;
using namespace wsecho;
using test_stream = beast::test::stream;
using ws_client = websocket::stream<test_stream>;

namespace {

class session_over_memory : public ::testing::Test
{
protected:
    net::io_context ioc;
    test_stream server_end{ioc};
    test_stream client_end{ioc};
    std::optional<session_summary> ended;
    std::size_t max_message_bytes = 1u << 20;
    std::shared_ptr<server_stats> stats = std::make_shared<server_stats>();

    session_over_memory() { client_end.connect(server_end); }

    void start_session()
    {
        auto config = std::make_shared<detail::session_config>(detail::session_config{
            .server_name = "wsecho/test",
            .handshake_timeout = 5s,
            .idle_timeout = 5s,
            .max_message_bytes = max_message_bytes,
            .max_header_bytes = 8 * 1024,
            .log = test::test_logger(),
            .on_end = [this](const session_summary& s) { ended = s; },
            .stats = stats,
        });
        stats->open.fetch_add(1);
        detail::session_context ctx{.summary = {.id = 1, .peer = "memory"}, .config = std::move(config)};
        net::co_spawn(ioc, detail::run_session(std::move(server_end), std::move(ctx)), [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
    }
};

net::awaitable<std::vector<test::ws_message>> echo_all(ws_client& ws, std::vector<test::ws_message> messages)
{
    co_await ws.async_handshake("localhost", "/socket", net::use_awaitable);
    std::vector<test::ws_message> echoed;
    beast::flat_buffer buffer;
    for (const auto& m : messages)
    {
        ws.text(m.text);
        co_await ws.async_write(net::buffer(m.payload), net::use_awaitable);
        buffer.clear();
        co_await ws.async_read(buffer, net::use_awaitable);
        echoed.push_back({beast::buffers_to_string(buffer.cdata()), ws.got_text()});
    }
    co_await ws.async_close(websocket::close_reason(websocket::close_code::normal, "bye"), net::use_awaitable);
    co_return echoed;
}

net::awaitable<http::response<http::string_body>> http_roundtrip(test_stream& client, std::string request)
{
    co_await net::async_write(client, net::buffer(request), net::use_awaitable);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    co_await http::async_read(client, buffer, res, net::use_awaitable);
    co_return res;
}

std::string binary_payload(std::size_t size)
{
    std::string s(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        s[i] = static_cast<char>((i * 131 + 7) & 0xff);
    return s;
}

}  // namespace

// Text stays text and binary stays binary, byte for byte, even when the server reads one byte at a time;
// the close the client started is recorded with its code and reason.
TEST_F(session_over_memory, echoes_each_message_with_its_type_byte_by_byte)
{
    server_end.read_size(1);
    start_session();
    ws_client ws(std::move(client_end));
    std::vector<test::ws_message> sent{
        {"hello", true}, {binary_payload(300), false}, {"", true}, {"h\xc3\xa9llo \xe2\x82\xac", true}, {"", false}};

    auto echoed = test::run_coro(ioc, echo_all(ws, sent));

    EXPECT_EQ(echoed, sent);
    test::drain(ioc);  // let the session finish its teardown
    ASSERT_TRUE(ended);
    EXPECT_TRUE(ended->upgraded);
    EXPECT_EQ(ended->close_code, 1000);
    EXPECT_EQ(ended->close_reason, "bye");
    EXPECT_EQ(ended->messages, sent.size());
    EXPECT_EQ(ended->bytes, 5u + 300u + 0u + 10u + 0u);
    EXPECT_FALSE(ended->rejected);
    EXPECT_EQ(stats->upgraded, 1u);
    auto traffic = stats->traffic.sum();
    EXPECT_EQ(traffic.messages_sent[0] + traffic.messages_sent[1], sent.size());
    EXPECT_EQ(traffic.messages_received, traffic.messages_sent);
    EXPECT_EQ(traffic.bytes_sent[0] + traffic.bytes_sent[1], ended->bytes);
    EXPECT_EQ(stats->close_codes.received_by_code(), (std::map<std::uint16_t, std::uint64_t>{{1000, 1}}));
    EXPECT_EQ(stats->close_codes.sent_by_code(), (std::map<std::uint16_t, std::uint64_t>{{1000, 1}}));
}

// Plain HTTP on the same connection: 404 keeps it open, and the next request is served too.
TEST_F(session_over_memory, serves_http_requests_before_any_upgrade)
{
    start_session();
    auto first = test::run_coro(ioc, http_roundtrip(client_end, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_EQ(first.result(), http::status::not_found);
    EXPECT_TRUE(first.keep_alive());
    auto second = test::run_coro(ioc, http_roundtrip(client_end, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_EQ(second.result(), http::status::ok);
    EXPECT_NE(second.body().find("<title>wsecho</title>"), std::string::npos);
}

// A request that is not HTTP gets 400 and the connection closes; the summary says why.
TEST_F(session_over_memory, answers_garbage_with_400)
{
    start_session();
    auto res = test::run_coro(ioc, http_roundtrip(client_end, "HELLO THERE\r\n\r\n"));
    EXPECT_EQ(res.result(), http::status::bad_request);
    EXPECT_FALSE(res.keep_alive());
    test::drain(ioc);
    ASSERT_TRUE(ended);
    EXPECT_FALSE(ended->upgraded);
    EXPECT_TRUE(ended->error);
    EXPECT_EQ(ended->rejected, rejection::bad_request);
    EXPECT_EQ(stats->rejections(rejection::bad_request), 1u);
    EXPECT_EQ(stats->open, 0u);
}

// A header block over 8 KiB is refused with 431 rather than buffered.
TEST_F(session_over_memory, refuses_oversized_headers_with_431)
{
    start_session();
    auto res = test::run_coro(
        ioc, http_roundtrip(client_end, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n"));
    EXPECT_EQ(res.result(), http::status::request_header_fields_too_large);
    test::drain(ioc);
    EXPECT_EQ(stats->rejections(rejection::header_too_large), 1u);
}

namespace {

net::awaitable<std::uint16_t> send_too_big(ws_client& ws, std::size_t size)
{
    co_await ws.async_handshake("localhost", "/socket", net::use_awaitable);
    ws.binary(true);
    co_await ws.async_write(net::buffer(binary_payload(size)), net::use_awaitable);
    beast::flat_buffer buffer;
    auto [ec, n] = co_await ws.async_read(buffer, use_nothrow_awaitable);
    EXPECT_EQ(ec, websocket::error::closed);
    co_return static_cast<std::uint16_t>(ws.reason().code);
}

}  // namespace

// A message over the limit is answered with close 1009 (too big), not buffered.
TEST_F(session_over_memory, closes_1009_on_oversized_message)
{
    max_message_bytes = 100;
    start_session();
    ws_client ws(std::move(client_end));
    EXPECT_EQ(test::run_coro(ioc, send_too_big(ws, 101)), 1009);
    test::drain(ioc);
    ASSERT_TRUE(ended);
    EXPECT_EQ(ended->error, websocket::error::message_too_big);
    EXPECT_EQ(ended->rejected, rejection::message_too_big);
    EXPECT_EQ(ended->messages, 0u);
    EXPECT_EQ(stats->rejections(rejection::message_too_big), 1u);
}
