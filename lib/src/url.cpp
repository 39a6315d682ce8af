// File: url.cpp — parsing ws:// and wss:// URLs for the client.
#include <wsecho/url.hpp>

#include <charconv>

namespace wsecho {

namespace {

bool valid_port(std::string_view port)
{
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    return ec == std::errc{} && end == port.data() + port.size() && value >= 1 && value <= 65535;
}

}  // namespace

std::string bracketed_host(std::string_view host)
{
    return host.find(':') != std::string_view::npos ? "[" + std::string(host) + "]" : std::string(host);
}

std::string ws_url::host_header() const
{
    std::string h = bracketed_host(host);
    if (port != (secure() ? "443" : "80"))
        h += ":" + port;
    return h;
}

std::string ws_url::to_string() const
{
    return scheme + "://" + host_header() + target;
}

ws_url_result parse_ws_url(std::string_view text)
{
    ws_url_result result;
    auto fail = [&](std::string why) {
        result.error = "invalid URL '" + std::string(text) + "': " + std::move(why);
        return result;
    };

    auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos)
        return fail("expected ws://host[:port]/path or wss://...");
    std::string_view scheme = text.substr(0, scheme_end);
    if (scheme != "ws" && scheme != "wss")
        return fail("unsupported scheme '" + std::string(scheme) + "'; use ws:// or wss://");

    std::string_view rest = text.substr(scheme_end + 3);
    auto path_start = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, path_start);
    std::string_view target = path_start == std::string_view::npos ? "/" : rest.substr(path_start);
    if (auto fragment = target.find('#'); fragment != std::string_view::npos)
        target = target.substr(0, fragment);  // fragments never go on the wire (RFC 6455 §3)
    if (target.empty() || target.front() == '?')
        result.url.target = "/" + std::string(target);
    else
        result.url.target = std::string(target);

    if (authority.find('@') != std::string_view::npos)
        return fail("user info in the URL is not supported");
    std::string_view host = authority;
    std::string_view port = scheme == "wss" ? "443" : "80";
    if (authority.starts_with('['))
    {
        auto close = authority.find(']');
        if (close == std::string_view::npos)
            return fail("unterminated IPv6 address");
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty())
        {
            if (after.front() != ':')
                return fail("unexpected text after the IPv6 address");
            port = after.substr(1);
        }
    }
    else if (auto colon = authority.rfind(':'); colon != std::string_view::npos)
    {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty())
        return fail("missing host");
    if (!valid_port(port))
        return fail("port must be a number from 1 to 65535");

    result.url.scheme = std::string(scheme);
    result.url.host = std::string(host);
    result.url.port = std::string(port);
    return result;
}

}  // namespace wsecho
