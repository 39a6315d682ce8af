// File: wsecho/detail/session_context.hpp — what a session knows: the settings every session of a server
// shares, its own record (summary), and the bookkeeping functions (session_log.cpp) that log and count how
// it ended.
#pragma once

#include <wsecho/codec/connection.hpp>
#include <wsecho/deflate.hpp>
#include <wsecho/net.hpp>
#include <wsecho/server.hpp>

#include <wsecho/detail/http_routes.hpp>
#include <wsecho/detail/keep_alive.hpp>
#include <wsecho/detail/session_registry.hpp>

#include <spdlog/logger.h>

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wsecho::detail {

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
    std::shared_ptr<session_registry> registry;  // null in unit tests: nobody asks the session to shut down
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
    std::shared_ptr<session_control>
        control;                // the server's shutdown requests; run_session makes one if null
    detail::liveness liveness;  // what the keep-alive watches
    bool finished = false;      // finish_session() ran

    bool shutting_down() const { return control && control->shutting_down(); }
};

// We serve GET only; a body is read (and dropped) only so the next request on the connection parses.
inline constexpr std::uint64_t max_request_body_bytes = 64 * 1024;

void log_http_exchange(const session_context& ctx, const http_request& req, const http_response& res);
void log_message(const session_context& ctx, net::const_buffer payload, bool text);
// Classifies how the session ended (rejections), logs it, counts it, and calls on_end. Once per session.
void finish_session(session_context& ctx);
// What the WebSocket's closing handshake came to, into the summary: the close codes both ways, and the
// protocol violation (and its rejection) when we failed the connection.
void record_protocol_outcome(const codec::connection& protocol, session_summary& summary);
// An error response for a request that failed to parse, or nothing (timeouts, resets, eof).
std::optional<http_response> response_for_read_error(const session_context& ctx, const error_code& ec);
// 503 for a connection over max_connections.
http_response over_capacity_response(const session_context& ctx, const http_request& req);
// 503 for an upgrade that arrives while the server shuts down.
http_response shutting_down_response(const session_context& ctx, const http_request& req);

// noexcept on purpose: a handler that throws is a broken invariant (see message_handler), not a way to end
// one session.
inline void
apply_message_handler(const message_handler& handler, beast::flat_buffer& payload, bool& text) noexcept
{
    handler(payload, text);
}

// Calls finish_session() when a session's coroutine ends, however it ends: an exception (a bug) must not
// leave the open-connections gauge and the registry counting a session that is gone.
class session_finisher
{
public:
    explicit session_finisher(session_context& ctx) noexcept : ctx_(ctx) {}
    session_finisher(const session_finisher&) = delete;
    session_finisher& operator=(const session_finisher&) = delete;
    // NOLINTNEXTLINE(bugprone-exception-escape): finish_session throws only bad_alloc; then terminate is right.
    ~session_finisher()
    {
        if (ctx_.finished)
            return;
        if (std::uncaught_exceptions() > 0 && !ctx_.summary.error)
            ctx_.summary.error = make_error_code(boost::system::errc::state_not_recoverable);
        finish_session(ctx_);
    }

private:
    session_context& ctx_;
};

}  // namespace wsecho::detail
