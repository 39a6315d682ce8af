// File: dial.cpp — the reusable dial coroutine (resolve, connect, upgrade) and its one-line failure text.
#include <wsecho/dial.hpp>
#include <wsecho/duration.hpp>

#include <boost/asio/ip/tcp.hpp>

namespace wsecho {

net::awaitable<dial_result> dial(websocket::stream<beast::tcp_stream>& ws, const dial_options& opts)
{
    tcp::resolver resolver(ws.get_executor());
    // No address_configured (AI_ADDRCONFIG): it hides "localhost" on loopback-only hosts.
    auto [rec, endpoints] = co_await resolver.async_resolve(opts.url.host, opts.url.port, tcp::resolver::flags{},
                                                            use_nothrow_awaitable);
    if (rec)
        co_return dial_result{rec, "resolve", {}};

    auto& tcp_layer = beast::get_lowest_layer(ws);
    tcp_layer.expires_after(opts.connect_timeout);
    if (auto [ec, endpoint] = co_await tcp_layer.async_connect(endpoints, use_nothrow_awaitable); ec)
        co_return dial_result{ec, "connect", {}};
    error_code ignored;
    tcp_layer.socket().set_option(tcp::no_delay(true), ignored);

    ws.set_option(websocket::stream_base::decorator(
        [agent = opts.user_agent](websocket::request_type& req) { req.set(http::field::user_agent, agent); }));
    websocket::response_type res;
    if (auto [ec] = co_await ws.async_handshake(res, opts.url.host_header(), opts.url.target, use_nothrow_awaitable);
        ec)
    {
        std::string detail;
        if (ec == websocket::error::upgrade_declined)
            detail = "the server answered " + std::to_string(res.result_int()) + " " + std::string(res.reason()) +
                     " instead of upgrading";
        co_return dial_result{ec, "handshake", std::move(detail)};
    }
    // From here on the WebSocket's own timers apply; both at once would fight (Beast docs).
    tcp_layer.expires_never();
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    co_return dial_result{};
}

std::string describe(const dial_result& result, const dial_options& opts)
{
    const auto url = opts.url.to_string();
    if (result.step == "resolve")
        return "cannot connect to " + url + ": cannot resolve '" + opts.url.host + "': " + result.ec.message();
    std::string line = "cannot connect to " + url + ": ";
    if (result.ec == beast::error::timeout)
        line += "timed out after " + format_duration(opts.connect_timeout) + " (during " + result.step + ")";
    else if (!result.detail.empty())
        line += result.detail;
    else
        line += result.ec.message();
    return line;
}

}  // namespace wsecho
