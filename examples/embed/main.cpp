// File: examples/embed/main.cpp — wsecho as a library: an echo server whose message handler upper-cases
// every text message. Usage: upper-echo [HOST [PORT]] (default 127.0.0.1 8080; port 0 takes a free one).
#include <wsecho/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>  // stderr_color_mt too

#include <algorithm>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <optional>
#include <string_view>
#include <system_error>

namespace {

namespace net = wsecho::net;
namespace beast = wsecho::beast;

// The handler: runs on the session's executor for each message before it is echoed. ASCII letters only,
// so a text message stays valid UTF-8; binary messages are echoed unchanged.
// tests/integration/handler_test.cpp has its own copy on purpose: this folder is a project of its own,
// built against an installed wsecho from these two files alone, so it shares no header with the tests.
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

std::optional<std::uint16_t> parse_port(std::string_view text)
{
    std::uint16_t port = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return port;
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc > 3)
    {
        std::fprintf(stderr, "usage: upper-echo [HOST [PORT]]\n");
        return 2;
    }
    wsecho::server_options opts;
    opts.host = argc > 1 ? argv[1] : "127.0.0.1";
    opts.port = 8080;
    if (argc > 2)
    {
        auto port = parse_port(argv[2]);
        if (!port)
        {
            std::fprintf(stderr, "upper-echo: PORT: '%s' is not a number from 0 to 65535\n", argv[2]);
            return 2;
        }
        opts.port = *port;
    }
    opts.on_message = upper_case_text;
    // The library logs through this logger ("listening on ...", one line per connection); stdout stays free.
    opts.logger = spdlog::stderr_color_mt("upper-echo");

    try
    {
        net::io_context ioc;
        // Before run(): a signal_set first built while run() threads start can lose SIGINT (Boost 1.81).
        net::signal_set signals(ioc, SIGINT, SIGTERM);
        wsecho::server server(ioc.get_executor(), opts);  // binds now, or throws "cannot listen on ..."

        net::co_spawn(ioc, server.run(), [](const std::exception_ptr& failure) {
            if (failure)
                std::rethrow_exception(failure);  // out of ioc.run(), into the catch below
        });
        signals.async_wait([&](const wsecho::error_code& ec, int) {
            if (ec)
                return;
            // Graceful: stop accepting, echo what was read, close every WebSocket with 1001 (at most 5 s).
            net::co_spawn(ioc, server.shutdown(std::chrono::seconds(5)), [&](const std::exception_ptr&) {
                ioc.stop();
            });
        });
        ioc.run();
        return 0;
    }
    catch (const std::exception& e)
    {
        std::fprintf(stderr, "upper-echo: %s\n", e.what());
        return 1;
    }
}
