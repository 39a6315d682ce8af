// File: server.cpp — binding, the listener coroutine, and spawning one session coroutine per connection.
#include <wsecho/duration.hpp>
#include <wsecho/server.hpp>
#include <wsecho/tls.hpp>
#include <wsecho/url.hpp>
#include <wsecho/version.hpp>
#include <wsecho/wakeup.hpp>

#include <wsecho/detail/endpoint.hpp>
#include <wsecho/detail/session.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <system_error>

#include "server_state.hpp"

namespace wsecho {

using detail::server_state;

namespace {

std::string describe_listen_address(const server_options& opts)
{
    return bracketed_host(opts.host) + ":" + std::to_string(opts.port);
}

[[noreturn]] void throw_listen_error(const server_options& opts, const error_code& ec)
{
    throw std::system_error(ec, "cannot listen on " + describe_listen_address(opts));
}

// Like Go's net.Listen("tcp", "localhost:8080"): of the resolved addresses the first IPv4 one wins,
// so "localhost" means 127.0.0.1 even where ::1 resolves first.
tcp::endpoint resolve_listen_endpoint(const net::any_io_executor& ex, const server_options& opts)
{
    tcp::resolver resolver(ex);
    error_code ec;
    // No address_configured (AI_ADDRCONFIG): it hides "localhost" on hosts that only have loopback.
    auto results = resolver.resolve(opts.host, std::to_string(opts.port), tcp::resolver::passive, ec);
    if (ec)
        throw_listen_error(opts, ec);
    for (const auto& entry : results)
        if (entry.endpoint().address().is_v4())
            return entry.endpoint();
    return results.begin()->endpoint();
}

// The keep-alive clock rings every session 8 times per idle timeout (see keep_alive.hpp for the rule). With
// the idle timeout off it still rings, as often as with the default timeout: a session that went quiet gives
// back the room a large message left (echo_loop::give_back_memory_if_idle).
std::chrono::milliseconds keep_alive_clock_period(std::chrono::milliseconds idle_timeout)
{
    constexpr int checks_per_timeout = 8;
    const auto timeout = idle_timeout.count() > 0 ? idle_timeout : server_options{}.idle_timeout;
    return std::max(timeout / checks_per_timeout, std::chrono::milliseconds(1));
}

// Accept failures such as EMFILE repeat at once; pausing keeps the listener from spinning on them.
constexpr auto accept_retry_delay = std::chrono::milliseconds(100);

// Logs a session that ended by exception (a bug: expected failures are error codes). Never rethrows,
// so one broken session cannot take the server down.
struct log_session_failure
{
    std::shared_ptr<spdlog::logger> log;
    std::uint64_t id;

