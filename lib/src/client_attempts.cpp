// File: client_attempts.cpp — see client_attempts.hpp.
#include "client_attempts.hpp"

namespace wsecho::detail {

void begin_attempt(client_report& report)
{
    report.dial_error = {};
    report.failed_step.clear();
    report.dial_detail.clear();
    report.server_close_code.reset();
    report.server_close_reason.clear();
    report.server_close_refused = false;
    report.connection_error = {};
    report.close = close_outcome::not_needed;
    report.subprotocol.clear();
    report.extensions.clear();
}

std::string
describe_connection(const std::string& peer, const dial_result& dialed, const client_options& opts)
{
    std::string text = "(" + peer + ")";
    if (!dialed.subprotocol.empty())
        text += ", subprotocol " + dialed.subprotocol;
    else if (!opts.subprotocols.empty())
        text += "; the server chose none of the offered subprotocols";
    if (!dialed.extensions.empty())
        text += ", " + dialed.extensions;
    else if (opts.deflate.enabled)
        text += "; the server declined permessage-deflate";
    return text;
}

bool should_reconnect(const client_options& opts, bool stop_requested, const client_report& report)
{
    if (!opts.reconnect.enabled || stop_requested || report.messages_finished)
        return false;
    if (!report.connected() || report.connection_error)
        return true;
    return report.server_close_code && is_transient_close_code(*report.server_close_code);
}

std::string describe_ending(const client_report& report, const client_options& opts)
{
    if (!report.connected())
        return describe_dial_failure(report, opts);
    if (report.connection_error)
        return "connection lost: " + report.connection_error.message();
    return "server closed the connection with " + std::to_string(report.server_close_code.value_or(1005));
}

}  // namespace wsecho::detail
