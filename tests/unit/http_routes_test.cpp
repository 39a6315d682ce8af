// File: unit/http_routes_test.cpp — the status each plain HTTP request gets, without a socket.
#include <wsecho/detail/http_routes.hpp>

#include <gtest/gtest.h>

using namespace wsecho;
using namespace wsecho::detail;

namespace {

http_request make_request(http::verb method, std::string target, bool upgrade = false)
{
    http_request req{method, target, 11};
    req.set(http::field::host, "localhost:8080");
    if (upgrade)
    {
        req.set(http::field::connection, "Upgrade");
        req.set(http::field::upgrade, "websocket");
        req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
        req.set(http::field::sec_websocket_version, "13");
    }
    return req;
}

route_decision route(http::verb method, std::string target, bool upgrade = false)
{
    return route_request(make_request(method, std::move(target), upgrade), {.server_name = "wsecho/test"});
}

http_request upgrade_from(std::string origin)
{
    auto req = make_request(http::verb::get, "/socket", true);
    req.set(http::field::origin, origin);
    return req;
}

}  // namespace

// Only GET /socket with an upgrade becomes a WebSocket, also with a query string.
TEST(http_routes, upgrades_socket_path)
{
    EXPECT_TRUE(route(http::verb::get, "/socket", true).upgrade);
    EXPECT_TRUE(route(http::verb::get, "/socket?x=1", true).upgrade);
    EXPECT_FALSE(route(http::verb::get, "/", true).upgrade);
    EXPECT_FALSE(route(http::verb::get, "/socket/", true).upgrade);
}

// "/" serves the HTML page; HEAD gets the same headers without the body.
TEST(http_routes, serves_index_page)
{
    auto get = route(http::verb::get, "/");
    ASSERT_FALSE(get.upgrade);
    EXPECT_EQ(get.response.result(), http::status::ok);
    EXPECT_EQ(get.response[http::field::content_type], "text/html; charset=utf-8");
    EXPECT_EQ(get.response.body(), index_page());
    EXPECT_EQ(get.response[http::field::server], "wsecho/test");

    auto head = route(http::verb::head, "/");
    EXPECT_EQ(head.response.result(), http::status::ok);
    EXPECT_TRUE(head.response.body().empty());
    EXPECT_EQ(head.response[http::field::content_length], std::to_string(index_page().size()));
    EXPECT_EQ(head.response["Content-Security-Policy"], get.response["Content-Security-Policy"]);
}

// The page may run only its own inline script and style and talk only to its own server; it loads nothing
// from elsewhere (tests/browser checks the same in Chromium, which enforces the policy).
TEST(http_routes, index_page_is_self_contained)
{
    auto res = route(http::verb::get, "/").response;
    std::string policy{res["Content-Security-Policy"]};
    EXPECT_NE(policy.find("default-src 'none'"), std::string::npos) << policy;
    EXPECT_NE(policy.find("connect-src 'self'"), std::string::npos) << policy;
    EXPECT_NE(policy.find("frame-ancestors 'none'"), std::string::npos) << policy;
    EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");

    auto page = index_page();
    EXPECT_EQ(page.find("http://"), std::string_view::npos) << "the page must not name an external URL";
    EXPECT_EQ(page.find("https://"), std::string_view::npos) << "the page must not name an external URL";
    EXPECT_TRUE(page.starts_with("<!DOCTYPE html>"));
    EXPECT_TRUE(page.ends_with("</html>\n")) << "the embedded page is cut short";
    EXPECT_NE(page.find("location.host + \"/socket\""), std::string_view::npos) << "it dials its own host";
}

// /socket without an upgrade says how to upgrade (RFC 6455 §4.2.2: version 13).
TEST(http_routes, socket_without_upgrade_is_426)
{
    auto d = route(http::verb::get, "/socket");
    EXPECT_EQ(d.response.result(), http::status::upgrade_required);
    EXPECT_EQ(d.response[http::field::upgrade], "websocket");
    EXPECT_EQ(d.response[http::field::sec_websocket_version], "13");
    EXPECT_NE(d.response.body().find("WebSocket"), std::string::npos);
    EXPECT_TRUE(d.response.keep_alive());

    auto closing = make_request(http::verb::get, "/socket");
    closing.keep_alive(false);
    auto c = route_request(closing, {.server_name = "s"});
    EXPECT_EQ(c.response.result(), http::status::upgrade_required);
    EXPECT_FALSE(c.response.keep_alive()) << "Connection: close from the client must be honoured";
    EXPECT_EQ(c.response[http::field::connection], "Upgrade, close");
}

