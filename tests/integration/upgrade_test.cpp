// File: integration/upgrade_test.cpp — what the server's own 101 must get right over a real socket: frames
// that arrive in the same write as the upgrade request, the RFC 7692 answer to a client's window, and a
// compressed message that does not inflate.
#include <wsecho/codec/error.hpp>
#include <wsecho/codec/frame.hpp>

#include "integration/server_fixture.hpp"
#include "support/raw_peer.hpp"
#include "support/run_coro.hpp"

using namespace wsecho;

namespace {

std::string upgrade_request(std::string_view extra_headers = {})
{
    return "GET /socket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: " +
           std::string(test::raw_peer::sample_key) + "\r\nSec-WebSocket-Version: 13\r\n" +
           std::string(extra_headers) + "\r\n";
}

class upgrade_test : public test::server_fixture
{};

// The server with permessage-deflate on, as operators enable it.
class deflate_upgrade_test : public test::server_fixture
{
public:
    void SetUp() override
    {
        auto opts = default_options();
        opts.deflate.enabled = true;
        start(std::move(opts));
    }
};

// Sends `request` and answers the 101's Sec-WebSocket-Extensions (empty: none).
net::awaitable<std::string> negotiated_extensions(tcp::endpoint server, std::string request)
{
    auto peer = co_await test::raw_peer::connect(server);
    co_await peer.send(std::move(request));
    auto res = co_await peer.read_http_response();
    EXPECT_EQ(res.result(), http::status::switching_protocols);
    co_return std::string(res[http::field::sec_websocket_extensions]);
}

}  // namespace

// A client that writes its first frames in the same write as the upgrade request gets them echoed: the bytes
// behind the request in the server's read are the WebSocket's, not lost with the HTTP phase.
TEST_F(upgrade_test, echoes_frames_sent_in_the_same_write_as_the_upgrade)
{
    auto scenario = [&]() -> net::awaitable<void> {
        auto peer = co_await test::raw_peer::connect(endpoint);
        test::frame_spec first{.opcode = test::opcode::text, .payload = "right behind the request"};
        test::frame_spec second{.opcode = test::opcode::binary, .payload = std::string(300, 'b')};
        co_await peer.send(upgrade_request() + test::encode_frame(first) + test::encode_frame(second));
        auto res = co_await peer.read_http_response();
        EXPECT_EQ(res.result(), http::status::switching_protocols);
        auto echo1 = co_await peer.expect_frame();
        auto echo2 = co_await peer.expect_frame();
        EXPECT_EQ(echo1.opcode, test::opcode::text);
        EXPECT_EQ(echo1.payload, first.payload);
        EXPECT_EQ(echo2.opcode, test::opcode::binary);
        EXPECT_EQ(echo2.payload, second.payload);
        auto closing = co_await peer.close(1000);
        EXPECT_TRUE(closing.close && closing.close->code == 1000);
    };
    test::run_coro(ioc, scenario());
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_EQ(ended[0].messages, 2u);
}

// RFC 7692 §7.1.2.1: an offer's server_max_window_bits bounds the window the answer may state. Ours is 15, so
// the answer states the client's value; a window of 8 (which zlib cannot make) declines that offer, and the
// next acceptable one is taken.
TEST_F(deflate_upgrade_test, answers_server_max_window_bits_with_no_larger_value)
{
    struct
    {
        std::string offer;
        std::string answer;
    } cases[] = {
        {"permessage-deflate; server_max_window_bits=12", "permessage-deflate; server_max_window_bits=12"},
        {"permessage-deflate; server_max_window_bits=9", "permessage-deflate; server_max_window_bits=9"},
        {"permessage-deflate; server_max_window_bits=8", ""},
        {"permessage-deflate; server_max_window_bits=8, permessage-deflate; server_max_window_bits=10",
         "permessage-deflate; server_max_window_bits=10"},
        {"permessage-deflate", "permessage-deflate"},
    };
    for (const auto& c : cases)
    {
        auto answer = test::run_coro(
            ioc,
            negotiated_extensions(endpoint, upgrade_request("Sec-WebSocket-Extensions: " + c.offer + "\r\n"))
        );
        EXPECT_EQ(answer, c.answer) << c.offer;
    }
}

// A compressed message that does not inflate fails the connection with a close frame (1007), never a bare
// disconnect, and is counted as invalid data.
TEST_F(deflate_upgrade_test, answers_a_corrupt_compressed_message_with_a_close_frame)
{
    auto scenario = [&]() -> net::awaitable<test::closing> {
        auto peer = co_await test::raw_peer::connect(endpoint);
        co_await peer.send(upgrade_request("Sec-WebSocket-Extensions: permessage-deflate\r\n"));
        auto res = co_await peer.read_http_response();
        EXPECT_EQ(res[http::field::sec_websocket_extensions], "permessage-deflate");
        test::frame_spec corrupt{
            .opcode = test::opcode::binary, .payload = "\xff\xff\xff\xff not deflate", .rsv1 = true};
        co_await peer.send(corrupt);
        co_return co_await peer.read_until_close();
    };
    auto closing = test::run_coro(ioc, scenario());
    ASSERT_TRUE(closing.close) << "the server dropped the connection without a close frame";
    EXPECT_EQ(closing.close->code, codec::close_codes::invalid_payload);
    EXPECT_TRUE(closing.frames.empty());
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_EQ(ended[0].rejected, rejection::invalid_utf8);
    EXPECT_EQ(ended[0].error, make_error_code(codec::violation::corrupt_compressed_data));
}
