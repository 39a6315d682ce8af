// File: wsecho/http_header.hpp — extra upgrade-request headers and subprotocol names for the client:
// parsing "Name: value" lines and refusing what would corrupt or contradict the WebSocket handshake.
#pragma once

#include <string>
#include <string_view>

namespace wsecho {

struct http_header
{
    std::string name;
    std::string value;
    bool operator==(const http_header&) const = default;
};

// Parses "Name: value" (curl's -H form). The value's surrounding blanks are dropped; it may be empty.
struct http_header_result
{
    http_header header;
    std::string error;  // empty on success: a one-line reason otherwise
    explicit operator bool() const noexcept { return error.empty(); }
};
http_header_result parse_http_header(std::string_view line);

// Why `header` cannot go into a WebSocket upgrade request, or "" when it can: the name must be an
// RFC 9110 token and not one the handshake sets itself (Upgrade, Connection, Sec-WebSocket-*), and the
// value must not contain control characters (CR/LF would split the request).
std::string check_http_header(const http_header& header);

// Why `name` cannot be offered in Sec-WebSocket-Protocol (it must be a token, RFC 6455 §4.1), or "".
std::string check_subprotocol(std::string_view name);

}  // namespace wsecho