// Non-GET methods get 405 with the Allow header for that path.
TEST(http_routes, other_methods_are_405)
{
    auto post_root = route(http::verb::post, "/");
    EXPECT_EQ(post_root.response.result(), http::status::method_not_allowed);
    EXPECT_EQ(post_root.response[http::field::allow], "GET, HEAD");
    auto put_socket = route(http::verb::put, "/socket", true);
    EXPECT_FALSE(put_socket.upgrade);
    EXPECT_EQ(put_socket.response.result(), http::status::method_not_allowed);
    EXPECT_EQ(put_socket.response[http::field::allow], "GET");
}

// Everything else is 404, and the connection stays usable when the client asked for keep-alive.
TEST(http_routes, unknown_paths_are_404)
{
    for (const char* target : {"/nope", "/index.html", "/socket2", "//"})
    {
        auto d = route(http::verb::get, target);
        EXPECT_EQ(d.response.result(), http::status::not_found) << target;
        EXPECT_TRUE(d.response.keep_alive()) << target;
    }
}

// Error responses close the connection and say what was wrong.
TEST(http_routes, error_responses_close)
{
    auto res = make_error_response(http::status::bad_request, 11, "wsecho/test", "bad method");
    EXPECT_EQ(res.result(), http::status::bad_request);
    EXPECT_FALSE(res.keep_alive());
    EXPECT_EQ(res.body(), "400 Bad Request: bad method\n");
}

// Same-origin pages and non-browser clients (no Origin) may upgrade; other origins get 403 (CSWSH).
TEST(http_routes, refuses_cross_origin_upgrades)
{
    EXPECT_TRUE(route(http::verb::get, "/socket", true).upgrade);  // no Origin header
    EXPECT_TRUE(route_request(upgrade_from("http://localhost:8080"), {.server_name = "s"}).upgrade);
    // Hosts are case-insensitive.
    EXPECT_TRUE(route_request(upgrade_from("https://LOCALHOST:8080"), {.server_name = "s"}).upgrade);

    for (const char* origin : {"http://evil.example", "http://localhost:8081", "null", "localhost:8080"})
    {
        auto d = route_request(upgrade_from(origin), {.server_name = "s"});
        EXPECT_FALSE(d.upgrade) << origin;
        EXPECT_EQ(d.response.result(), http::status::forbidden) << origin;
        EXPECT_EQ(d.rejected, rejection::origin_not_allowed) << origin;
        EXPECT_FALSE(d.response.keep_alive()) << origin;
    }
}

// --allow-origin widens the policy: listed origins (case-insensitive) or "*" for any.
TEST(http_routes, allowed_origins_widen_the_policy)
{
    std::vector<std::string> listed{"https://app.example.com"};
    std::vector<std::string> star{"*"};
    route_context with_listed{.server_name = "s", .allowed_origins = listed};
    EXPECT_TRUE(route_request(upgrade_from("https://app.example.com"), with_listed).upgrade);
    EXPECT_TRUE(route_request(upgrade_from("https://APP.example.com"), with_listed).upgrade);
    EXPECT_FALSE(route_request(upgrade_from("https://other.example.com"), with_listed).upgrade);
    EXPECT_TRUE(route_request(
                    upgrade_from("https://other.example.com"), {.server_name = "s", .allowed_origins = star}
    )
                    .upgrade);
}

// A Sec-WebSocket-Key that is not base64 of 16 bytes is refused before Beast's handshake (which accepts any
// key of up to 24 characters).
TEST(http_routes, refuses_malformed_websocket_keys)
{
    for (const char* key : {"not-base64-key!!!!!!!==", "AAAAAAAAAAA=", "abc", "dGhlIHNhbXBsZSBub25jZQ=x"})
    {
        auto req = make_request(http::verb::get, "/socket", true);
        req.set(http::field::sec_websocket_key, key);
        auto d = route_request(req, {.server_name = "s"});
        EXPECT_FALSE(d.upgrade) << key;
        EXPECT_EQ(d.response.result(), http::status::bad_request) << key;
        EXPECT_EQ(d.rejected, rejection::handshake_failed) << key;
        EXPECT_FALSE(d.response.keep_alive()) << key;
    }
    EXPECT_TRUE(route(http::verb::get, "/socket", true).upgrade) << "the RFC's sample key is valid";
}

