// File: server/main.cpp — wsecho-server: flags, logging, signals; the server itself lives in the library.
#include "common/cli.hpp"

#include <wsecho/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <csignal>

namespace {

int main_impl(int argc, char** argv)
{
    using namespace wsecho;
    CLI::App app("WebSocket echo server: GET /socket upgrades and echoes every message with its own type;\n"
                 "GET / serves a test page.",
                 "wsecho-server");
    std::string listen = "localhost:8080";
    std::string log_level = "info";
    app.add_option("--listen", listen, "HOST:PORT to listen on; [::1]:8080 for IPv6, :8080 for every interface")
        ->type_name("HOST:PORT")
        ->capture_default_str();
    cli::add_log_level_option(app, log_level);
    app.set_version_flag("--version", cli::version_line("wsecho-server"));
    if (auto exit_code = cli::parse_flags(app, argc, argv))
        return *exit_code;

    auto address = cli::parse_listen_address(listen);
    cli::setup_logging(cli::parse_log_level(log_level));

    net::io_context ioc(1);
    // Created before run(): a signal_set first built while run() threads start can lose SIGINT (Boost 1.81).
    net::signal_set signals(ioc, SIGINT, SIGTERM);
    server srv(ioc.get_executor(), {.host = address.host, .port = address.port});

    net::co_spawn(ioc, srv.run(), [](const std::exception_ptr& failure) {
        if (failure)
            std::rethrow_exception(failure);  // out of ioc.run(), into run_main: exit code 1
    });
    signals.async_wait([&](const error_code& ec, int signal) {
        if (ec)
            return;
        spdlog::info("received {}, stopping", signal == SIGINT ? "SIGINT" : "SIGTERM");
        srv.stop();
        ioc.stop();
    });
    ioc.run();
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    return wsecho::cli::run_main("wsecho-server", [&] { return main_impl(argc, argv); });
}
