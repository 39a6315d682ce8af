// File: client/probe.cpp — wsecho-client --probe: parse an http:// URL, GET it, report the status in one line.
#include "client/probe.hpp"

#include <wsecho/duration.hpp>
#include <wsecho/net.hpp>
#include <wsecho/url.hpp>
#include <wsecho/version.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <string>

namespace wsecho::cli {

namespace {

struct probe_outcome
{
    bool healthy = false;
    std::string detail;  // "200 OK", or the step that failed and why
};

// http:// URLs have the authority and path syntax of ws:// ones (RFC 6455 §3 borrows it from HTTP), so
// the client's URL parser does the work and only the scheme differs.
ws_url parse_probe_url(std::string_view text)
{
    constexpr std::string_view scheme = "http://";
    const std::string invalid = "invalid URL '" + std::string(text) + "': ";
    if (!text.starts_with(scheme))
        throw CLI::ValidationError("--probe", invalid + "expected http://host[:port]/path");

    const std::string as_ws = "ws://" + std::string(text.substr(scheme.size()));
    auto parsed = parse_ws_url(as_ws);
    if (!parsed)
    {
        // The reason without parse_ws_url's "invalid URL 'ws://...': ", which would show the wrong scheme.
        const std::string ws_prefix = "invalid URL '" + as_ws + "': ";
        std::string_view why = parsed.error;
        if (why.starts_with(ws_prefix))
            why.remove_prefix(ws_prefix.size());
        throw CLI::ValidationError("--probe", invalid + std::string(why));
    }
    parsed.url.scheme = "http";
    return parsed.url;
}

std::string describe_failure(std::string_view step, const error_code& ec, std::chrono::milliseconds timeout)
{
    if (ec == beast::error::timeout)
        return std::string(step) + ": timed out after " + format_duration(timeout);
    return std::string(step) + ": " + ec.message();
}

// Only the status line matters, so only the header is read: a large or endless body cannot stall the probe.
net::awaitable<probe_outcome> get_status(ws_url url, std::chrono::milliseconds timeout)
{
    auto ex = co_await net::this_coro::executor;
    // Asio 1.81's resolver cannot be cancelled, so the lookup stays outside the deadline (as in the client).
    tcp::resolver resolver(ex);
    auto [rec, endpoints] =
        co_await resolver.async_resolve(url.host, url.port, tcp::resolver::flags{}, use_nothrow_awaitable);
    if (rec)
        co_return probe_outcome{.detail = "resolve '" + url.host + "': " + rec.message()};

    beast::tcp_stream stream(ex);
    stream.expires_after(timeout);
    if (auto [ec, endpoint] = co_await stream.async_connect(endpoints, use_nothrow_awaitable); ec)
        co_return probe_outcome{.detail = describe_failure("connect", ec, timeout)};

    http::request<http::empty_body> req{http::verb::get, url.target, 11};
    req.set(http::field::host, url.host_header());
    req.set(http::field::user_agent, std::string("wsecho-client/") + version + " probe");
    req.set(http::field::connection, "close");
    if (auto [ec, sent] = co_await http::async_write(stream, req, use_nothrow_awaitable); ec)
        co_return probe_outcome{.detail = describe_failure("send", ec, timeout)};

    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> parser;
    parser.body_limit(boost::none);  // the body is never read, so its announced size does not matter
    if (auto [ec, received] = co_await http::async_read_header(stream, buffer, parser, use_nothrow_awaitable);
        ec)
        co_return probe_outcome{.detail = describe_failure("read", ec, timeout)};

    const auto& res = parser.get();
    std::string reason(res.reason().empty() ? http::obsolete_reason(res.result()) : res.reason());
    co_return probe_outcome{
        .healthy = http::to_status_class(res.result()) == http::status_class::successful,
        .detail = std::to_string(res.result_int()) + " " + reason,
    };
}

}  // namespace

int run_probe(std::string_view url_text, std::chrono::milliseconds timeout)
{
    const ws_url url = parse_probe_url(url_text);

    net::io_context ioc(1);
    probe_outcome outcome;
    net::co_spawn(
        ioc,
        get_status(url, timeout),
        [&](const std::exception_ptr& failure, probe_outcome result) {
            if (failure)
                std::rethrow_exception(failure);
            outcome = std::move(result);
        }
    );
    ioc.run();

    std::FILE* out = outcome.healthy ? stdout : stderr;
    std::fprintf(out, "wsecho-client: probe %s: %s\n", url.to_string().c_str(), outcome.detail.c_str());
    return outcome.healthy ? 0 : 1;
}

}  // namespace wsecho::cli
