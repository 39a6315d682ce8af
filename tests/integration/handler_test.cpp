// File: integration/handler_test.cpp — server_options::on_message, the hook that rewrites a message before
// it is echoed, over real loopback sockets.
#include <algorithm>

#include "integration/server_fixture.hpp"
#include "support/ws_peer.hpp"

using namespace std::chrono_literals;
using namespace wsecho;
using test::ws_message;
using test::ws_peer;

namespace {

using handler_test = test::server_fixture;

// ASCII letters only, so UTF-8 stays valid; binary messages pass unchanged.
// A copy of examples/embed/main.cpp's handler on purpose: the example builds alone against an installed
// wsecho, and this test proves the on_message hook, not the example (install.embed_example runs that).
void upper_case_text(beast::flat_buffer& payload, bool& text)
{
    if (!text)
        return;
    auto bytes = payload.data();
    auto* first = static_cast<char*>(bytes.data());
    std::transform(first, first + bytes.size(), first, [](char c) {
        return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    });
}

// Replaces a binary message with a text one describing it: the size and the type may both change.
void describe_binary(beast::flat_buffer& payload, bool& text)
{
    if (text)
        return;
    auto description = std::to_string(payload.size()) + " bytes";
    payload.clear();
    auto room = payload.prepare(description.size());
    net::buffer_copy(room, net::buffer(description));
    payload.commit(description.size());
    text = true;
}

net::awaitable<std::vector<ws_message>> echo_each(tcp::endpoint server, std::vector<ws_message> messages)
{
    auto peer = co_await ws_peer::connect(server);
    for (const auto& m : messages)
        co_await peer.send(m.payload, m.text);
    std::vector<ws_message> echoed;
    for (std::size_t i = 0; i < messages.size(); ++i)
        echoed.push_back(co_await peer.receive());
    co_await peer.close(1000);
    co_return echoed;
}

}  // namespace

// An upper-casing handler changes text echoes (even pipelined, in order) and leaves binary ones alone.
TEST_F(handler_test, upper_cases_text_and_passes_binary_through)
{
    restart_with([](server_options& opts) { opts.on_message = upper_case_text; });
    const std::string binary("a\0b\xff", 4);
    std::vector<ws_message> sent{{"hello", true}, {binary, false}, {"Grüße, wsecho!", true}, {"", true}};
    for (int i = 0; i < 20; ++i)
        sent.push_back({"message " + std::to_string(i), true});

    auto echoed = test::run_coro(ioc, echo_each(endpoint, sent));

    ASSERT_EQ(echoed.size(), sent.size());
    EXPECT_EQ(echoed[0], (ws_message{"HELLO", true}));
    EXPECT_EQ(echoed[1], (ws_message{binary, false}));
    EXPECT_EQ(echoed[2], (ws_message{"GRüßE, WSECHO!", true}));
    EXPECT_EQ(echoed[3], (ws_message{"", true}));
    for (std::size_t i = 4; i < sent.size(); ++i)
        EXPECT_EQ(echoed[i].payload, "MESSAGE " + std::to_string(i - 4));
}

// A handler may replace the payload with one of another size and type; the echo and the session's byte
// count are what it left, not what arrived.
TEST_F(handler_test, echoes_what_the_handler_left)
{
    restart_with([](server_options& opts) { opts.on_message = describe_binary; });

    auto echoed =
        test::run_coro(ioc, echo_each(endpoint, {{std::string(70000, 'x'), false}, {"as is", true}}));
    test::run_coro(ioc, wait_for_sessions(1));

    ASSERT_EQ(echoed.size(), 2u);
    EXPECT_EQ(echoed[0], (ws_message{"70000 bytes", true}));
    EXPECT_EQ(echoed[1], (ws_message{"as is", true}));
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0].messages, 2u);
    EXPECT_EQ(ended[0].bytes, std::string("70000 bytes").size() + std::string("as is").size());
    auto traffic = srv->stats().traffic.sum();
    EXPECT_EQ(traffic.bytes_received[1], 70000u) << "binary bytes as they arrived";
    EXPECT_EQ(traffic.bytes_sent[1], 0u) << "nothing was echoed as binary";
}

// Without a handler the echo is unchanged (the default path).
TEST_F(handler_test, default_is_a_plain_echo)
{
    auto echoed = test::run_coro(ioc, echo_each(endpoint, {{"hello", true}}));
    ASSERT_EQ(echoed.size(), 1u);
    EXPECT_EQ(echoed[0], (ws_message{"hello", true}));
}
