// File: install_consumer/main.cpp — server and client from an installed wsecho echo one message on 127.0.0.1.
#include <wsecho/client.hpp>
#include <wsecho/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdio>

int main()
{
    using namespace std::chrono_literals;
    namespace net = wsecho::net;
    net::io_context ioc;
    wsecho::server server(ioc.get_executor(), {.host = "127.0.0.1", .port = 0});
    net::co_spawn(ioc, server.run(), net::detached);

    wsecho::client_options opts;
    opts.url = {
        .host = "127.0.0.1", .port = std::to_string(server.local_endpoint().port()), .target = "/socket"};
    opts.interval = 10ms;
    opts.message = "installed";
    std::string reply;
    wsecho::client* client_ptr = nullptr;
    opts.on_message = [&](std::string_view payload, bool) {
        reply = payload;
        client_ptr->stop();
    };
    wsecho::client client(ioc.get_executor(), opts);
    client_ptr = &client;
    net::co_spawn(ioc, client.run(), [&](std::exception_ptr, wsecho::client_report) { server.stop(); });
    ioc.run_for(5s);
    std::printf("reply: %s\n", reply.c_str());
    return reply == "installed" ? 0 : 1;
}
