// File: wsecho/detail/metrics.hpp — the server's counters in the Prometheus text exposition format (version 0.0.4).
#pragma once

#include <wsecho/stats.hpp>

#include <string>
#include <string_view>

namespace wsecho::detail {

inline constexpr std::string_view metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

// Every counter in `stats` as `wsecho_*` metrics with HELP and TYPE lines. Reads atomics only (and
// takes the close-code mutex once), so scraping never stalls the echo path.
std::string render_metrics(const server_stats& stats);

}  // namespace wsecho::detail
