// File: unit/json_log_test.cpp — --log-format json: every line is one JSON object, whatever the message holds.
#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>

#include <cctype>

#include "common/json_log.hpp"

namespace cli = wsecho::cli;

namespace {

std::string json_string(std::string_view text)
{
    std::string out;
    cli::append_json_string(out, text);
    return out;
}

// "2026-11-26T03:41:54.383Z": digits where the pattern has 'd'. (No std::regex: GCC 12 at -O1 warns
// inside it, which -Werror in the sanitizer build turns into an error.)
bool is_utc_millis_time(std::string_view text)
{
    constexpr std::string_view pattern = "dddd-dd-ddTdd:dd:dd.dddZ";
    if (text.size() != pattern.size())
        return false;
    for (std::size_t i = 0; i < text.size(); ++i)
        if (pattern[i] == 'd' ? std::isdigit(static_cast<unsigned char>(text[i])) == 0
                              : text[i] != pattern[i])
            return false;
    return true;
}

}  // namespace

// Quotes, backslashes and control characters are escaped; the rest of ASCII passes as is.
TEST(json_log, escapes_quotes_backslashes_and_controls)
{
    EXPECT_EQ(json_string("plain text"), "\"plain text\"");
    EXPECT_EQ(json_string("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
    EXPECT_EQ(json_string("one\ntwo\r\tthree"), "\"one\\ntwo\\r\\tthree\"");
    EXPECT_EQ(json_string(std::string_view("\x00\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\\u007f\"");
}

// Valid UTF-8 is kept; bytes that are not (a preview cut inside a character, overlongs, surrogates)
// become U+FFFD, so the line stays valid JSON.
TEST(json_log, keeps_utf8_and_replaces_invalid_bytes)
{
    EXPECT_EQ(
        json_string("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"),
        "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\""
    );
    EXPECT_EQ(json_string("cut \xe2\x82"), "\"cut \\ufffd\\ufffd\"");
    EXPECT_EQ(json_string("\xc0\xaf"), "\"\\ufffd\\ufffd\"");             // overlong '/'
    EXPECT_EQ(json_string("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // a UTF-16 surrogate
    EXPECT_EQ(json_string("\xff"), "\"\\ufffd\"");
}

// A log line: time (UTC, milliseconds), level, logger and message, in that order, ending with a newline.
TEST(json_log, formats_one_object_per_line)
{
    spdlog::details::log_msg msg("wsecho", spdlog::level::warn, "peer said \"bye\"\nand left");
    spdlog::memory_buf_t buffer;
    cli::json_formatter().format(msg, buffer);
    std::string line(buffer.data(), buffer.size());
    const std::string_view start = "{\"time\":\"";
    const std::string_view rest = "\",\"level\":\"warning\",\"logger\":\"wsecho\","
                                  "\"message\":\"peer said \\\"bye\\\"\\nand left\"}\n";
    ASSERT_EQ(line.size(), start.size() + 24 + rest.size()) << line;
    EXPECT_EQ(line.substr(0, start.size()), start) << line;
    EXPECT_TRUE(is_utc_millis_time(std::string_view(line).substr(start.size(), 24))) << line;
    EXPECT_EQ(line.substr(start.size() + 24), rest) << line;
}
