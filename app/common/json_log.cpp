// File: common/json_log.cpp — the JSON log line format and the string escaping it needs.
#include "common/json_log.hpp"

#include <spdlog/details/log_msg.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace wsecho::cli {

namespace {

// Length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF), or 0 when it is not one.
std::size_t utf8_sequence_length(std::string_view s)
{
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    auto continuation = [&](std::size_t i) { return i < s.size() && (byte(i) & 0xC0) == 0x80; };
    const unsigned char lead = byte(0);
    if (lead < 0x80)
        return 1;
    if (lead >= 0xC2 && lead <= 0xDF)
        return continuation(1) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF)
    {
        if (!continuation(1) || !continuation(2))
            return 0;
        if ((lead == 0xE0 && byte(1) < 0xA0) || (lead == 0xED && byte(1) > 0x9F))
            return 0;  // overlong, or a UTF-16 surrogate
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4)
    {
        if (!continuation(1) || !continuation(2) || !continuation(3))
            return 0;
        if ((lead == 0xF0 && byte(1) < 0x90) || (lead == 0xF4 && byte(1) > 0x8F))
            return 0;  // overlong, or above U+10FFFF
        return 4;
    }
    return 0;
}

std::string utc_timestamp(std::chrono::system_clock::time_point when)
{
    const auto since_epoch = when.time_since_epoch();
    const auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
    const auto t = static_cast<std::time_t>(seconds.count());
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char text[64];  // room for any int the format could print, which GCC checks
    std::snprintf(
        text,
        sizeof text,
        "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        static_cast<int>(millis)
    );
    return text;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text)
{
    out += '"';
    while (!text.empty())
    {
        const char c = text.front();
        std::size_t length = utf8_sequence_length(text);
        if (length == 0)
        {
            out += "\\ufffd";
            length = 1;
        }
        else if (c == '"' || c == '\\')
            (out += '\\') += c;
        else if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        {
            char escaped[8];
            std::snprintf(
                escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c))
            );
            out += escaped;
        }
        else
            out.append(text.data(), length);
        text.remove_prefix(length);
    }
    out += '"';
}

void json_formatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest)
{
    std::string line = R"({"time":")" + utc_timestamp(msg.time) + R"(","level":)";
    const auto level = spdlog::level::to_string_view(msg.level);
    append_json_string(line, std::string_view(level.data(), level.size()));
    line += ",\"logger\":";
    append_json_string(line, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
    line += ",\"message\":";
    append_json_string(line, std::string_view(msg.payload.data(), msg.payload.size()));
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
}

std::unique_ptr<spdlog::formatter> json_formatter::clone() const
{
    return std::make_unique<json_formatter>();
}

}  // namespace wsecho::cli
