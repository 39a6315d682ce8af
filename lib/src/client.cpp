// File: client.cpp — the dialer coroutine and its three concurrent parts: receive loop, periodic sender
// and close path, joined with `&&`; races (tick vs stop, close vs deadline) use `||`. The receive loop and
// the state they share are in detail/client_loops.hpp (templated, so the fuzz target runs the same loop).
#include <wsecho/client.hpp>
#include <wsecho/detail/client_loops.hpp>
#include <wsecho/detail/endpoint.hpp>
#include <wsecho/detail/wakeup.hpp>
#include <wsecho/duration.hpp>
#include <wsecho/version.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace wsecho {

namespace detail {

// The tcp_stream instantiation of the receive loop (client_loops.hpp), compiled here once.
template net::awaitable<void> receive_loop<websocket::stream<beast::tcp_stream>>(
    websocket::stream<beast::tcp_stream>&, client_state&, client_report&);

}  // namespace detail

namespace {

using namespace net::experimental::awaitable_operators;
using ws_stream = websocket::stream<beast::tcp_stream>;
using detail::client_state;
using detail::receive_loop;

struct dial_outcome
{
    error_code ec;
    std::string step;    // where it failed
    std::string detail;  // what the server said instead of upgrading
};

// Resolve, connect and upgrade. The TCP deadline covers connect and handshake; loopback names
// resolve locally (Asio 1.81's resolver cannot be cancelled, so it is left outside the deadline).
net::awaitable<dial_outcome> dial(ws_stream& ws, const client_options& opts)
{
    tcp::resolver resolver(ws.get_executor());
    // No address_configured (Asio's default, AI_ADDRCONFIG): it hides "localhost" on loopback-only hosts;
    // the connect tries every address in turn anyway.
    auto [rec, endpoints] = co_await resolver.async_resolve(opts.url.host, opts.url.port, tcp::resolver::flags{},
                                                            use_nothrow_awaitable);
    if (rec)
        co_return dial_outcome{rec, "resolve", {}};

    auto& tcp_layer = beast::get_lowest_layer(ws);
    tcp_layer.expires_after(opts.connect_timeout);
    if (auto [ec, endpoint] = co_await tcp_layer.async_connect(endpoints, use_nothrow_awaitable); ec)
        co_return dial_outcome{ec, "connect", {}};
    error_code ignored;
    tcp_layer.socket().set_option(tcp::no_delay(true), ignored);

    ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
        req.set(http::field::user_agent, std::string("wsecho-client/") + version);
    }));
    websocket::response_type res;
    if (auto [ec] = co_await ws.async_handshake(res, opts.url.host_header(), opts.url.target, use_nothrow_awaitable);
        ec)
    {
        std::string detail;
        if (ec == websocket::error::upgrade_declined)
            detail = "the server answered " + std::to_string(res.result_int()) + " " + std::string(res.reason()) +
                     " instead of upgrading";
        co_return dial_outcome{ec, "handshake", std::move(detail)};
    }
    // From here on the WebSocket's own timers apply; both at once would fight (Beast docs).
    tcp_layer.expires_never();
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    co_return dial_outcome{};
}

// Sends the message every interval until stop() or the end of the connection. The write itself sits
// outside any `||`, so it is never cancelled halfway through a frame.
net::awaitable<void> send_loop(ws_stream& ws, client_state& s, client_report& report)
{
    net::steady_timer tick(ws.get_executor());
    auto next = std::chrono::steady_clock::now() + s.opts.interval;
    for (std::uint64_t sequence = 1;; ++sequence)
    {
        tick.expires_at(next);
        co_await (tick.async_wait(use_nothrow_awaitable) || s.stop_requested.wait() || s.receiver_done.wait());
        if (s.stop_requested.is_set() || s.receiver_done.is_set())
            co_return;
        auto message = format_message(s.opts.message, sequence);
        if (auto [ec, size] = co_await ws.async_write(net::buffer(message), use_nothrow_awaitable); ec)
        {
            if (!s.stop_requested.is_set())
            {
                s.log->warn("send failed: {}", ec.message());
                beast::get_lowest_layer(ws).close();  // so the receive loop ends too
            }
            co_return;
        }
        ++report.sent;
        // Like Go's Ticker: a late tick is not made up for with a burst.
        next = std::max(next + s.opts.interval, std::chrono::steady_clock::now());
    }
}

