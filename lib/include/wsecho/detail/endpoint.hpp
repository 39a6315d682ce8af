// File: wsecho/detail/endpoint.hpp — "address:port" for log lines, with IPv6 addresses in brackets.
#pragma once

#include <wsecho/net.hpp>
#include <wsecho/url.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <string>

namespace wsecho::detail {

inline std::string endpoint_string(const tcp::endpoint& ep)
{
    return bracketed_host(ep.address().to_string()) + ":" + std::to_string(ep.port());
}

}  // namespace wsecho::detail
