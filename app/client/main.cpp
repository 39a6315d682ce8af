// File: client/main.cpp — wsecho-client: flags, logging, signals; the client itself lives in the library.
#include <wsecho/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>

#include "client/probe.hpp"
#include "client/tool_flags.hpp"
#include "common/cli.hpp"
#include "common/deflate_flags.hpp"

namespace {

using namespace wsecho;

// 0 when we closed (Ctrl-C) or the server closed normally; 1 when the connection failed or broke.
int exit_code_for(const client_report& report, const client_options& opts)
{
    if (!report.connected())
    {
        if (report.stopped_before_connected)
            return 0;
        cli::report_error("wsecho-client", describe_dial_failure(report, opts));
        return 1;
    }
    if (report.connection_error)
        return 1;
    if (report.server_close_code && *report.server_close_code != 1000 && *report.server_close_code != 1001)
        return 1;
    return 0;
}

int main_impl(int argc, char** argv)
{
    CLI::App app(
        "WebSocket echo client: sends a message every interval (or each line of stdin) and logs every\n"
        "reply; Ctrl-C sends a close frame (1000) and waits for the server's reply.",
        "wsecho-client"
    );
    client_options opts;
    cli::tool_flags tool;
    std::string url = "ws://localhost:8080/socket";
    std::string log_level = "info";
    std::string log_format = "text";
    app.add_option("--url", url, "the server's WebSocket URL: ws:// or wss:// (TLS)")
        ->capture_default_str()
        ->check([](const std::string& text) { return parse_ws_url(text).error; });
    app.add_option("--message", opts.message, "what to send; {n} becomes the message number")
        ->capture_default_str();
    cli::add_duration_option(app, "--interval", opts.interval, "time between messages");
    cli::add_duration_option(
        app, "--connect-timeout", opts.connect_timeout, "limit for connecting and upgrading to WebSocket"
    );
    cli::add_duration_option(
        app,
        "--close-timeout",
        opts.close_timeout,
        "after Ctrl-C or the last message, how long to wait for the server's close reply "
        "(and the replies)"
    );
    cli::add_tool_flags(app, opts, tool);
    app.add_option(
           "--ca-file",
           opts.tls.ca_file,
           "for wss://: trust the CA certificates in this PEM file instead of the system's"
    )
        ->type_name("FILE");
    app.add_flag(
        "--insecure",
        opts.tls.insecure,
        "for wss://: do not verify the server's certificate or name (a warning says so)"
    );
    cli::add_deflate_flags(app, opts.deflate, "ask the server for permessage-deflate (RFC 7692)");
    cli::add_log_level_option(app, log_level);
    std::string probe_url;
    auto* probe = app.add_option(
                         "--probe",
                         probe_url,
                         "a health check instead: GET this http:// URL once (within --connect-timeout); "
                         "exit 0 on a 2xx answer, else 1"
    )
                      ->type_name("URL");
    cli::add_log_format_option(app, log_format);
    app.set_version_flag("--version", cli::version_line("wsecho-client"));
    if (auto exit_code = cli::parse_flags(app, argc, argv))
        return *exit_code;
    if (probe->count() > 0)
        return cli::run_probe(probe_url, opts.connect_timeout);

    opts.url = parse_ws_url(url).url;  // checked while parsing
    cli::setup_logging(cli::parse_log_level(log_level), log_format);

    net::io_context ioc(1);
    // Created before run(): a signal_set first built while run() threads start can lose SIGINT (Boost 1.81).
    net::signal_set signals(ioc, SIGINT, SIGTERM);
    auto stdin_lines = tool.read_stdin ? cli::use_stdin(ioc.get_executor(), opts) : nullptr;
    client cl(ioc.get_executor(), opts);
    int exit_code = 0;

    // First signal: the orderly close (bounded by --close-timeout). A second one: leave at once.
    signals.async_wait([&](const error_code& ec, int) {
        if (ec)
            return;
        cl.stop();
        signals.async_wait([&](const error_code& again, int) {
            if (again)
                return;
            spdlog::warn("second signal: exiting without waiting");
            exit_code = 130;
            ioc.stop();
        });
    });

    net::co_spawn(ioc, cl.run(), [&](const std::exception_ptr& failure, const client_report& report) {
        if (failure)
            std::rethrow_exception(failure);
        exit_code = exit_code_for(report, opts);
        error_code ignored;
        signals.cancel(ignored);  // nothing left to wait for: let ioc.run() return
    });
    ioc.run();
    return exit_code;
}

}  // namespace

int main(int argc, char** argv)
{
    return wsecho::cli::run_main("wsecho-client", [&] { return main_impl(argc, argv); });
}
