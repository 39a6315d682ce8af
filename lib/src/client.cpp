// File: client.cpp — the dialer: client::run dials (wsecho::dial, in dial.cpp, raced with stop()), hands a
// connection that was established to detail::converse (its receive, send and close loops are in
// detail/client_connection.hpp), and dials again after a lost connection when the reconnect policy says so.
// Resetting, describing and judging an attempt: client_attempts.cpp.
#include <wsecho/client.hpp>
#include <wsecho/deflate.hpp>
#include <wsecho/duration.hpp>
#include <wsecho/wakeup.hpp>

#include <wsecho/detail/backoff.hpp>
#include <wsecho/detail/client_connection.hpp>
#include <wsecho/detail/endpoint.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

#include <random>
#include <stdexcept>

#include "client_attempts.hpp"

namespace wsecho {

namespace {

using namespace net::experimental::awaitable_operators;
using detail::client_state;

// One dial on `ws` and, if it succeeds, the connection until it ends.
template <class WebSocket>
net::awaitable<void> dial_and_run(WebSocket& ws, client_state& s, client_report& report)
{
    ws.set_option(to_beast_option(s.opts.deflate, false));
    auto dialed = co_await (dial(ws, s.dial) || s.stop_requested.wait());
    if (dialed.index() == 1)
    {
        report.stopped_before_connected = true;
        s.log->info("stopped before the connection to {} was established", s.opts.url.to_string());
        co_return;
    }
    auto& outcome = std::get<0>(dialed);
    if (outcome.ec)
    {
        report.dial_error = outcome.ec;
        report.failed_step = outcome.step;
        report.dial_detail = outcome.detail;
        co_return;
    }
    ++report.connections;
    report.subprotocol = outcome.subprotocol;
    report.extensions = outcome.extensions;
    error_code ignored;
    const auto peer = detail::endpoint_string(beast::get_lowest_layer(ws).socket().remote_endpoint(ignored));
    s.log->info(
        "connected to {} {}", s.opts.url.to_string(), detail::describe_connection(peer, outcome, s.opts)
    );

    co_await detail::converse(ws, s, report);
}

// One attempt: a fresh stream (a WebSocket stream cannot be dialled twice), dialled, and if that worked,
// the connection until it ends.
net::awaitable<void> connect_once(client_state& s, client_report& report)
{
    detail::begin_attempt(report);
    if (s.tls)
    {
        wss_stream ws(s.ex, *s.tls);
        co_await dial_and_run(ws, s, report);
    }
    else
    {
        ws_stream ws(s.ex);
        co_await dial_and_run(ws, s, report);
    }
}

double unit_random()
{
    thread_local std::mt19937 generator{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

}  // namespace

client::client(net::any_io_executor ex, client_options opts)
    : state_(std::make_shared<detail::client_state>(std::move(ex), std::move(opts)))
{
    for (const auto& header : state_->opts.headers)
        if (auto why = check_http_header(header); !why.empty())
            throw std::invalid_argument("header '" + header.name + "': " + why);
    for (const auto& name : state_->opts.subprotocols)
        if (auto why = check_subprotocol(name); !why.empty())
            throw std::invalid_argument(why);
    if (state_->opts.url.secure())
    {
        state_->tls = make_client_tls_context(state_->opts.tls);
        if (state_->opts.tls.insecure)
            state_->log->warn(
                "TLS certificate verification is off (insecure): any server can pose as {}",
                state_->opts.url.host
            );
    }
}

client::~client() = default;

void client::stop()
{
    net::post(state_->ex, [s = state_] { s->stop_requested.set(); });
}

net::awaitable<client_report> client::run()
{
    auto s = state_;  // the frame keeps the state alive
    const auto& policy = s->opts.reconnect;
    client_report report;
    for (unsigned failures = 0;;)
    {
        co_await connect_once(*s, report);
        if (report.connected())
            failures = 0;
        if (!detail::should_reconnect(s->opts, s->stop_requested.is_set(), report))
            co_return report;
        if (failures == policy.max_attempts)
        {
            s->log->warn("giving up after {} reconnection attempts", failures);
            co_return report;
        }
        ++failures;
        const reconnect_attempt attempt{
            failures,
            policy.max_attempts,
            detail::reconnect_delay(failures, policy.base_delay, policy.max_delay, unit_random()),
            detail::describe_ending(report, s->opts)};
        ++report.reconnects;
        s->log->warn(
            "{}; reconnecting in {} (attempt {} of {})",
            attempt.reason,
            format_duration(attempt.delay),
            attempt.number,
            attempt.max_attempts
        );
        if (s->opts.on_reconnect)
            s->opts.on_reconnect(attempt);
        co_await (timeout(attempt.delay) || s->stop_requested.wait());
        if (s->stop_requested.is_set())
        {
            detail::begin_attempt(report);
            report.stopped_before_connected = true;  // stopping is what the user asked for: not a failure
            s->log->info("stopped while waiting to reconnect to {}", s->opts.url.to_string());
            co_return report;
        }
    }
}

}  // namespace wsecho
