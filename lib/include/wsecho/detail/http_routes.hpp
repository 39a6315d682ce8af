// File: wsecho/detail/http_routes.hpp — what the server answers to each plain HTTP request.
//
// A pure function of the request, so every status is unit-testable without a socket.
#pragma once

#include <wsecho/net.hpp>
#include <wsecho/stats.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wsecho::detail {

// The path that upgrades to the echo WebSocket, as in the original Go server.
inline constexpr std::string_view socket_path = "/socket";

using http_request = http::request<http::string_body>;
using http_response = http::response<http::string_body>;

// What to do with one request: upgrade it to an echo session, or send `response`.
// NOLINTNEXTLINE(bugprone-exception-escape): Beast's message move is not noexcept-declared but only moves.
struct route_decision
{
    bool upgrade = false;
    http_response response;             // set when !upgrade
    std::optional<rejection> rejected;  // set when the answer refuses a peer (403), not just a miss (404)
};

// What the answers depend on besides the request.
struct route_context
{
    std::string_view server_name = "wsecho";       // the Server header
    std::span<const std::string> allowed_origins;  // see origin_allowed()
    const server_stats* stats = nullptr;  // feeds /metrics and /readyz; null: /metrics is 404, always ready
};

// GET /socket with an upgrade → upgrade (403 if its Origin is not allowed); GET|HEAD / → the index
// page; /healthz → 200; /readyz → 200, or 503 while draining; /metrics → Prometheus text;
// /socket without an upgrade → 426; other methods → 405; other paths → 404.
route_decision route_request(const http_request& req, const route_context& ctx);

// The cross-site WebSocket hijacking check: no Origin (not a browser) or an Origin whose host:port is
// the request's Host passes; otherwise the Origin must be listed in `allowed` (or `allowed` holds "*").
bool origin_allowed(const http_request& req, std::span<const std::string> allowed);

// A short plain-text error response (400, 413, 431, ...) that closes the connection.
http_response make_error_response(
    http::status status, unsigned version, std::string_view server_name, std::string_view detail
);

// The page served at "/": connects back to /socket and echoes what you type.
std::string_view index_page();

}  // namespace wsecho::detail