// /healthz answers while the process serves; /readyz turns 503 once a shutdown drains connections.
TEST(http_routes, health_and_readiness)
{
    server_stats stats;
    route_context ctx{.server_name = "s", .stats = &stats};
    auto get = [&](std::string target) {
        return route_request(make_request(http::verb::get, target), ctx).response;
    };
    EXPECT_EQ(get("/healthz").result(), http::status::ok);
    EXPECT_EQ(get("/readyz").result(), http::status::ok);
    stats.draining = true;
    EXPECT_EQ(get("/healthz").result(), http::status::ok);
    auto draining = get("/readyz");
    EXPECT_EQ(draining.result(), http::status::service_unavailable);
    EXPECT_EQ(draining.body(), "draining\n");
    EXPECT_EQ(
        route_request(make_request(http::verb::post, "/healthz"), ctx).response.result(),
        http::status::method_not_allowed
    );
}

// /metrics renders the counters in Prometheus' text format; without stats there is nothing to show.
TEST(http_routes, metrics_in_prometheus_text_format)
{
    server_stats stats;
    stats.accepted = 7;
    stats.traffic.received(true, 5);
    stats.traffic.sent(true, 5);
    stats.traffic.received(false, 3);
    stats.close_codes.received(1000);
    stats.close_codes.sent(1001);
    stats.count(rejection::origin_not_allowed);
    stats.count(rejection::message_too_big);
    using std::chrono::microseconds;
    stats.turnaround.observe(microseconds(100), 2);  // on the first bound: in its bucket (le is inclusive)
    stats.turnaround.observe(microseconds(700), 1);  // 0.0005 < 700 µs <= 0.001
    stats.turnaround.observe(std::chrono::seconds(3), 1);  // beyond every bound: +Inf only
    auto res = route_request(make_request(http::verb::get, "/metrics"), {.server_name = "s", .stats = &stats})
                   .response;
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(res[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
    const auto& body = res.body();
    for (const char* line : {
             "# TYPE wsecho_connections_accepted_total counter\n",
             "wsecho_connections_accepted_total 7\n",
             "wsecho_messages_received_total{type=\"text\"} 1\n",
             "wsecho_messages_received_total{type=\"binary\"} 1\n",
             "wsecho_received_bytes_total{type=\"binary\"} 3\n",
             "wsecho_messages_sent_total{type=\"text\"} 1\n",
             "wsecho_messages_sent_total{type=\"binary\"} 0\n",
             "wsecho_close_codes_received_total{code=\"1000\"} 1\n",
             "wsecho_close_codes_sent_total{code=\"1001\"} 1\n",
             "wsecho_handshake_rejections_total{reason=\"origin_not_allowed\"} 1\n",
             "wsecho_handshake_rejections_total{reason=\"over_max_connections\"} 0\n",
             "wsecho_websocket_rejections_total{reason=\"message_too_big\"} 1\n",
             "wsecho_draining 0\n",
             "# TYPE wsecho_echo_turnaround_seconds histogram\n",
             "wsecho_echo_turnaround_seconds_bucket{le=\"0.0001\"} 2\n",
             "wsecho_echo_turnaround_seconds_bucket{le=\"0.0005\"} 2\n",
             "wsecho_echo_turnaround_seconds_bucket{le=\"0.001\"} 3\n",
             "wsecho_echo_turnaround_seconds_bucket{le=\"1\"} 3\n",
             "wsecho_echo_turnaround_seconds_bucket{le=\"+Inf\"} 4\n",
             "wsecho_echo_turnaround_seconds_sum 3.0009\n",
             "wsecho_echo_turnaround_seconds_count 4\n",
         })
        EXPECT_NE(body.find(line), std::string::npos) << "missing: " << line << "in:\n" << body;
    EXPECT_EQ(
        route_request(make_request(http::verb::get, "/metrics"), {.server_name = "s"}).response.result(),
        http::status::not_found
    );
}
