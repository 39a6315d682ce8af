// File: unit/json_log_test.cpp — --log-format json: every line is one JSON object, whatever the message holds.
#include "common/json_log.hpp"

#include <spdlog/details/log_msg.h>
#include <gtest/gtest.h>

#include <regex>

namespace cli = wsecho::cli;

namespace {

std::string json_string(std::string_view text)
{
    std::string out;
    cli::append_json_string(out, text);
    return out;
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
    EXPECT_EQ(json_string("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"), "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"");
    EXPECT_EQ(json_string("cut \xe2\x82"), "\"cut \\ufffd\\ufffd\"");
    EXPECT_EQ(json_string("\xc0\xaf"), "\"\\ufffd\\ufffd\"");          // overlong '/'
    EXPECT_EQ(json_string("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\""); // a UTF-16 surrogate
    EXPECT_EQ(json_string("\xff"), "\"\\ufffd\"");
}

// A log line: time (UTC, milliseconds), level, logger and message, in that order, ending with a newline.
TEST(json_log, formats_one_object_per_line)
{
    spdlog::details::log_msg msg("wsecho", spdlog::level::warn, "peer said \"bye\"\nand left");
    spdlog::memory_buf_t buffer;
    cli::json_formatter().format(msg, buffer);
    std::string line(buffer.data(), buffer.size());
    std::regex shape(R"(\{"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","level":"warning","logger":"wsecho",)"
                     R"("message":"peer said \\"bye\\"\\nand left"\}\n)");
    EXPECT_TRUE(std::regex_match(line, shape)) << line;
}
