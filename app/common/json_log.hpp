// File: common/json_log.hpp — `--log-format json`: one JSON object per log line, for log collectors.
#pragma once

#include <spdlog/formatter.h>

#include <memory>
#include <string>
#include <string_view>

namespace wsecho::cli {

// Appends `text` as a JSON string, quotes included: '"', '\' and control characters are escaped, and bytes
// that are not UTF-8 (a payload preview cut inside a character) become U+FFFD, so every line parses.
void append_json_string(std::string& out, std::string_view text);

// {"time":"2026-11-26T00:15:02.737Z","level":"info","logger":"wsecho","message":"..."} and a newline.
// The time is UTC with milliseconds (RFC 3339), unlike the text format's local time.
class json_formatter final : public spdlog::formatter
{
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
    std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace wsecho::cli
