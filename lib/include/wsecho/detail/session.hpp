// File: wsecho/detail/session.hpp — the session coroutine: plain HTTP requests until one upgrades, then the
// WebSocket echo loop, joined with `&&` to a supervisor (keep-alive and shutdown).
//
// Templated on the transport so unit tests run it over beast::test::stream; the plain TCP (tcp::socket)
// instantiation is compiled once, in session.cpp, and the TLS one in session_tls.cpp.
#pragma once

#include <wsecho/detail/coalescing_stream.hpp>
#include <wsecho/detail/echo_state.hpp>
#include <wsecho/detail/op_block_cache.hpp>
#include <wsecho/detail/keep_alive.hpp>
#include <wsecho/detail/session_registry.hpp>
#include <wsecho/deflate.hpp>
#include <wsecho/detail/wakeup.hpp>
#include <wsecho/http_routes.hpp>
#include <wsecho/net.hpp>
#include <wsecho/server.hpp>

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <spdlog/logger.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace wsecho::detail {

// wss:// and https://: TLS over the same TCP stream type, so its deadline bounds the TLS handshake too.
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

// What every session of one server shares: settings and counters, built once by the server.
struct session_config
{
    std::string server_name;  // the Server header, "wsecho/<version>"
    std::chrono::milliseconds handshake_timeout{};
    std::chrono::milliseconds idle_timeout{};
    std::size_t max_message_bytes = 0;
    std::uint32_t max_header_bytes = 0;
    deflate_options deflate;
    std::vector<std::string> allowed_origins;
    std::shared_ptr<spdlog::logger> log;
    std::function<void(const session_summary&)> on_end;
    std::shared_ptr<server_stats> stats;
    std::shared_ptr<session_registry> registry;  // null in unit tests: nobody asks the session to go away
    message_handler on_message;                  // empty: echo unchanged

    route_context routes() const
    {
        return {.server_name = server_name, .allowed_origins = allowed_origins, .stats = stats.get()};
    }
};

// One session's own state, owned by its coroutine frame.
struct session_context
{
    session_summary summary;  // id and peer filled in by the listener
    std::shared_ptr<const session_config> config;
    bool over_capacity = false;  // answer the first request with 503, then close
    std::uint64_t requests = 0;  // plain HTTP requests answered
    std::shared_ptr<session_control> control;  // the server's shutdown requests; run_session makes one if null
    detail::liveness liveness;                 // what the keep-alive watches

    bool going_away() const { return control && control->going_away(); }
};

// The highest close code RFC 6455 lets a peer send (4000-4999 are for applications).
inline constexpr std::uint16_t max_valid_close_code = 4999;

// We serve GET only; a body is read (and dropped) only so the next request on the connection parses.
inline constexpr std::uint64_t max_request_body_bytes = 64 * 1024;

// Non-template pieces, in session_log.cpp.
void log_http_exchange(const session_context& ctx, const http_request& req, const http_response& res);
void log_message(const session_context& ctx, net::const_buffer payload, bool text);
// Classifies how the session ended (rejections), logs it, counts it, and calls on_end.
void finish_session(session_context& ctx);
// An error response for a request that failed to parse, or nothing (timeouts, resets, eof).
std::optional<http_response> response_for_read_error(const session_context& ctx, const error_code& ec);
// 503 for a connection over max_connections.
http_response over_capacity_response(const session_context& ctx, const http_request& req);
// 503 for an upgrade that arrives while the server shuts down.
http_response shutting_down_response(const session_context& ctx, const http_request& req);

// tcp_stream (also under TLS) has its own deadline for the HTTP phase; test::stream has none.
template <class Stream>
void arm_deadline(Stream& stream, std::chrono::milliseconds timeout)
{
    auto& lowest = beast::get_lowest_layer(stream);
    if constexpr (requires { lowest.expires_after(timeout); })
        lowest.expires_after(timeout);
}

template <class Stream>
void disarm_deadline(Stream& stream)
{
    // The WebSocket stream keeps its own timers from here on; both at once would fight (Beast docs).
    auto& lowest = beast::get_lowest_layer(stream);
    if constexpr (requires { lowest.expires_never(); })
        lowest.expires_never();
}

// What the WebSocket runs on once the HTTP phase is over. Plain TCP hands Beast the bare socket (a
// tcp_stream's deadline would never be armed again, as Beast's own timers take over, yet its bookkeeping
// ran on every read and write), under a coalescing_stream that gathers the echoes of pipelined messages
// into one write. TLS keeps its stream (the TLS state lives in it).
template <class Stream>
auto websocket_transport(Stream stream)
{
    disarm_deadline(stream);
    if constexpr (std::is_same_v<Stream, tcp::socket>)
        return coalescing_stream<tcp::socket>(std::move(stream));
    else
        return stream;
}

// The WebSocket a session over `Stream` upgrades to.
template <class Stream>
using websocket_over = websocket::stream<decltype(websocket_transport(std::declval<Stream>()))>;

// Over a coalescing_stream, a small echo is framed here and queued, to go out with the echoes of the other
// messages Beast already holds when it next reads from the peer. Not with permessage-deflate (the frame would
// need compressing) nor for large echoes (Beast writes them without a copy). False: write it with Beast.
// Nor when the queue is backed up or failed: Beast's write then waits for the queue (or reports its error).
template <class WebSocket>
bool queue_echo(WebSocket& ws, const beast::flat_buffer& message, bool text, const session_config& cfg)
{
    if constexpr (requires { ws.next_layer().append_echo(text, message.cdata()); })
    {
        auto& layer = ws.next_layer();
        if (cfg.deflate.enabled || message.size() > layer.max_framed_bytes)
            return false;
        return layer.append_echo(text, message.cdata());
    }
    else
        return false;
}

// The TLS handshake, for TLS streams, within the handshake timeout. False when it failed (recorded).
template <class Stream>
net::awaitable<bool> secure_transport(Stream& stream, session_context& ctx)
{
    if constexpr (std::is_same_v<Stream, tls_stream>)
    {
        arm_deadline(stream, ctx.config->handshake_timeout);
        if (auto [ec] = co_await stream.async_handshake(net::ssl::stream_base::server, use_nothrow_awaitable); ec)
        {
            ctx.summary.error = ec;
            // A TCP probe that connects and leaves is not an attack; anything else that is not TLS is refused.
            if (ec != net::error::eof && ec != net::error::connection_reset)
                ctx.summary.rejected = ec == beast::error::timeout ? rejection::request_timeout
                                                                    : rejection::tls_handshake_failed;
            co_return false;
        }
    }
    co_return true;
}

// noexcept on purpose: an exception out of a session's coroutines would skip its bookkeeping (registry,
// counters), so a throwing handler is a broken invariant (see message_handler).
inline void apply_message_handler(const message_handler& handler, beast::flat_buffer& payload, bool& text) noexcept
{
    handler(payload, text);
}

// The close frame the peer sent (or answered ours with), for the session's log line and counters.
template <class WebSocket>
void record_peer_close(const WebSocket& ws, session_context& ctx)
{
    ctx.summary.close_code = received_close_code(ws.reason());
    ctx.summary.close_reason = std::string(ws.reason().reason.c_str());
}

// Shutdown's close: 1001 "going away", then Beast waits (within the handshake timeout) for the peer's
// reply. A read still pending in the echo loop ends with operation_aborted.
template <class WebSocket>
net::awaitable<void> close_going_away(WebSocket& ws, session_context& ctx)
{
    ctx.summary.close_sent = static_cast<std::uint16_t>(websocket::close_code::going_away);
    websocket::close_reason reason(websocket::close_code::going_away, "server shutting down");
    if (auto [ec] = co_await ws.async_close(reason, use_nothrow_awaitable); ec)
    {
        if (!ctx.summary.error)
            ctx.summary.error = ec;
        co_return;
    }
    record_peer_close(ws, ctx);
}

// Room a connection keeps between messages. Larger messages get a buffer of their own size, given back once
// echoed: a connection that once echoed 1 MiB must not hold 1 MiB while it waits. Echoes up to this size
// reuse their buffer, and allocate nothing.
inline constexpr std::size_t retained_message_bytes = 64 * 1024;

// One echo's bookkeeping once its write completed. On failure the socket is closed, so a ping the
// keep-alive queued behind the write cannot wait on a dead peer.
template <class WebSocket>
bool echo_written(WebSocket& ws, beast::flat_buffer& message, bool text, error_code ec, std::size_t written,
                  session_context& ctx)
{
    if (ec)
    {
        if (!ctx.summary.error)
            ctx.summary.error = ec;
        beast::close_socket(beast::get_lowest_layer(ws));
        return false;
    }
    if (ctx.config->stats)
        ctx.config->stats->traffic.sent(text, written);
    ++ctx.summary.messages;
    ctx.summary.bytes += written;
    message.clear();
    if (message.capacity() > retained_message_bytes)
        message.shrink_to_fit();
    return true;
}

// The first part of each message is read into at most this much room, and a connection waiting for its
// next message holds that room all along. Left to choose, Beast makes room for 1536 bytes (its TCP frame
// size). Small echoes (the common case) fit in one read; a larger message takes one more read, from
// what Beast already holds, not one more system call.
inline constexpr std::size_t first_part_bytes = 128;

// Reads each message and echoes it with its own type (text stays text), then reads the next. One buffer,
// reused: steady state allocates nothing. A peer that stops reading stalls us after one message instead of
// growing memory, and Beast's answer to a peer's close frame (sent from inside our read) can never overtake
// an echo we owe. Ends on the peer's close, any error, or shutdown (see go_away).
template <class WebSocket>
net::awaitable<void> echo_messages(WebSocket& ws, echo_state& state, session_context& ctx)
{
    beast::flat_buffer message;
    // The write's socket operation is too big for Asio's own recycling (see op_block_cache).
    auto write_token = net::bind_allocator(op_block_allocator<std::byte>(), use_nothrow_awaitable);
    error_code ec;
    for (;;)
    {
        // async_read_some, not async_read: each part of a message that arrives is a sign of life for the
        // keep-alive, so a large message on a slow link is not mistaken for silence.
        std::size_t size = 0;
        do
        {
            std::size_t part = 0;
            const std::size_t limit = size == 0 ? first_part_bytes : 0;  // 0: as much as Beast holds
            std::tie(ec, part) = co_await ws.async_read_some(message, limit, use_nothrow_awaitable);
            size += part;
            ctx.liveness.heard_from_peer();
        } while (!ec && !ws.is_message_done());
        if (ec)
            break;
        bool text = ws.got_text();
        if (ctx.config->stats)
            ctx.config->stats->traffic.received(text, size);
        if (ctx.summary.close_sent)
        {
            // Completed after our shutdown close went out: RFC 6455 allows no data after it.
            ++ctx.summary.unechoed;
            break;
        }
        if (ctx.config->on_message)
            apply_message_handler(ctx.config->on_message, message, text);
        if (ctx.config->log->should_log(spdlog::level::debug))
            log_message(ctx, message.cdata(), text);
        state.writing = true;
        error_code write_ec;
        std::size_t written = message.size();
        if (!queue_echo(ws, message, text, *ctx.config))
        {
            ws.text(text);
            std::tie(write_ec, written) = co_await ws.async_write(message.cdata(), write_token);
        }
        state.writing = false;
        if (!echo_written(ws, message, text, write_ec, written, ctx))
            break;
        if (state.going_away)
        {
            // Shutdown came while we were writing: the supervisor left the close to us. Beast's close reads the
            // peer's reply itself.
            co_await close_going_away(ws, ctx);
            break;
        }
    }
    state.finished = true;
    ctx.control->attention().notify_all();  // wakes the supervisor, which then ends too

    if (ec == websocket::error::closed)
    {
        // Beast has already echoed the peer's close code and torn the connection down.
        record_peer_close(ws, ctx);
        co_return;
    }
    // After our own close (shutdown) the read ends with operation_aborted: that is the plan, not an error.
    if (ec && !ctx.summary.error && !ctx.summary.close_sent)
        ctx.summary.error = ec;
}

// Past the drain timeout the server aborts: closing the socket ends whatever the session still waits for
// (a write to a peer that stopped reading, a close reply that never comes). Beast's close does not end on a
// cancellation, so this closes the socket rather than cancelling anything.
template <class WebSocket>
void abort_now(WebSocket& ws, session_context& ctx)
{
    ctx.summary.error = beast::error::timeout;  // the drain timeout, as the log line will say
    beast::close_socket(beast::get_lowest_layer(ws));
}

// The right-hand side of `close || close_on_abort(...)`: returns early (doing nothing) when the `||`
// cancels it.
template <class WebSocket>
net::awaitable<void> close_on_abort(WebSocket& ws, session_context& ctx)
{
    co_await ctx.control->wait_for_abort();
    if (ctx.control->aborting())
        abort_now(ws, ctx);
}

// Shutdown, once asked: closes with 1001 at once if the loop is waiting for a message; if it is writing an
// echo, the loop closes after it.
template <class WebSocket>
net::awaitable<void> go_away(WebSocket& ws, echo_state& state, session_context& ctx)
{
    using namespace net::experimental::awaitable_operators;
    state.going_away = true;
    // A read Beast has completed may still wait in the handler queue: let it reach the loop first (handlers
    // run in order), which then writes its echo and closes after it.
    auto executor = co_await net::this_coro::executor;
    co_await net::post(executor, use_nothrow_awaitable);
    if (!state.writing && !state.finished && !ctx.summary.close_sent)
        co_await (close_going_away(ws, ctx) || close_on_abort(ws, ctx));
}

// The second coroutine of a WebSocket session, beside the echo loop: keeps the connection alive (pings a
// silent peer, drops a dead one) and turns the server's shutdown requests into actions, never cancelling
// the loop's pending read (a cancelled WebSocket read kills the stream). Ends when the loop has ended.
//
// It waits on one timer, the session's attention, with the next keep-alive tick as its deadline; shutdown
// requests and the loop's end ring it. While a connection is idle that wait is all it holds: a `||` of a
// ticker, a shutdown wait and an end-of-loop wait cost a parallel group and a spawned frame per operand,
// about 3.5 KiB per connection.
template <class WebSocket>
net::awaitable<void> supervise_session(WebSocket& ws, echo_state& state, session_context& ctx)
{
    session_control& control = *ctx.control;
    keep_alive keeper(ctx.config->idle_timeout, ctx.liveness);
    bool aborted = false;
    while (!state.finished)
    {
        if (control.aborting() && !aborted)
        {
            aborted = true;
            abort_now(ws, ctx);
        }
        else if (control.going_away() && !state.going_away)
        {
            co_await go_away(ws, state, ctx);
            continue;
        }
        co_await control.attention().wait_until(keeper.next_tick());
        // Only a failure of the echo loop (an exception) makes the `&&` cancel us; never wait on after it.
        auto cancellation = co_await net::this_coro::cancellation_state;
        if (cancellation.cancelled() != net::cancellation_type::none)
            co_return;
        if (!state.finished && keeper.due())
            keeper.tick(ws, ctx.summary.error);
    }
}

// Beast's settings for the echo, then the upgrade (101). False when it failed: Beast has answered 400 (or
// 426 for a wrong version) already.
template <class WebSocket>
net::awaitable<bool> accept_websocket(WebSocket& ws, http_request req, session_context& ctx)
{
    const session_config& cfg = *ctx.config;
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = cfg.handshake_timeout;  // also bounds the closing handshake
    timeouts.idle_timeout = websocket::stream_base::none();  // keep_alive does it, without a cost per message
    timeouts.keep_alive_pings = false;
    ws.set_option(timeouts);
    ws.read_message_max(cfg.max_message_bytes);  // Beast applies it to the inflated size
    if (cfg.deflate.enabled)
        ws.set_option(to_beast_option(cfg.deflate, true));
    // Echo each message as one frame; the default splits writes into 4 KiB frames (and syscalls).
    ws.auto_fragment(false);
    ws.set_option(websocket::stream_base::decorator(
        [config = ctx.config](websocket::response_type& res) { res.set(http::field::server, config->server_name); }));
    // Beast 1.81 accepts every close code from 3000 up, and would echo e.g. 5000 (RFC 6455 §7.4.2 ends at
    // 4999). Starting our own close 1002 here, inside Beast's read, makes Beast skip its echo: it sends
    // a close reply only if none went out yet, and it orders our close ahead of its own.
    // Our close completes first, so the pending read then ends with operation_aborted, not closed: the
    // rejection is recorded here, where the code is known.
    ws.control_callback([&ws, &ctx](websocket::frame_type kind, beast::string_view) {
        ctx.liveness.heard_from_peer();  // a pong (or ping) inside a quiet spell keeps the connection
        if (kind != websocket::frame_type::close || ws.reason().code <= max_valid_close_code)
            return;
        ctx.summary.close_code = received_close_code(ws.reason());
        ctx.summary.error = websocket::error::bad_close_code;
        ctx.summary.rejected = rejection::protocol_error;
        ws.async_close(websocket::close_code::protocol_error, [](const error_code&) {});
    });

    if (auto [ec] = co_await ws.async_accept(req, use_nothrow_awaitable); ec)
    {
        ctx.summary.error = ec;
        co_return false;
    }
    ctx.summary.upgraded = true;
    if (cfg.stats)
        cfg.stats->upgraded.fetch_add(1, std::memory_order_relaxed);
    cfg.log->info("#{} {} connected", ctx.summary.id, ctx.summary.peer);
    co_return true;
}

// The next HTTP request. A keep-alive connection waiting for one ends when the server goes away
// (operation_aborted): cancelling an HTTP read loses nothing a response was owed for.
template <class Stream>
net::awaitable<error_code> read_request(Stream& stream, beast::flat_buffer& buffer,
                                        http::request_parser<http::string_body>& parser, session_context& ctx)
{
    if (ctx.going_away() && buffer.size() == 0)
        co_return net::error::operation_aborted;
    using namespace net::experimental::awaitable_operators;
    auto result = co_await (http::async_read(stream, buffer, parser, use_nothrow_awaitable) ||
                            ctx.control->wait_for_going_away());
    if (result.index() == 0)
        co_return std::get<0>(std::get<0>(result));
    co_return net::error::operation_aborted;
}

// The HTTP phase: answers requests until one upgrades (returned) or the connection ends (nothing). A coroutine
// of its own so that its parser, buffers and response are freed before the WebSocket's long life starts.
template <class Stream>
net::awaitable<std::optional<http_request>> answer_http_requests(Stream& stream, session_context& ctx)
{
    const session_config& cfg = *ctx.config;
    beast::flat_buffer buffer;
    for (;; ++ctx.requests)
    {
        http::request_parser<http::string_body> parser;
        parser.header_limit(cfg.max_header_bytes);
        parser.body_limit(max_request_body_bytes);
        arm_deadline(stream, cfg.handshake_timeout);  // a peer dribbling its request is dropped
        if (auto ec = co_await read_request(stream, buffer, parser, ctx))
        {
            if (ec != http::error::end_of_stream)
                ctx.summary.error = ec;
            if (auto res = response_for_read_error(ctx, ec))
                co_await http::async_write(stream, *res, use_nothrow_awaitable);
            co_return std::nullopt;
        }
        http_request req = parser.release();
        route_decision decision = ctx.over_capacity ? route_decision{.response = over_capacity_response(ctx, req),
                                                                     .rejected = rejection::over_capacity}
                                                    : route_request(req, cfg.routes());
        if (decision.upgrade && ctx.going_away())
            decision = {.response = shutting_down_response(ctx, req)};
        if (ctx.going_away())
            decision.response.keep_alive(false);
        if (decision.upgrade)
            co_return std::optional<http_request>(std::move(req));
        ctx.summary.rejected = decision.rejected;
        log_http_exchange(ctx, req, decision.response);
        auto [ec, size] = co_await http::async_write(stream, decision.response, use_nothrow_awaitable);
        if (ec || !decision.response.keep_alive())
            co_return std::nullopt;
    }
}

// Plain TCP answers HTTP on a tcp_stream, whose deadline drops a peer dribbling its request, and which lives
// only as long as this phase: the socket comes back out for the WebSocket. (A tcp_stream moved on would
// leave its first 0.5 KiB state allocated for the connection's whole life: Beast moves the state, not the
// pointer to it.)
template <class Stream>
net::awaitable<std::optional<http_request>> serve_http(Stream& stream, session_context& ctx)
{
    if constexpr (std::is_same_v<Stream, tcp::socket>)
    {
        beast::tcp_stream http_stream(std::move(stream));
        auto upgrade = co_await answer_http_requests(http_stream, ctx);
        stream = http_stream.release_socket();
        co_return upgrade;
    }
    else
        co_return co_await answer_http_requests(stream, ctx);
}

// The upgrade: HTTP until a request upgrades, then Beast's accept, into `ws`. False: the connection ended
// without a WebSocket. A coroutine of its own so that the HTTP phase's state, the upgrade request with it,
// is freed before the WebSocket's long life starts (a frame keeps every local until it ends).
template <class Stream, class WebSocket>
net::awaitable<bool> upgrade_to_websocket(Stream& stream, std::optional<WebSocket>& ws, session_context& ctx)
{
    auto upgrade = co_await serve_http(stream, ctx);
    if (!upgrade)
        co_return false;
    ws.emplace(websocket_transport(std::move(stream)));
    co_return co_await accept_websocket(*ws, std::move(*upgrade), ctx);
}

// One connection: HTTP request/response until a request upgrades to the echo WebSocket, then the echo loop
// and its supervisor, joined.
//
// `ws`, `state` and `ctx` live in this frame, which outlives both sides of the `&&`; every coroutine of the
// session nests here, so an idle connection is this frame, the `&&`, and the two sides waiting.
template <class Stream>
net::awaitable<void> run_session(Stream stream, session_context ctx)
{
    if (!ctx.control)  // unit tests: a handle nobody sends requests to
        ctx.control = std::make_shared<session_control>(stream.get_executor());
    std::optional<websocket_over<Stream>> ws;
    if (!co_await secure_transport(stream, ctx) || !co_await upgrade_to_websocket(stream, ws, ctx))
    {
        finish_session(ctx);
        co_return;
    }
    using namespace net::experimental::awaitable_operators;
    echo_state state;
    co_await (echo_messages(*ws, state, ctx) && supervise_session(*ws, state, ctx));
    finish_session(ctx);
}

extern template net::awaitable<void> run_session<tcp::socket>(tcp::socket, session_context);
extern template net::awaitable<void> run_session<tls_stream>(tls_stream, session_context);

}  // namespace wsecho::detail
