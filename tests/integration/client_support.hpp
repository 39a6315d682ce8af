// File: integration/client_support.hpp — what the client's integration tests (client_*_test.cpp) share: the
// fixture (our server), client options aimed at a server, and a port nothing listens on.
#pragma once

#include <wsecho/client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <string>

#include "integration/server_fixture.hpp"
#include "support/test_logger.hpp"

namespace wsecho::test {

// The client against our own server.
using client_test = server_fixture;

// Sends "tick {n}" to ws://<ep>/socket, logging where the tests' logger does.
inline client_options options_for(tcp::endpoint ep)
{
    client_options opts;
    opts.url = {.host = ep.address().to_string(), .port = std::to_string(ep.port()), .target = "/socket"};
    opts.logger = test_logger();
    opts.message = "tick {n}";
    return opts;
}

// A free port with nothing listening: bind, note the port, close.
inline tcp::endpoint closed_port(net::io_context& ioc)
{
    tcp::acceptor a(ioc, tcp::endpoint(net::ip::address_v4::loopback(), 0));
    auto ep = a.local_endpoint();
    a.close();
    return ep;
}

}  // namespace wsecho::test
