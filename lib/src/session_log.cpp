// File: session_log.cpp — what a session logs, and the error answers to requests that failed to parse.
#include <wsecho/detail/session.hpp>

#include <algorithm>

namespace wsecho::detail {

namespace {

// Endings that say nothing is wrong with us or the peer's software: they are logged at info.
bool is_ordinary_ending(const error_code& ec)
{
    return ec == net::error::eof || ec == http::error::end_of_stream || ec == net::error::connection_reset ||
           ec == net::error::broken_pipe || ec == net::error::operation_aborted || ec == beast::error::timeout ||
           ec == websocket::error::closed;
}

bool is_http_parse_error(const error_code& ec)
{
    return ec.category() == make_error_code(http::error::bad_method).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message;
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
        for (unsigned char c : shown)
            out += fmt::format("{:02x}", c);
    if (shown.size() < bytes.size())
        out += "…";
    return out;
}

}  // namespace

void log_http_exchange(const session_context& ctx, const http_request& req, const http_response& res)
{
    ctx.log->debug("#{} {} {} {} -> {}", ctx.summary.id, ctx.summary.peer, std::string_view(req.method_string()),
                   std::string_view(req.target()), res.result_int());
}

void log_message(const session_context& ctx, net::const_buffer payload, bool text)
{
    ctx.log->debug("#{} {} echo {} {} bytes: {}", ctx.summary.id, ctx.summary.peer, text ? "text" : "binary",
                   payload.size(), preview(payload, text));
}

std::optional<http_response> response_for_read_error(const session_context& ctx, const error_code& ec)
{
    if (!is_http_parse_error(ec))
        return std::nullopt;
    auto status = ec == http::error::header_limit ? http::status::request_header_fields_too_large
                  : ec == http::error::body_limit ? http::status::payload_too_large
                                                  : http::status::bad_request;
    return make_error_response(status, 11, ctx.server_name, ec.message());
}

void log_session_end(const session_context& ctx)
{
    const auto& s = ctx.summary;
    if (s.close_code)
    {
        ctx.log->info("#{} {} closed by peer: code {} '{}'; echoed {} messages, {} bytes", s.id, s.peer,
                      *s.close_code, s.close_reason, s.messages, s.bytes);
        return;
    }
    if (!s.upgraded)
    {
        if (!s.error || is_ordinary_ending(s.error))
            ctx.log->debug("#{} {} http connection ended{}{}", s.id, s.peer, s.error ? ": " : "",
                           s.error ? s.error.message() : "");
        else
            ctx.log->warn("#{} {} request rejected: {}", s.id, s.peer, s.error.message());
        return;
    }
    if (is_ordinary_ending(s.error))
        ctx.log->info("#{} {} disconnected without a close handshake ({}); echoed {} messages, {} bytes", s.id,
                      s.peer, s.error.message(), s.messages, s.bytes);
    else
        ctx.log->warn("#{} {} connection failed: {}; echoed {} messages, {} bytes", s.id, s.peer, s.error.message(),
                      s.messages, s.bytes);
}

}  // namespace wsecho::detail
