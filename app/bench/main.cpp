// File: bench/main.cpp — wsecho-bench: flags, logging and the exit code; the load itself is in load.cpp.
#include <wsecho/version.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

#include "bench/load.hpp"
#include "common/cli.hpp"

namespace {

using namespace wsecho;

// Each connection is a descriptor; the default soft limit (1024) is below what a load test wants.
void raise_open_file_limit(std::size_t connections)
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= connections + 64)
        return;
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
}

int main_impl(int argc, char** argv)
{
    CLI::App app(
        "WebSocket load generator: echoes fixed-size messages over many connections, checks every\n"
        "echo byte for byte, and reports throughput and latency percentiles.",
        "wsecho-bench"
    );
    bench::bench_options opts;
    std::string url = "ws://localhost:8080/socket";
    std::string log_level = "warn";
    std::uint64_t size = opts.size;
    bool json = false;
    bool binary_flag = false;
    app.add_option("--url", url, "the echo server's WebSocket URL")->capture_default_str();
    app.add_option("--connections,-c", opts.connections, "concurrent WebSocket connections")
        ->capture_default_str()
        ->type_name("N")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
    cli::add_size_option(app, "--size", size, "payload bytes per message", 0, std::uint64_t{64} << 20);
    auto* text = app.add_flag("--text", opts.text, "send text messages");
    auto* binary = app.add_flag("--binary", binary_flag, "send binary messages (the default)");
    text->excludes(binary);
    app.add_option("--pipeline", opts.pipeline, "messages in flight per connection")
        ->capture_default_str()
        ->type_name("N")
        ->check(CLI::Range(std::size_t{1}, std::size_t{65536}));
    auto* duration =
        cli::add_duration_option(app, "--duration", opts.duration, "how long to measure, after the warm-up");
    app.add_option("--messages", opts.messages, "measure this many messages (over all connections) instead")
        ->type_name("N")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000'000'000}))
        ->excludes(duration);
    app.add_option(
           "--rate",
           opts.rate,
           "open loop: send this many messages/s in total, each timed from when it was due"
    )
        ->type_name("MSG/S")
        ->check(CLI::Range(0.001, 1e9));
    cli::add_duration_option(app, "--warmup", opts.warmup, "load before measuring (not counted)", true);
    cli::add_duration_option(
        app, "--timeout", opts.timeout, "an echo (or the close reply) later than this is an error"
    );
    cli::add_duration_option(
        app,
        "--connect-timeout",
        opts.dial.connect_timeout,
        "limit for connecting and upgrading each connection"
    );
    app.add_flag("--json", json, "print the report as one JSON object");
    cli::add_log_level_option(app, log_level);
    app.set_version_flag("--version", cli::version_line("wsecho-bench"));
    if (auto exit_code = cli::parse_flags(app, argc, argv))
        return *exit_code;

    auto parsed = parse_ws_url(url);
    if (!parsed)
        throw CLI::ValidationError("--url", parsed.error);
    if (parsed.url.secure())
        throw CLI::ValidationError(
            "--url", "wss:// is not supported: wsecho-bench measures the echo over ws://"
        );
    opts.dial.url = parsed.url;
    opts.dial.user_agent = std::string("wsecho-bench/") + version;
    opts.size = static_cast<std::size_t>(size);
    cli::setup_logging(cli::parse_log_level(log_level));
    opts.log = spdlog::default_logger();
    opts.progress = isatty(fileno(stderr)) != 0;
    raise_open_file_limit(opts.connections);

    net::io_context ioc(1);
    bench::bench_report report;
    net::co_spawn(
        ioc,
        bench::run_bench(std::move(opts)),
        [&](const std::exception_ptr& failure, bench::bench_report r) {
            if (failure)
                std::rethrow_exception(failure);
            report = std::move(r);
        }
    );
    ioc.run();

    std::fputs((json ? bench::format_json(report) + "\n" : bench::format_text(report)).c_str(), stdout);
    if (report.connected == 0)
    {
        std::fprintf(stderr, "wsecho-bench: no connection: %s\n", report.first_error.c_str());
        return 1;
    }
    return report.errors.total() == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv)
{
    return wsecho::cli::run_main("wsecho-bench", [&] { return main_impl(argc, argv); });
}