// Its own coroutine, returning void: Asio 1.81's `&&` does not compile for a tuple-returning left
// operand joined with a void one (awaitable_operators.hpp:198, "5 names provided for structured binding").
net::awaitable<void> send_close(ws_stream& ws, client_state& s)
{
    if (auto [ec] = co_await ws.async_close(websocket::close_code::normal, use_nothrow_awaitable); ec)
        s.log->debug("close handshake ended with: {}", ec.message());
}

// On stop(): close frame 1000, then wait at most close_timeout for the server's reply and the
// receive loop's end, like the original's select on done / time.After(time.Second).
net::awaitable<void> close_on_stop(ws_stream& ws, client_state& s, client_report& report)
{
    co_await (s.stop_requested.wait() || s.receiver_done.wait());
    if (!s.stop_requested.is_set() || s.receiver_done.is_set())
        co_return;  // the connection ended by itself

    s.log->info("interrupted: sending close 1000, waiting up to {} for the receiver",
                format_duration(s.opts.close_timeout));
    // The close is issued while the receive loop's read is still pending, never after cancelling it:
    // a cancelled WebSocket read leaves the stream unable to send a close frame (Beast 1.81).
    auto finished = co_await ((send_close(ws, s) && s.receiver_done.wait()) || detail::timeout(s.opts.close_timeout));
    if (finished.index() == 0)
    {
        report.close = close_outcome::receiver_finished;
        s.log->info("receiver finished");
        co_return;
    }
    report.close = close_outcome::timed_out;
    s.log->warn("close timed out after {}: the receiver did not finish; closing the socket",
                format_duration(s.opts.close_timeout));
    beast::get_lowest_layer(ws).close();  // ends the pending read, so the receive loop finishes
}

}  // namespace

client::client(net::any_io_executor ex, client_options opts)
    : state_(std::make_shared<detail::client_state>(std::move(ex), std::move(opts)))
{
}

client::~client() = default;

void client::stop()
{
    net::post(state_->ex, [s = state_] { s->stop_requested.set(); });
}

net::awaitable<client_report> client::run()
{
    auto s = state_;  // the frame keeps the state alive
    client_report report;
    ws_stream ws(s->ex);

    auto dialed = co_await (dial(ws, s->opts) || s->stop_requested.wait());
    if (dialed.index() == 1)
    {
        report.stopped_before_connected = true;
        s->log->info("stopped before the connection to {} was established", s->opts.url.to_string());
        co_return report;
    }
    if (auto& outcome = std::get<0>(dialed); outcome.ec)
    {
        report.dial_error = outcome.ec;
        report.failed_step = outcome.step;
        report.dial_detail = outcome.detail;
        co_return report;
    }
    error_code ignored;
    s->log->info("connected to {} ({})", s->opts.url.to_string(),
                 detail::endpoint_string(beast::get_lowest_layer(ws).socket().remote_endpoint(ignored)));

    co_await (receive_loop(ws, *s, report) && send_loop(ws, *s, report) && close_on_stop(ws, *s, report));
    co_return report;
}

std::string format_message(std::string_view pattern, std::uint64_t sequence)
{
    std::string out;
    const auto number = std::to_string(sequence);
    for (std::size_t i = 0; i < pattern.size();)
    {
        if (pattern.substr(i, 3) == "{n}")
        {
            out += number;
            i += 3;
        }
        else
            out += pattern[i++];
    }
    return out;
}

std::string describe_dial_failure(const client_report& report, const client_options& opts)
{
    const auto url = opts.url.to_string();
    if (report.stopped_before_connected)
        return "stopped before the connection to " + url + " was established";
    if (report.failed_step == "resolve")
        return "cannot connect to " + url + ": cannot resolve '" + opts.url.host + "': " + report.dial_error.message();
    std::string line = "cannot connect to " + url + ": ";
    if (report.dial_error == beast::error::timeout)
        line += "timed out after " + format_duration(opts.connect_timeout) + " (during " + report.failed_step + ")";
    else if (!report.dial_detail.empty())
        line += report.dial_detail;
    else
        line += report.dial_error.message();
    return line;
}

}  // namespace wsecho