    void operator()(const std::exception_ptr& failure) const
    {
        if (!failure)
            return;
        try
        {
            std::rethrow_exception(failure);
        }
        catch (const std::exception& e)
        {
            log->error("#{} session failed: {}", id, e.what());
        }
    }
};

void start_session(
    tcp::socket socket,
    std::uint64_t id,
    bool over_capacity,
    const std::shared_ptr<const detail::session_config>& config,
    const std::shared_ptr<net::ssl::context>& tls
);

net::awaitable<void> drain(std::shared_ptr<server_state> s, std::chrono::milliseconds drain_timeout);

}  // namespace

server::server(net::any_io_executor ex, server_options opts)
    : state_(std::make_shared<server_state>(ex, std::move(opts)))
{
    auto& acceptor = state_->acceptor;
    const auto endpoint = resolve_listen_endpoint(ex, state_->opts);
    error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        // Restart while old sockets sit in TIME_WAIT.
        acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        acceptor.bind(endpoint, ec);
    if (!ec)
        acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        throw_listen_error(state_->opts, ec);
}

server::~server() = default;

const server_stats& server::stats() const
{
    return *state_->stats;
}

tcp::endpoint server::local_endpoint() const
{
    error_code ec;
    return state_->acceptor.local_endpoint(ec);
}

namespace {

// The listener coroutine proper; runs on the acceptor's strand (see server::run).
net::awaitable<void> listen(std::shared_ptr<server_state> s);

}  // namespace

net::awaitable<void> server::run()
{
    // Hop onto the acceptor's strand and wait there for the listener to end, so run() may be awaited on any
    // executor and stop(), posted to the same strand, never races an accept.
    // The keep-alive clock outlives the listener: sessions accepted before stop() still need their idle rule.
    net::co_spawn(
        state_->acceptor.get_executor(),
        state_->registry->run_keep_alive_clock(keep_alive_clock_period(state_->opts.idle_timeout)),
        log_session_failure{state_->log, 0}
    );
    co_await net::co_spawn(state_->acceptor.get_executor(), listen(state_), net::use_awaitable);
}

net::awaitable<void> server::shutdown(std::chrono::milliseconds drain_timeout)
{
    co_await net::co_spawn(state_->acceptor.get_executor(), drain(state_, drain_timeout), net::use_awaitable);
}

void server::stop()
{
    net::post(state_->acceptor.get_executor(), [s = state_] {
        error_code ignored;
        s->acceptor.close(ignored);
        s->registry->stop_clock();
    });
}

namespace {

net::awaitable<void> listen(std::shared_ptr<server_state> s)
{
    error_code ignored;
    auto where = detail::endpoint_string(s->acceptor.local_endpoint(ignored));
    const bool tls = s->tls != nullptr;
    s->log->info(
        "listening on {}://{} (WebSocket: {}://{}{})",
        tls ? "https" : "http",
        where,
        tls ? "wss" : "ws",
        where,
        detail::socket_path
    );
    for (;;)
    {
        auto [ec, socket] =
            co_await s->acceptor.async_accept(s->next_session_executor(), use_nothrow_awaitable);
        if (!s->acceptor.is_open())
            break;  // stop() was called
        if (ec)
        {
            s->log->warn("accept failed: {}", ec.message());
            co_await timeout(accept_retry_delay);
            continue;
        }
        s->stats->accepted.fetch_add(1, std::memory_order_relaxed);
        // Over the limit still gets an answer (503), so the peer learns why; that session is short and bounded.
        bool over_capacity =
            s->stats->open.fetch_add(1, std::memory_order_relaxed) >= s->opts.max_connections;
        start_session(std::move(socket), ++s->sessions_started, over_capacity, s->session_config, s->tls);
    }
    s->log->info("stopped listening on {}", where);
}

// How long sessions get to end after an abort (closing their sockets) before shutdown stops waiting.
constexpr auto abort_grace = std::chrono::seconds(1);

net::awaitable<void> drain(std::shared_ptr<server_state> s, std::chrono::milliseconds drain_timeout)
{
    using namespace net::experimental::awaitable_operators;
    s->stats->draining.store(true, std::memory_order_relaxed);
    error_code ignored;
    s->acceptor.close(ignored);  // the listener sees it closed and ends
    s->registry->stop_clock();
    auto open = s->registry->size();
    s->log->info(
        "shutting down: closing {} connection{} with 1001, waiting up to {} for them",
        open,
        open == 1 ? "" : "s",
        format_duration(drain_timeout)
    );
    s->registry->drain();
    co_await (s->registry->wait_until_empty() || timeout(drain_timeout));
    if (auto left = s->registry->size(); left > 0)
    {
        s->log->warn(
            "shutting down: {} connection{} did not finish closing within {}; closing them now",
            left,
            left == 1 ? "" : "s",
            format_duration(drain_timeout)
        );
        s->registry->abort_all();
        co_await (s->registry->wait_until_empty() || timeout(abort_grace));
    }
    s->log->info("shutdown complete");
}

void start_session(
    tcp::socket socket,
    std::uint64_t id,
    bool over_capacity,
    const std::shared_ptr<const detail::session_config>& config,
    const std::shared_ptr<net::ssl::context>& tls
)
{
    error_code ec;
    // Small echoes must not wait for Nagle + delayed ACK (cost websocketpp 5x in scenario b).
    socket.set_option(tcp::no_delay(true), ec);
    auto peer = socket.remote_endpoint(ec);

    detail::session_context ctx{
        .summary = {.id = id, .peer = ec ? std::string("?") : detail::endpoint_string(peer)},
        .config = config,
        .over_capacity = over_capacity,
    };
    // The session runs on its socket's executor: a strand of its own once several threads run the context.
    auto executor = socket.get_executor();
    ctx.control = config->registry->add(executor);
    if (tls)
        net::co_spawn(
            executor,
            detail::run_session(
                detail::tls_stream(beast::tcp_stream(std::move(socket)), *tls), std::move(ctx)
            ),
            log_session_failure{config->log, id}
        );
    else
        net::co_spawn(
            executor,
            detail::run_session(std::move(socket), std::move(ctx)),
            log_session_failure{config->log, id}
        );
}

}  // namespace

}  // namespace wsecho
