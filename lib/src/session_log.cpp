// File: session_log.cpp — how a session's end is classified, logged and counted, and the error answers to
// requests that failed to parse.
#include <wsecho/duration.hpp>

#include <wsecho/detail/session_context.hpp>

namespace wsecho::detail {

namespace {

// Endings that say nothing is wrong with us or the peer's software: they are logged at info. not_connected
// is a peer that vanished (a closed browser tab) before our teardown's shutdown().
bool is_ordinary_ending(const error_code& ec)
{
    return ec == net::error::eof || ec == http::error::end_of_stream || ec == http::error::partial_message ||
           ec == net::error::connection_reset || ec == net::error::broken_pipe ||
           ec == net::error::not_connected || ec == net::error::operation_aborted ||
           ec == beast::error::timeout || ec == websocket::error::closed;
}

bool is_http_parse_error(const error_code& ec)
{
    return ec.category() == make_error_code(http::error::bad_method).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message;
}

std::optional<rejection> classify(const session_context& ctx)
{
    const auto& s = ctx.summary;
    if (s.rejected)
        return s.rejected;  // decided by the route (403, 503)
    const auto& ec = s.error;
    if (!ec || s.close_code)
        return std::nullopt;
    if (!s.upgraded)
    {
        if (ec == http::error::header_limit)
            return rejection::header_too_large;
        if (ec == http::error::body_limit)
            return rejection::body_too_large;
        if (is_http_parse_error(ec))
            return rejection::bad_request;
        // A keep-alive connection idling after a served request is normal; no request at all is not. A request
        // cut short by the peer's FIN (partial_message) is the peer leaving, not a slow one.
        if (ec == beast::error::timeout && ctx.requests == 0)
            return rejection::request_timeout;
        if (ec.category() == make_error_code(websocket::error::no_sec_key).category())
            return rejection::handshake_failed;
        return std::nullopt;
    }
    if (ec == websocket::error::message_too_big)
        return rejection::message_too_big;
    if (ec == websocket::error::bad_frame_payload || ec == websocket::error::bad_close_payload)
        return rejection::invalid_utf8;
    if (ec == beast::error::timeout)
        return rejection::idle_timeout;
    if (ec == websocket::condition::protocol_violation)
        return rejection::protocol_error;
    return std::nullopt;
}

// The close frame Beast sent for us: its echo of the peer's close, or the code for the error it failed
// the connection with. Idle timeouts and dropped connections send none.
std::optional<std::uint16_t> close_code_sent(const session_context& ctx)
{
    const auto& s = ctx.summary;
    if (!s.upgraded)
        return std::nullopt;
    if (s.rejected)
        switch (*s.rejected)
        {
        case rejection::message_too_big: return std::uint16_t{1009};
        case rejection::invalid_utf8: return std::uint16_t{1007};
        case rejection::protocol_error: return std::uint16_t{1002};
        default: return std::nullopt;
        }
    if (s.close_code)
        return *s.close_code == 1005 ? std::uint16_t{1000}
                                     : *s.close_code;  // Beast answers an empty close with 1000
    return std::nullopt;
}

// Debug logs show at most this much of each payload.
constexpr std::size_t payload_preview_bytes = 64;

std::string preview(net::const_buffer payload, bool text)
{
    auto bytes = std::string_view(static_cast<const char*>(payload.data()), payload.size());
    auto shown = bytes.substr(0, payload_preview_bytes);
    std::string out;
    if (text)
        out.assign(shown);
    else
        for (char c : shown)
            out += fmt::format("{:02x}", static_cast<unsigned char>(c));  // the byte's value, 00-ff
    if (shown.size() < bytes.size())
        out += "…";
    return out;
}

void log_end(const session_context& ctx)
{
    const auto& s = ctx.summary;
    auto& log = *ctx.config->log;
    if (s.rejected)
    {
        auto detail = s.error ? s.error.message()
                      : *s.rejected == rejection::request_timeout
                          ? "nothing complete within " + format_duration(ctx.config->handshake_timeout)
                          : std::string();
        log.warn(
            "#{} {} rejected: {}{}{}; echoed {} messages",
            s.id,
            s.peer,
            to_string(*s.rejected),
            detail.empty() ? "" : ": ",
            detail,
            s.messages
        );
        return;
    }
    if (s.close_sent == static_cast<std::uint16_t>(websocket::close_code::going_away))
    {
        log.info(
            "#{} {} closed for shutdown (1001), peer {}; echoed {} messages, {} bytes{}",
            s.id,
            s.peer,
            s.close_code ? fmt::format("replied {}", *s.close_code)
                         : "did not reply: " + (s.error ? s.error.message() : std::string("?")),
            s.messages,
            s.bytes,
            s.unechoed
                ? fmt::format("; {} arrived after our close frame, not echoed (RFC 6455 §5.5.1)", s.unechoed)
                : std::string()
        );
        return;
    }
    if (s.close_code)
    {
        log.info(
            "#{} {} closed by peer: code {} '{}'; echoed {} messages, {} bytes",
            s.id,
            s.peer,
            *s.close_code,
            s.close_reason,
            s.messages,
            s.bytes
        );
        return;
    }
    if (!s.upgraded)
    {
        log.debug(
            "#{} {} http connection ended after {} requests{}{}",
            s.id,
            s.peer,
            ctx.requests,
            s.error ? ": " : "",
            s.error ? s.error.message() : ""
        );
        return;
    }
    if (is_ordinary_ending(s.error))
        log.info(
            "#{} {} disconnected without a close handshake ({}); echoed {} messages, {} bytes",
            s.id,
            s.peer,
            s.error.message(),
            s.messages,
            s.bytes
        );
    else
        log.warn(
            "#{} {} connection failed: {}; echoed {} messages, {} bytes",
            s.id,
            s.peer,
            s.error.message(),
            s.messages,
            s.bytes
        );
}

}  // namespace

void log_http_exchange(const session_context& ctx, const http_request& req, const http_response& res)
{
    ctx.config->log->debug(
        "#{} {} {} {} -> {}",
        ctx.summary.id,
        ctx.summary.peer,
        std::string_view(req.method_string()),
        std::string_view(req.target()),
        res.result_int()
    );
}

void log_message(const session_context& ctx, net::const_buffer payload, bool text)
{
    ctx.config->log->debug(
        "#{} {} echo {} {} bytes: {}",
        ctx.summary.id,
        ctx.summary.peer,
        text ? "text" : "binary",
        payload.size(),
        preview(payload, text)
    );
}

std::optional<http_response> response_for_read_error(const session_context& ctx, const error_code& ec)
{
    if (!is_http_parse_error(ec))
        return std::nullopt;
    auto status = ec == http::error::header_limit ? http::status::request_header_fields_too_large
                  : ec == http::error::body_limit ? http::status::payload_too_large
                                                  : http::status::bad_request;
    return make_error_response(status, 11, ctx.config->server_name, ec.message());
}

http_response shutting_down_response(const session_context& ctx, const http_request& req)
{
    auto res = make_error_response(
        http::status::service_unavailable,
        req.version(),
        ctx.config->server_name,
        "the server is shutting down"
    );
    res.set(http::field::retry_after, "1");
    return res;
}

http_response over_capacity_response(const session_context& ctx, const http_request& req)
{
    auto res = make_error_response(
        http::status::service_unavailable,
        req.version(),
        ctx.config->server_name,
        "the server is at its connection limit, try again later"
    );
    res.set(http::field::retry_after, "1");
    return res;
}

void record_protocol_outcome(const codec::connection& protocol, session_summary& s)
{
    if (protocol.close_sent())
        s.close_sent = protocol.close_code_sent();
    if (auto code = protocol.peer_close_code())
    {
        s.close_code = *code;
        s.close_reason = std::string(protocol.peer_close_reason());
    }
    if (!protocol.failed())
        return;
    s.error = make_error_code(protocol.error());
    switch (codec::close_code_for(protocol.error()))
    {
    case codec::close_codes::too_big: s.rejected = rejection::message_too_big; break;
    case codec::close_codes::invalid_payload: s.rejected = rejection::invalid_utf8; break;
    default: s.rejected = rejection::protocol_error; break;
    }
}

void finish_session(session_context& ctx)
{
    ctx.finished = true;
    auto& s = ctx.summary;
    s.rejected = classify(ctx);
    if (!s.close_sent)
        s.close_sent = close_code_sent(ctx);
    if (auto& stats = ctx.config->stats)
    {
        if (s.rejected)
            stats->count(*s.rejected);
        if (s.close_code)
            stats->close_codes.received(*s.close_code);
        if (s.close_sent)
            stats->close_codes.sent(*s.close_sent);
        stats->open.fetch_sub(1, std::memory_order_relaxed);
    }
    log_end(ctx);
    if (ctx.config->on_end)
        ctx.config->on_end(s);
    if (ctx.config->registry && ctx.control)
        ctx.config->registry->remove(ctx.control);
}

}  // namespace wsecho::detail
