// File: wsecho/url.hpp — the WebSocket URL the client dials (ws:// or wss://).
#pragma once

#include <string>
#include <string_view>

namespace wsecho {

struct ws_url
{
    std::string scheme = "ws";       // "ws", or "wss" for WebSocket over TLS
    std::string host = "localhost";  // without brackets, also for IPv6 literals
    std::string port = "80";
    std::string target = "/";  // path and query, always starting with '/'

    bool secure() const noexcept { return scheme == "wss"; }
    // The Host header value (RFC 7230 §5.4): the port only when it is not the scheme's default (80, 443).
    std::string host_header() const;
    std::string to_string() const;
};

// A host as it is written before ":port" in URLs, Host headers and log lines: IPv6 addresses in brackets.
std::string bracketed_host(std::string_view host);

// Parses "ws[s]://host[:port][/path][?query]". On failure returns a one-line reason.
struct ws_url_result
{
    ws_url url;
    std::string error;  // empty on success
    explicit operator bool() const noexcept { return error.empty(); }
};
ws_url_result parse_ws_url(std::string_view text);

}  // namespace wsecho
