// File: integration/server_fixture.hpp — a wsecho server on 127.0.0.1 with an ephemeral port, sharing one
// io_context with the test's own coroutines, and a record of every session that ended.
#pragma once

#include <wsecho/server.hpp>
#include <wsecho/wakeup.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "support/run_coro.hpp"
#include "support/test_logger.hpp"

namespace wsecho::test {

class server_fixture : public ::testing::Test
{
public:
    net::io_context ioc;
    std::vector<session_summary> ended;
    wakeup session_ended{ioc.get_executor()};
    std::unique_ptr<server> srv;
    tcp::endpoint endpoint;

    void SetUp() override { start(default_options()); }

    server_options default_options()
    {
        return {
            .host = "127.0.0.1",
            .port = 0,
            .logger = test_logger(),
            .on_session_end =
                [this](const session_summary& s) {
                    ended.push_back(s);
                    session_ended.notify_all();
                },
        };
    }

    void start(server_options opts)
    {
        srv = std::make_unique<server>(ioc.get_executor(), std::move(opts));
        endpoint = srv->local_endpoint();
        net::co_spawn(ioc, srv->run(), rethrow);
    }

    // Replaces the server with one whose options `tweak` adjusted (limits, timeouts, origins).
    void restart_with(const std::function<void(server_options&)>& tweak)
    {
        srv->stop();
        drain(ioc);
        auto opts = default_options();
        tweak(opts);
        start(std::move(opts));
    }

    void TearDown() override
    {
        srv->stop();
        drain(ioc);
        EXPECT_TRUE(ioc.stopped()) << "work was left behind after the server stopped";
    }

    // File descriptors this process has open now (/proc/self/fd), for leak checks.
    static std::size_t open_file_descriptors()
    {
        auto fds = std::filesystem::directory_iterator("/proc/self/fd");
        return static_cast<std::size_t>(std::distance(begin(fds), end(fds)));
    }

    // Waits (bounded by run_coro's limit) until `count` sessions have ended.
    net::awaitable<void> wait_for_sessions(std::size_t count)
    {
        while (ended.size() < count)
            co_await session_ended.wait();
    }
};

}  // namespace wsecho::test
