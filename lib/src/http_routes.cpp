// File: http_routes.cpp — the plain HTTP answers: index page, health, metrics, 404, 405, 426, and
// parse-error responses.
#include <wsecho/detail/http_routes.hpp>
#include <wsecho/detail/metrics.hpp>

#include <algorithm>
#include <cctype>

namespace wsecho::detail {

namespace {

http_response make_response(
    http::status status,
    const http_request& req,
    std::string_view server_name,
    std::string_view content_type,
    std::string body
)
{
    http_response res{status, req.version()};
    res.set(http::field::server, server_name);
    res.set(http::field::content_type, content_type);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

http_response text_response(
    http::status status, const http_request& req, std::string_view server_name, std::string_view text
)
{
    return make_response(status, req, server_name, "text/plain; charset=utf-8", std::string(text) + "\n");
}

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// "https://Example.com:8443" → "Example.com:8443"; "null" and other non-URLs → "".
std::string_view origin_authority(std::string_view origin)
{
    auto scheme_end = origin.find("://");
    if (scheme_end == std::string_view::npos)
        return {};
    auto authority = origin.substr(scheme_end + 3);
    return authority.substr(0, authority.find('/'));
}

// The page carries its script and style inline and loads nothing else. connect-src names ws: and wss:
// besides 'self' because CSP level 2 browsers (older Safari) do not let 'self' match the page's own
// WebSocket; 'self' alone is enough for Chromium and Firefox.
constexpr std::string_view index_page_policy =
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' "
    "data:; "
    "connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// RFC 6455 §4.2.1: the key is base64 of 16 bytes, so 22 base64 digits and "==". Beast 1.81 only checks
// that it is at most 24 characters long.
bool valid_websocket_key(std::string_view key)
{
    auto is_base64_digit = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
    };
    return key.size() == 24 && key.ends_with("==") &&
           std::all_of(key.begin(), key.end() - 2, is_base64_digit);
}

}  // namespace

bool origin_allowed(const http_request& req, std::span<const std::string> allowed)
{
    auto origin_field = req.find(http::field::origin);
    if (origin_field == req.end())
        return true;
    std::string_view origin = origin_field->value();
    auto authority = origin_authority(origin);
    if (!authority.empty() && iequals(authority, req[http::field::host]))
        return true;
    return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& entry) {
        return entry == "*" || iequals(entry, origin);
    });
}

namespace {

route_decision route_socket(const http_request& req, const route_context& ctx)
{
    if (req.method() != http::verb::get)
    {
        auto res = text_response(
            http::status::method_not_allowed,
            req,
            ctx.server_name,
            "405 Method Not Allowed: /socket accepts only GET with a WebSocket upgrade"
        );
        res.set(http::field::allow, "GET");
        return {.response = std::move(res)};
    }
    if (websocket::is_upgrade(req))
    {
        // A missing key is left to Beast's handshake, which answers it with 400 as well.
        if (auto key = req.find(http::field::sec_websocket_key);
            key != req.end() && !valid_websocket_key(key->value()))
        {
            auto res = text_response(
                http::status::bad_request,
                req,
                ctx.server_name,
                "400 Bad Request: Sec-WebSocket-Key must be base64 of 16 bytes (RFC 6455)"
            );
            res.keep_alive(false);
            return {.response = std::move(res), .rejected = rejection::handshake_failed};
        }
        if (origin_allowed(req, ctx.allowed_origins))
            return {.upgrade = true};
        auto res = text_response(
            http::status::forbidden,
            req,
            ctx.server_name,
            "403 Forbidden: origin '" + std::string(req[http::field::origin]) +
                "' may not open this WebSocket (see --allow-origin)"
        );
        res.keep_alive(false);
        return {.response = std::move(res), .rejected = rejection::origin_not_allowed};
    }
    auto res = text_response(
        http::status::upgrade_required,
        req,
        ctx.server_name,
        "426 Upgrade Required: /socket speaks WebSocket only (RFC 6455)"
    );
    res.set(http::field::upgrade, "websocket");
    // "Upgrade" names the hop-by-hop header; a client that asked to close still gets its close.
    res.set(http::field::connection, req.keep_alive() ? "Upgrade" : "Upgrade, close");
    res.set(http::field::sec_websocket_version, "13");
    return {.response = std::move(res)};
}

// The read-only paths (/, /healthz, /readyz, /metrics): GET and HEAD, never cached.
route_decision read_only(
    const http_request& req,
    const route_context& ctx,
    http::status status,
    std::string_view content_type,
    std::string body
)
{
    const bool head = req.method() == http::verb::head;
    if (req.method() != http::verb::get && !head)
    {
        auto res = text_response(
            http::status::method_not_allowed,
            req,
            ctx.server_name,
            "405 Method Not Allowed: " + std::string(req.target()) + " accepts GET and HEAD"
        );
        res.set(http::field::allow, "GET, HEAD");
        return {.response = std::move(res)};
    }
    auto res = make_response(status, req, ctx.server_name, content_type, std::move(body));
    res.set(http::field::cache_control, "no-cache");
    if (head)
        res.body().clear();  // Content-Length keeps the size GET would send (RFC 9110 §9.3.2)
    return {.response = std::move(res)};
}

}  // namespace

route_decision route_request(const http_request& req, const route_context& ctx)
{
    // Routes match the path only; a query string does not change where a request goes.
    std::string_view target = req.target();
    std::string_view path = target.substr(0, target.find('?'));
    constexpr std::string_view plain_text = "text/plain; charset=utf-8";

    if (path == socket_path)
        return route_socket(req, ctx);
    if (path == "/")
    {
        auto page =
            read_only(req, ctx, http::status::ok, "text/html; charset=utf-8", std::string(index_page()));
        if (page.response.result() == http::status::ok)
        {
            // Beast 1.81 has no http::field for these.
            page.response.set("Content-Security-Policy", index_page_policy);
            page.response.set("X-Content-Type-Options", "nosniff");
            page.response.set("Referrer-Policy", "no-referrer");
        }
        return page;
    }
    if (path == "/healthz")
        return read_only(req, ctx, http::status::ok, plain_text, "ok\n");
    if (path == "/readyz")
    {
        bool draining = ctx.stats && ctx.stats->draining.load(std::memory_order_relaxed);
        return draining ? read_only(req, ctx, http::status::service_unavailable, plain_text, "draining\n")
                        : read_only(req, ctx, http::status::ok, plain_text, "ready\n");
    }
    if (path == "/metrics" && ctx.stats)
        return read_only(req, ctx, http::status::ok, metrics_content_type, render_metrics(*ctx.stats));
    return {
        .response = text_response(
            http::status::not_found,
            req,
            ctx.server_name,
            "404 Not Found: try / for the echo page or /socket for the WebSocket"
        )};
}

http_response make_error_response(
    http::status status, unsigned version, std::string_view server_name, std::string_view detail
)
{
    http_response res{status, version};
    res.set(http::field::server, server_name);
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.keep_alive(false);
    res.body() = std::to_string(res.result_int()) + " " + std::string(res.reason()) + ": " +
                 std::string(detail) + "\n";
    res.prepare_payload();
    return res;
}

}  // namespace wsecho::detail
