// File: wsecho/detail/endpoint.hpp — "address:port" for log lines, with IPv6 addresses in brackets.
#pragma once

#include <wsecho/net.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <string>

namespace wsecho::detail {

inline std::string endpoint_string(const tcp::endpoint& ep)
{
    auto address = ep.address().to_string();
    if (ep.address().is_v6())
        address = "[" + address + "]";
    return address + ":" + std::to_string(ep.port());
}

}  // namespace wsecho::detail
