// File: wsecho/net.hpp — namespace aliases and the completion token every wsecho coroutine uses.
//
// Upgrade path: on Boost >= 1.86, `net::as_tuple` alone is a partial token and `cancel_after`
// exists; until then we name `use_nothrow_awaitable` at every co_await and bound waits with `||`.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdint>

namespace wsecho {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using boost::system::error_code;

// Expected failures (closed, eof, timeout, aborted) arrive as an error_code in a tuple instead of
// an exception: ten times cheaper, and `||` needs operands that do not throw (it waits for the
// first *success*; see shared notes on Boost 1.81).
constexpr auto use_nothrow_awaitable = net::as_tuple(net::use_awaitable);

// The highest close code a peer may send: RFC 6455 §7.4.2's last range, 4000-4999, is for applications.
// Beast 1.81 accepts every code from 3000 up (and would echo it), so wsecho checks this bound itself.
inline constexpr std::uint16_t max_peer_close_code = 4999;

// The close code a peer sent, as an application sees it: an empty close frame reads as 1005
// ("no status received", RFC 6455 §7.4.1) rather than Beast's 0.
inline std::uint16_t received_close_code(const websocket::close_reason& reason)
{
    return reason.code == websocket::close_code::none ? std::uint16_t{1005}
                                                      : static_cast<std::uint16_t>(reason.code);
}

}  // namespace wsecho
