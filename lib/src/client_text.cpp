// File: client_text.cpp — the client's words: message patterns, one-line dial failures, and which close
// codes mean "come back later". Apart from client.cpp, whose Beast WebSocket operations are slow to compile.
#include <wsecho/client.hpp>
#include <wsecho/dial.hpp>

namespace wsecho {

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
    if (report.stopped_before_connected)
        return "stopped before the connection to " + opts.url.to_string() + " was established";
    return describe(
        dial_result{.ec = report.dial_error, .step = report.failed_step, .detail = report.dial_detail},
        dial_options{.url = opts.url, .connect_timeout = opts.connect_timeout}
    );
}

bool is_transient_close_code(std::uint16_t code)
{
    // going away, internal error, service restart, try again later, bad gateway (RFC 6455 §7.4.1, IANA).
    return code == 1001 || code == 1011 || code == 1012 || code == 1013 || code == 1014;
}

}  // namespace wsecho
