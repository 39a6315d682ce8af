// File: dial.cpp — the one dial coroutine (resolve, connect, TLS, upgrade) for ws:// and wss://, and its
// one-line failure text. Its own translation unit: the handshakes are slow to compile.
#include <wsecho/dial.hpp>
#include <wsecho/duration.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <type_traits>

namespace wsecho {

namespace {

std::string join(const std::vector<std::string>& names, std::string_view separator)
{
    std::string out;
    for (const auto& name : names)
        out += (out.empty() ? "" : std::string(separator)) + name;
    return out;
}

// Builds the upgrade request's extra fields; copies what it needs, as the stream keeps the decorator.
auto request_decorator(const dial_options& opts)
{
    return [agent = opts.user_agent,
            headers = opts.headers,
            offered = join(opts.subprotocols, ", ")](websocket::request_type& req) {
        req.set(http::field::user_agent, agent);
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
    return "the server chose subprotocol '" + chosen + "', which was not offered (" + join(offered, ", ") +
           ")";
}

// SNI and the name check, before the TLS handshake. OpenSSL's own check (rather than a verify callback)
// records a mismatch as X509_V_ERR_HOSTNAME_MISMATCH, so the failure can say "hostname mismatch".
void expect_host(SSL* ssl, const std::string& host)
{
    error_code not_an_address;
    net::ip::make_address(host, not_an_address);
    if (not_an_address)
        SSL_set_tlsext_host_name(ssl, host.c_str());  // RFC 6066 §3: never for IP literals
    if (SSL_get_verify_mode(ssl) == SSL_VERIFY_NONE)
        return;  // an --insecure context: nothing is checked, so there is no name to check either
    if (not_an_address)
        SSL_set1_host(ssl, host.c_str());
    else
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
}

// "certificate verify failed: hostname mismatch" rather than just the first half.
std::string describe_tls_failure(SSL* ssl)
{
    const long verdict = SSL_get_verify_result(ssl);
    if (verdict == X509_V_OK)
        return {};
    return "TLS: certificate verify failed: " + std::string(X509_verify_cert_error_string(verdict));
}

template <class WebSocket>
net::awaitable<dial_result> dial_over(WebSocket& ws, const dial_options& opts)
{
    tcp::resolver resolver(ws.get_executor());
    // No address_configured (Asio's default, AI_ADDRCONFIG): it hides "localhost" on loopback-only hosts;
    // the connect tries every address in turn anyway.
    auto [rec, endpoints] = co_await resolver.async_resolve(
        opts.url.host, opts.url.port, tcp::resolver::flags{}, use_nothrow_awaitable
    );
    if (rec)
        co_return dial_result{.ec = rec, .step = "resolve"};

    auto& tcp_layer = beast::get_lowest_layer(ws);
    tcp_layer.expires_after(opts.connect_timeout);
    if (auto [ec, endpoint] = co_await tcp_layer.async_connect(endpoints, use_nothrow_awaitable); ec)
        co_return dial_result{.ec = ec, .step = "connect"};
    error_code ignored;
    tcp_layer.socket().set_option(tcp::no_delay(true), ignored);

    if constexpr (std::is_same_v<WebSocket, wss_stream>)
    {
        auto& tls = ws.next_layer();
        expect_host(tls.native_handle(), opts.url.host);
        if (auto [ec] = co_await tls.async_handshake(net::ssl::stream_base::client, use_nothrow_awaitable);
            ec)
            co_return dial_result{
                .ec = ec, .step = "TLS handshake", .detail = describe_tls_failure(tls.native_handle())};
    }

    ws.set_option(websocket::stream_base::decorator(request_decorator(opts)));
    websocket::response_type res;
    if (auto [ec] =
            co_await ws.async_handshake(res, opts.url.host_header(), opts.url.target, use_nothrow_awaitable);
        ec)
    {
        std::string detail;
        if (ec == websocket::error::upgrade_declined)
            detail = "the server answered " + std::to_string(res.result_int()) + " " +
                     std::string(res.reason()) + " instead of upgrading";
        co_return dial_result{.ec = ec, .step = "handshake", .detail = std::move(detail)};
    }
    std::string chosen(res[http::field::sec_websocket_protocol]);
    if (auto why = check_chosen_subprotocol(chosen, opts.subprotocols); !why.empty())
    {
        tcp_layer.close();  // fail the connection: no close handshake with a peer that broke the protocol
        co_return dial_result{
            .ec = make_error_code(boost::system::errc::protocol_error),
            .step = "handshake",
            .detail = std::move(why)};
    }
    // From here on the WebSocket's own timers apply; both at once would fight (Beast docs).
    tcp_layer.expires_never();
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    co_return dial_result{
        .subprotocol = std::move(chosen),
        .extensions = std::string(res[http::field::sec_websocket_extensions])};
}

}  // namespace

net::awaitable<dial_result> dial(ws_stream& ws, const dial_options& opts)
{
    return dial_over(ws, opts);
}

net::awaitable<dial_result> dial(wss_stream& ws, const dial_options& opts)
{
    return dial_over(ws, opts);
}

std::string describe(const dial_result& result, const dial_options& opts)
{
    const auto url = opts.url.to_string();
    if (result.step == "resolve")
        return "cannot connect to " + url + ": cannot resolve '" + opts.url.host +
               "': " + result.ec.message();
    std::string line = "cannot connect to " + url + ": ";
    if (result.ec == beast::error::timeout)
        line += "timed out after " + format_duration(opts.connect_timeout) + " (during " + result.step + ")";
    else if (!result.detail.empty())
        line += result.detail;
    else if (result.step == "TLS handshake")
        line += "TLS: " + result.ec.message();
    else
        line += result.ec.message();
    return line;
}

}  // namespace wsecho
