// File: stats.cpp — names for the rejection reasons, as they appear in log lines.
#include <wsecho/stats.hpp>

namespace wsecho {

std::string_view to_string(rejection r)
{
    switch (r)
    {
    case rejection::bad_request: return "bad request";
    case rejection::header_too_large: return "request header too large";
    case rejection::body_too_large: return "request body too large";
    case rejection::request_timeout: return "no complete request in time";
    case rejection::handshake_failed: return "WebSocket handshake failed";
    case rejection::origin_not_allowed: return "origin not allowed";
    case rejection::over_capacity: return "over max connections";
    case rejection::message_too_big: return "message too big";
    case rejection::protocol_error: return "protocol error";
    case rejection::invalid_utf8: return "invalid UTF-8";
    case rejection::idle_timeout: return "idle timeout";
    }
    return "unknown";
}

}  // namespace wsecho
