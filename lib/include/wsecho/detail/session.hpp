// File: wsecho/detail/session.hpp — the session coroutine: the TLS handshake if any, plain HTTP requests until
// one upgrades, then the echo loop (echo_loop.hpp) on the codec's state machine.
//
// Templated on the transport; the plain TCP (tcp::socket) instantiation is compiled once, in session.cpp, and
// the TLS one in session_tls.cpp. The echo loop is only declared here: it is compiled in echo_loop_tcp.cpp and
// echo_loop_tls.cpp, so editing it does not recompile Beast's HTTP code.
#pragma once

#include <wsecho/codec/connection.hpp>
#include <wsecho/wakeup.hpp>

#include <wsecho/detail/session_context.hpp>
#include <wsecho/detail/transport.hpp>
#include <wsecho/detail/upgrade.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <optional>

namespace wsecho::detail {

// The WebSocket half, until the connection ends (echo_loop.hpp). `early`: bytes that came behind the upgrade.
template <class Stream>
net::awaitable<void>
run_echo_loop(Stream& stream, codec::connection& protocol, session_context& ctx, codec::byte_buffer early);
extern template net::awaitable<void>
run_echo_loop<tcp::socket>(tcp::socket&, codec::connection&, session_context&, codec::byte_buffer);
extern template net::awaitable<void>
run_echo_loop<tls_stream>(tls_stream&, codec::connection&, session_context&, codec::byte_buffer);

// tcp_stream (also under TLS) has its own deadline for the HTTP phase.
template <class Stream>
void arm_deadline(Stream& stream, std::chrono::milliseconds timeout)
{
    beast::get_lowest_layer(stream).expires_after(timeout);
}

// The TLS handshake, for TLS streams, within the handshake timeout. False when it failed (recorded).
template <class Stream>
net::awaitable<bool> secure_transport(Stream& stream, session_context& ctx)
{
    if constexpr (std::is_same_v<Stream, tls_stream>)
    {
        arm_deadline(stream, ctx.config->handshake_timeout);
        if (auto [ec] = co_await stream.async_handshake(net::ssl::stream_base::server, use_nothrow_awaitable);
            ec)
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

// The next HTTP request. A keep-alive connection waiting for one ends when the server shuts down
// (operation_aborted): cancelling an HTTP read loses nothing a response was owed for.
template <class Stream>
net::awaitable<error_code> read_request(
    Stream& stream,
    beast::flat_buffer& buffer,
    http::request_parser<http::string_body>& parser,
    session_context& ctx
)
{
    if (ctx.shutting_down() && buffer.size() == 0)
        co_return net::error::operation_aborted;
    using namespace net::experimental::awaitable_operators;
    auto result = co_await (
        http::async_read(stream, buffer, parser, use_nothrow_awaitable) || ctx.control->wait_for_shutdown()
    );
    if (result.index() == 0)
        co_return std::get<0>(std::get<0>(result));
    co_return net::error::operation_aborted;
}

// What an upgrade leaves for the WebSocket: the codec's settings, and the bytes the client sent right behind
// the upgrade request (they arrived in the same read and are its first frames).
struct upgraded
{
    codec::connection_options options;
    codec::byte_buffer early_bytes;
};

// The HTTP phase: answers requests until one upgrades (returned, after the 101) or the connection ends
// (nothing). A coroutine of its own so that its parser, buffers and responses are freed before the
// WebSocket's long life starts.
template <class Stream>
net::awaitable<std::optional<upgraded>> answer_http_requests(Stream& stream, session_context& ctx)
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
        route_decision decision =
            ctx.over_capacity
                ? route_decision{.response = over_capacity_response(ctx, req), .rejected = rejection::over_capacity}
                : route_request(req, cfg.routes());
        if (decision.upgrade && ctx.shutting_down())
            decision = {.response = shutting_down_response(ctx, req)};
        if (ctx.shutting_down())
            decision.response.keep_alive(false);
        if (decision.upgrade)
        {
            auto answer = decide_upgrade(req, cfg);
            if (!co_await answer_upgrade(stream, answer, ctx))
                co_return std::nullopt;
            upgraded result{.options = answer.options};
            const net::const_buffer early = buffer.cdata();  // a flat_buffer's bytes are one run
            result.early_bytes.append(early.data(), early.size());
            co_return result;
        }
        ctx.summary.rejected = decision.rejected;
        log_http_exchange(ctx, req, decision.response);
        auto [ec, size] = co_await http::async_write(stream, decision.response, use_nothrow_awaitable);
        if (ec || !decision.response.keep_alive())
            co_return std::nullopt;
    }
}

// Plain TCP answers HTTP on a tcp_stream, whose deadline drops a peer dribbling its request, and which lives
// only as long as this phase: the socket comes back out for the WebSocket. TLS keeps its stream (the TLS
// state lives in it); its deadline is switched off, as the echo loop keeps its own clocks.
template <class Stream>
net::awaitable<std::optional<upgraded>> serve_http(Stream& stream, session_context& ctx)
{
    if constexpr (is_plain_tcp<Stream>)
    {
        beast::tcp_stream http_stream(std::move(stream));
        auto upgrade = co_await answer_http_requests(http_stream, ctx);
        stream = http_stream.release_socket();
        co_return upgrade;
    }
    else
    {
        auto upgrade = co_await answer_http_requests(stream, ctx);
        beast::get_lowest_layer(stream).expires_never();
        co_return upgrade;
    }
}

// One connection: HTTP request/response until a request upgrades, then the echo loop until the WebSocket
// ends. Everything the session owns lives in this frame; finish_session() runs however it ends.
template <class Stream>
net::awaitable<void> run_session(Stream stream, session_context ctx)
{
    session_finisher finisher(ctx);
    if (!ctx.control)  // tests: a handle nobody sends requests to
        ctx.control = std::make_shared<session_control>(stream.get_executor());
    if (!co_await secure_transport(stream, ctx))
        co_return;
    auto upgrade = co_await serve_http(stream, ctx);
    if (!upgrade)
        co_return;
    codec::connection protocol(upgrade->options);
    co_await run_echo_loop(stream, protocol, ctx, std::move(upgrade->early_bytes));
}

extern template net::awaitable<void> run_session<tcp::socket>(tcp::socket, session_context);
extern template net::awaitable<void> run_session<tls_stream>(tls_stream, session_context);

}  // namespace wsecho::detail
