// File: metrics.cpp — renders server_stats for Prometheus: one HELP and TYPE line per family, labels
// for direction, type, code and reason.
#include <wsecho/version.hpp>

#include <wsecho/detail/metrics.hpp>

#include <boost/version.hpp>

#include <fmt/format.h>

#include <cctype>
#include <iterator>

namespace wsecho::detail {

namespace {

class exposition
{
public:
    void family(std::string_view name, std::string_view type, std::string_view help)
    {
        fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    }

    template <class Value>
    void sample(std::string_view name, std::string_view labels, Value value)
    {
        if (labels.empty())
            fmt::format_to(std::back_inserter(out_), "{} {}\n", name, value);
        else
            fmt::format_to(std::back_inserter(out_), "{}{{{}}} {}\n", name, labels, value);
    }

    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

// "request header too large" → "request_header_too_large": label values stay greppable.
std::string reason_label(rejection r)
{
    std::string label(to_string(r));
    for (auto& c : label)
        c = std::isalnum(static_cast<unsigned char>(c))
                ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                : '_';
    return label;
}

constexpr std::array<std::string_view, 2> message_types{"text", "binary"};

}  // namespace

std::string render_metrics(const server_stats& stats)
{
    exposition m;
    auto relaxed = [](const auto& counter) { return counter.load(std::memory_order_relaxed); };

    m.family("wsecho_build_info", "gauge", "Version of the running server; the value is always 1.");
    m.sample("wsecho_build_info", fmt::format(R"(version="{}",boost="{}")", version, BOOST_LIB_VERSION), 1);
    m.family("wsecho_uptime_seconds", "gauge", "Seconds since the server started.");
    m.sample(
        "wsecho_uptime_seconds",
        "",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - stats.started).count()
    );
    m.family("wsecho_start_time_seconds", "gauge", "Unix time the server started at.");
    m.sample(
        "wsecho_start_time_seconds",
        "",
        std::chrono::duration_cast<std::chrono::seconds>(stats.started_wall.time_since_epoch()).count()
    );
    m.family("wsecho_draining", "gauge", "1 while a graceful shutdown is in progress (/readyz answers 503).");
    m.sample("wsecho_draining", "", relaxed(stats.draining) ? 1 : 0);

    m.family("wsecho_connections_open", "gauge", "TCP connections being served now.");
    m.sample("wsecho_connections_open", "", relaxed(stats.open));
    m.family("wsecho_connections_accepted_total", "counter", "TCP connections accepted.");
    m.sample("wsecho_connections_accepted_total", "", relaxed(stats.accepted));
    m.family("wsecho_websocket_upgrades_total", "counter", "Connections upgraded to WebSocket.");
    m.sample("wsecho_websocket_upgrades_total", "", relaxed(stats.upgraded));

    const auto traffic = stats.traffic.sum();
    m.family("wsecho_messages_received_total", "counter", "WebSocket messages received, by type.");
    for (std::size_t t = 0; t < 2; ++t)
        m.sample(
            "wsecho_messages_received_total",
            fmt::format("type=\"{}\"", message_types[t]),
            traffic.messages_received[t]
        );
    m.family("wsecho_received_bytes_total", "counter", "WebSocket payload bytes received, by message type.");
    for (std::size_t t = 0; t < 2; ++t)
        m.sample(
            "wsecho_received_bytes_total",
            fmt::format("type=\"{}\"", message_types[t]),
            traffic.bytes_received[t]
        );
    m.family("wsecho_messages_sent_total", "counter", "WebSocket messages sent (echoed), by type.");
    for (std::size_t t = 0; t < 2; ++t)
        m.sample(
            "wsecho_messages_sent_total",
            fmt::format("type=\"{}\"", message_types[t]),
            traffic.messages_sent[t]
        );
    m.family("wsecho_sent_bytes_total", "counter", "WebSocket payload bytes sent (echoed), by message type.");
    for (std::size_t t = 0; t < 2; ++t)
        m.sample(
            "wsecho_sent_bytes_total", fmt::format("type=\"{}\"", message_types[t]), traffic.bytes_sent[t]
        );

    const auto turnaround = stats.turnaround.sum();
    m.family(
        "wsecho_echo_turnaround_seconds",
        "histogram",
        "Time from the first byte of a message read to the last byte of its echo written."
    );
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < turnaround.per_bucket.size(); ++b)
    {
        cumulative += turnaround.per_bucket[b];
        const auto le = b < turnaround_histogram::upper_bounds.size()
                            ? fmt::format("le=\"{}\"", turnaround_histogram::upper_bounds[b])
                            : std::string("le=\"+Inf\"");
        m.sample("wsecho_echo_turnaround_seconds_bucket", le, cumulative);
    }
    m.sample("wsecho_echo_turnaround_seconds_sum", "", turnaround.sum_seconds);
    m.sample("wsecho_echo_turnaround_seconds_count", "", turnaround.count);

    m.family("wsecho_close_codes_received_total", "counter", "Close frames received from peers, by code.");
    for (auto [code, count] : stats.close_codes.received_by_code())
        m.sample("wsecho_close_codes_received_total", fmt::format("code=\"{}\"", code), count);
    m.family("wsecho_close_codes_sent_total", "counter", "Close frames sent to peers, by code.");
    for (auto [code, count] : stats.close_codes.sent_by_code())
        m.sample("wsecho_close_codes_sent_total", fmt::format("code=\"{}\"", code), count);

    m.family(
        "wsecho_handshake_rejections_total",
        "counter",
        "Requests refused before a WebSocket existed (400, 403, 413, 431, 503, slow requests), by reason."
    );
    for (std::size_t i = 0; i < rejection_kinds; ++i)
        if (auto r = static_cast<rejection>(i); is_handshake_rejection(r))
            m.sample(
                "wsecho_handshake_rejections_total",
                fmt::format("reason=\"{}\"", reason_label(r)),
                relaxed(stats.rejected[i])
            );
    m.family(
        "wsecho_websocket_rejections_total",
        "counter",
        "WebSocket connections ended for breaking a limit or the protocol (1009, 1002, 1007, idle), by "
        "reason."
    );
    for (std::size_t i = 0; i < rejection_kinds; ++i)
        if (auto r = static_cast<rejection>(i); !is_handshake_rejection(r))
            m.sample(
                "wsecho_websocket_rejections_total",
                fmt::format("reason=\"{}\"", reason_label(r)),
                relaxed(stats.rejected[i])
            );
    return m.take();
}

}  // namespace wsecho::detail
