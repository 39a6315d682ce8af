// File: integration/client_messages_test.cpp — what the client sends and gets back from our server: ticks every
// interval, a message count, binary frames, a custom message source; every reply in order, then close 1000.
#include <wsecho/client.hpp>

#include "integration/client_support.hpp"

using namespace std::chrono_literals;
using namespace wsecho;
using clock_type = std::chrono::steady_clock;
using test::client_test;
using test::options_for;

// The sender keeps the interval, every message is echoed and logged, and stop() closes with 1000,
// which the server records.
TEST_F(client_test, sends_every_interval_and_closes_with_1000)
{
    auto opts = options_for(endpoint);
    opts.interval = 20ms;
    std::vector<std::string> replies;
    std::unique_ptr<client> cl;
    opts.on_message = [&](std::string_view payload, bool text) {
        EXPECT_TRUE(text);
        replies.emplace_back(payload);
        if (replies.size() == 5)
            cl->stop();
    };
    cl = std::make_unique<client>(ioc.get_executor(), opts);

    auto started = clock_type::now();
    auto report = test::run_coro(ioc, cl->run());
    auto elapsed = clock_type::now() - started;

    EXPECT_TRUE(report.connected());
    EXPECT_EQ(report.close, close_outcome::receiver_finished);
    // On a loaded machine the next tick can leave before stop() runs; its reply still arrives before the
    // close (nothing sent is lost), so the exact count is not fixed, only that every tick was answered in order.
    EXPECT_GE(report.sent, 5u);
    EXPECT_EQ(report.received, report.sent);
    ASSERT_EQ(replies.size(), report.received);
    for (std::size_t i = 0; i < replies.size(); ++i)
        EXPECT_EQ(replies[i], "tick " + std::to_string(i + 1));
    EXPECT_GE(elapsed, 5 * opts.interval) << "the first message goes out one interval after connecting";
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_EQ(ended[0].close_code, 1000);
    // The same race on the server's side: it echoed every tick the client sent, the late one included, and
    // none came after the close.
    EXPECT_EQ(ended[0].messages, report.sent);
    EXPECT_EQ(ended[0].unechoed, 0u);
}

// --count: the client sends that many messages, waits for their replies and closes with 1000 by itself.
TEST_F(client_test, count_sends_that_many_then_closes_with_1000)
{
    auto opts = options_for(endpoint);
    opts.interval = 10ms;
    opts.count = 3;
    client cl(ioc.get_executor(), opts);

    auto report = test::run_coro(ioc, cl.run());

    EXPECT_TRUE(report.messages_finished);
    EXPECT_EQ(report.sent, 3u);
    EXPECT_EQ(report.received, 3u);
    EXPECT_EQ(report.close, close_outcome::receiver_finished);
    EXPECT_FALSE(report.connection_error);
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_EQ(ended[0].close_code, 1000);
    EXPECT_EQ(ended[0].messages, 3u);
}

// --binary: the messages go out as binary frames, and the server echoes them as binary.
TEST_F(client_test, binary_sends_binary_frames)
{
    auto opts = options_for(endpoint);
    opts.interval = 10ms;
    opts.count = 2;
    opts.binary = true;
    std::vector<std::pair<std::string, bool>> replies;
    opts.on_message = [&](std::string_view payload, bool text) { replies.emplace_back(payload, text); };
    client cl(ioc.get_executor(), opts);

    auto report = test::run_coro(ioc, cl.run());

    EXPECT_EQ(report.received, 2u);
    EXPECT_EQ(replies, (std::vector<std::pair<std::string, bool>>{{"tick 1", false}, {"tick 2", false}}));
}

// A message source like --stdin's: yields the given lines at once, then ends.
net::awaitable<std::optional<std::string>> next_of(std::vector<std::string>& lines)
{
    if (lines.empty())
        co_return std::nullopt;
    auto line = lines.front();
    lines.erase(lines.begin());
    co_return line;
}

// A custom source replaces the ticker: each message goes out as soon as it is there (no interval), and when
// the source runs out the client waits for every reply before it closes with 1000.
TEST_F(client_test, source_messages_go_out_at_once_and_every_reply_arrives_before_the_close)
{
    auto opts = options_for(endpoint);
    opts.interval = 1h;  // not used: the source decides
    std::vector<std::string> lines{"one", "two", "", "four"};
    opts.next_message = [&] { return next_of(lines); };
    std::vector<std::string> replies;
    opts.on_message = [&](std::string_view payload, bool) { replies.emplace_back(payload); };
    client cl(ioc.get_executor(), opts);

    auto report = test::run_coro(ioc, cl.run());

    EXPECT_EQ(replies, (std::vector<std::string>{"one", "two", "", "four"}));
    EXPECT_EQ(report.close, close_outcome::receiver_finished);
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_EQ(ended[0].close_code, 1000);
}
