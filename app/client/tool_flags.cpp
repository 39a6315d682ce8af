// File: client/tool_flags.cpp — wsecho-client's tool flags and the stdin/stdout plumbing of --stdin.
#include "client/tool_flags.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

#include "common/cli.hpp"

namespace wsecho::cli {

namespace {

net::awaitable<std::optional<std::string>> next_stdin_line(line_reader& reader)
{
    auto line = co_await reader.next_line();
    if (!line && reader.error())
        spdlog::warn(
            "stdin: no more lines: {}",
            reader.error() == boost::system::errc::message_size ? std::string("a line is longer than 16MiB")
                                                                : reader.error().message()
        );
    co_return line;
}

// Raw, one reply per line, flushed at once: the next command in a pipeline sees each reply as it arrives.
void print_reply(std::string_view payload, bool)
{
    std::fwrite(payload.data(), 1, payload.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

}  // namespace

void add_tool_flags(CLI::App& app, client_options& opts, tool_flags& flags)
{
    app.add_option(
           "--count", opts.count, "send this many messages, then close with 1000 once answered; 0: no limit"
    )
        ->capture_default_str()
        ->type_name("N");
    app.add_flag(
        "--stdin",
        flags.read_stdin,
        "send stdin's lines instead of --message, print replies to stdout, close at end of input"
    );
    app.add_flag("--binary", opts.binary, "send binary frames instead of text");
    app.add_option_function<std::vector<std::string>>(
           "-H,--header",
           [&opts](const std::vector<std::string>& lines) {
               opts.headers.clear();
               for (const auto& line : lines)
               {
                   auto parsed = parse_http_header(line);
                   if (!parsed)
                       throw CLI::ValidationError("--header", parsed.error);
                   opts.headers.push_back(std::move(parsed.header));
               }
           },
           "an extra header for the upgrade request, e.g. 'Authorization: Bearer x'; repeatable"
    )
        ->type_name("'NAME: VALUE'")
        ->delimiter('\n');
    app.add_option_function<std::vector<std::string>>(
           "--subprotocol",
           [&opts](const std::vector<std::string>& names) {
               for (const auto& name : names)
                   if (auto why = check_subprotocol(name); !why.empty())
                       throw CLI::ValidationError("--subprotocol", why);
               opts.subprotocols = names;
           },
           "a subprotocol to offer (Sec-WebSocket-Protocol); repeatable, in order of preference"
    )
        ->type_name("NAME")
        ->delimiter(',');
    app.add_flag(
        "--reconnect",
        opts.reconnect.enabled,
        "after a failed dial or a lost connection, dial again with exponential backoff and jitter"
    );
    app.add_option(
           "--reconnect-attempts",
           opts.reconnect.max_attempts,
           "with --reconnect: give up after this many attempts in a row"
    )
        ->capture_default_str()
        ->check(CLI::Range(1u, 1000u))
        ->type_name("N");
    add_duration_option(
        app,
        "--reconnect-delay",
        opts.reconnect.base_delay,
        "with --reconnect: the first wait; doubled per attempt up to 30s, less up to half at random"
    );
}

std::unique_ptr<line_reader> use_stdin(const net::any_io_executor& ex, client_options& opts)
{
    auto reader = std::make_unique<line_reader>(ex, STDIN_FILENO);
    opts.next_message = [r = reader.get()] { return next_stdin_line(*r); };
    opts.on_message = print_reply;
    opts.reply_log_level = spdlog::level::debug;
    return reader;
}

}  // namespace wsecho::cli
