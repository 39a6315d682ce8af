// File: client_dial.cpp — the client's dial (see detail/client_dial.hpp). Its own translation unit: the
// handshake is one of the Beast operations that take long to compile, next to client.cpp's reads and writes.
#include <wsecho/detail/client_dial.hpp>
#include <wsecho/version.hpp>

#include <algorithm>

namespace wsecho::detail {

namespace {

std::string join(const std::vector<std::string>& names, std::string_view separator)
{
    std::string out;
    for (const auto& name : names)
        out += (out.empty() ? "" : std::string(separator)) + name;
    return out;
}

// Builds the upgrade request's extra fields; copies what it needs, as the stream keeps the decorator.
auto request_decorator(const client_options& opts)
{
    return [headers = opts.headers, offered = join(opts.subprotocols, ", ")](websocket::request_type& req) {
        req.set(http::field::user_agent, std::string("wsecho-client/") + version);
        if (!offered.empty())
            req.set(http::field::sec_websocket_protocol, offered);
        // A header given by the user replaces a default of the same name; repeated names are all sent.
        for (const auto& h : headers)
            req.erase(h.name);
        for (const auto& h : headers)
            req.insert(h.name, h.value);
    };
}

// RFC 6455 §4.1: the client fails the connection when the server picks a subprotocol it did not offer.
std::string check_chosen_subprotocol(const std::string& chosen, const std::vector<std::string>& offered)
{
    if (chosen.empty() || std::find(offered.begin(), offered.end(), chosen) != offered.end())
        return {};
    if (offered.empty())
        return "the server chose subprotocol '" + chosen + "' although none was offered";
    return "the server chose subprotocol '" + chosen + "', which was not offered (" + join(offered, ", ") + ")";
}

}  // namespace

net::awaitable<dial_outcome> dial(websocket::stream<beast::tcp_stream>& ws, const client_options& opts)
{
    tcp::resolver resolver(ws.get_executor());
    // No address_configured (Asio's default, AI_ADDRCONFIG): it hides "localhost" on loopback-only hosts;
    // the connect tries every address in turn anyway. Loopback names resolve locally (Asio 1.81's resolver
    // cannot be cancelled, so it is left outside the deadline).
    auto [rec, endpoints] = co_await resolver.async_resolve(opts.url.host, opts.url.port, tcp::resolver::flags{},
                                                            use_nothrow_awaitable);
    if (rec)
        co_return dial_outcome{rec, "resolve", {}, {}};

    auto& tcp_layer = beast::get_lowest_layer(ws);
    tcp_layer.expires_after(opts.connect_timeout);
    if (auto [ec, endpoint] = co_await tcp_layer.async_connect(endpoints, use_nothrow_awaitable); ec)
        co_return dial_outcome{ec, "connect", {}, {}};
    error_code ignored;
    tcp_layer.socket().set_option(tcp::no_delay(true), ignored);

    ws.set_option(websocket::stream_base::decorator(request_decorator(opts)));
    websocket::response_type res;
    if (auto [ec] = co_await ws.async_handshake(res, opts.url.host_header(), opts.url.target, use_nothrow_awaitable);
        ec)
    {
        std::string detail;
        if (ec == websocket::error::upgrade_declined)
            detail = "the server answered " + std::to_string(res.result_int()) + " " + std::string(res.reason()) +
                     " instead of upgrading";
        co_return dial_outcome{ec, "handshake", std::move(detail), {}};
    }
    std::string chosen(res[http::field::sec_websocket_protocol]);
    if (auto why = check_chosen_subprotocol(chosen, opts.subprotocols); !why.empty())
    {
        tcp_layer.close();  // fail the connection: no close handshake with a peer that broke the protocol
        co_return dial_outcome{make_error_code(boost::system::errc::protocol_error), "handshake", std::move(why), {}};
    }
    // From here on the WebSocket's own timers apply; both at once would fight (Beast docs).
    tcp_layer.expires_never();
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    co_return dial_outcome{{}, {}, {}, std::move(chosen)};
}

}  // namespace wsecho::detail
