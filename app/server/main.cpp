// File: server/main.cpp — wsecho-server: flags, logging, signals; the server itself lives in the library.
#include <wsecho/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <thread>
#include <vector>

#include "common/cli.hpp"
#include "common/deflate_flags.hpp"

namespace {

int main_impl(int argc, char** argv)
{
    using namespace wsecho;
    CLI::App app(
        "WebSocket echo server: GET /socket upgrades and echoes every message with its own type;\n"
        "GET / serves a test page.",
        "wsecho-server"
    );
    std::string listen = "localhost:8080";
    std::string log_level = "info";
    std::string log_format = "text";
    server_options opts;
    std::uint64_t max_message_bytes = opts.max_message_bytes;
    std::uint64_t max_header_bytes = opts.max_header_bytes;
    std::chrono::milliseconds drain_timeout = std::chrono::seconds(5);
    app.add_option(
           "--listen", listen, "HOST:PORT to listen on; [::1]:8080 for IPv6, :8080 for every interface"
    )
        ->type_name("HOST:PORT")
        ->capture_default_str()
        ->check(cli::check_by_parsing([](const std::string& text) { cli::parse_listen_address(text); }));
    cli::add_size_option(
        app,
        "--max-message-bytes",
        max_message_bytes,
        "larger messages are refused with close 1009",
        1,
        std::uint64_t{1} << 32
    );
    cli::add_size_option(
        app,
        "--max-header-bytes",
        max_header_bytes,
        "larger HTTP request headers are refused with 431",
        1024,
        std::uint64_t{1} << 20
    );
    app.add_option(
           "--max-connections",
           opts.max_connections,
           "connections beyond this many get 503 before any upgrade"
    )
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}))
        ->type_name("N");
    cli::add_duration_option(
        app,
        "--handshake-timeout",
        opts.handshake_timeout,
        "limit for each HTTP request and the WebSocket handshakes (slow clients are dropped)"
    );
    cli::add_duration_option(
        app,
        "--idle-timeout",
        opts.idle_timeout,
        "a silent peer is pinged after half of this and dropped after all of it"
    );
    app.add_option(
           "--allow-origin",
           opts.allowed_origins,
           "a browser origin (e.g. https://app.example.com) allowed besides the server's own; "
           "repeatable (or comma-separated); * allows any"
    )
        ->type_name("ORIGIN")
        ->take_all()
        ->delimiter(',');
    auto* cert = app.add_option(
                        "--tls-cert",
                        opts.tls_cert_file,
                        "PEM certificate chain: serve wss:// and https:// instead of ws:// and http://"
    )
                     ->type_name("FILE");
    auto* key =
        app.add_option("--tls-key", opts.tls_key_file, "PEM private key for --tls-cert")->type_name("FILE");
    cert->needs(key);
    key->needs(cert);
    cli::add_deflate_flags(
        app,
        opts.deflate,
        "offer permessage-deflate (RFC 7692) to clients that ask; costs memory per connection"
    );
    cli::add_duration_option(
        app,
        "--drain-timeout",
        drain_timeout,
        "on SIGINT/SIGTERM, how long connections get to finish their close handshake (1001)"
    );
    // One thread per core, like Go's GOMAXPROCS; hardware_concurrency() may not know (0).
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    app.add_option(
           "--threads",
           threads,
           "threads running the server (default: one per core); above 1 each "
           "connection gets a strand"
    )
        ->capture_default_str()
        ->check(CLI::Range(1u, 256u))
        ->type_name("N");
    cli::add_log_level_option(app, log_level);
    cli::add_log_format_option(app, log_format);
    app.set_version_flag("--version", cli::version_line("wsecho-server"));
    if (auto exit_code = cli::parse_flags(app, argc, argv))
        return *exit_code;

    auto address = cli::parse_listen_address(listen);
    opts.host = address.host;
    opts.port = address.port;
    opts.max_message_bytes = max_message_bytes;
    opts.max_header_bytes = static_cast<std::uint32_t>(max_header_bytes);
    opts.multithreaded = threads > 1;
    cli::setup_logging(cli::parse_log_level(log_level), log_format);

    net::io_context ioc(static_cast<int>(threads));
    // Created before run(): a signal_set first built while run() threads start can lose SIGINT (Boost 1.81).
    // The signal handlers and the shutdown's completion share a strand: signal_set is not thread-safe.
    auto control = net::make_strand(ioc);
    net::signal_set signals(control, SIGINT, SIGTERM);
    server srv(ioc.get_executor(), opts);

    net::co_spawn(ioc, srv.run(), [](const std::exception_ptr& failure) {
        if (failure)
            std::rethrow_exception(failure);  // out of ioc.run(), into run_main: exit code 1
    });
    int exit_code = 0;
    // First signal: graceful shutdown (close 1001, bounded by --drain-timeout), after which run() returns
    // for lack of work. A second signal: leave at once.
    signals.async_wait([&](const error_code& ec, int signal) {
        if (ec)
            return;
        spdlog::info(
            "received {}, shutting down (again to exit at once)", signal == SIGINT ? "SIGINT" : "SIGTERM"
        );
        net::co_spawn(control, srv.shutdown(drain_timeout), [&](const std::exception_ptr&) {
            signals.cancel();
            ioc.stop();  // whatever did not end within the drain timeout and its grace ends here
        });
        signals.async_wait([&](const error_code& again, int) {
            if (again)
                return;
            spdlog::warn("second signal: exiting without waiting for connections to close");
            exit_code = 130;
            ioc.stop();
        });
    });
    // The signal_set above already exists, so these threads cannot lose a signal (Boost 1.81 note).
    std::vector<std::thread> helpers;
    for (unsigned i = 1; i < threads; ++i)
        helpers.emplace_back([&ioc] {
            try
            {
                ioc.run();
            }
            catch (const std::exception& e)
            {
                spdlog::critical("server thread failed: {}", e.what());
                ioc.stop();
            }
        });
    ioc.run();
    for (auto& t : helpers)
        t.join();
    return exit_code;
}

}  // namespace

int main(int argc, char** argv)
{
    return wsecho::cli::run_main("wsecho-server", [&] { return main_impl(argc, argv); });
}
