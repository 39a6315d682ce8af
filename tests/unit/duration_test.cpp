// File: unit/duration_test.cpp — durations with units, as the flags take them (app/common) and the library
// prints them.
#include <wsecho/duration.hpp>

#include <gtest/gtest.h>

#include "common/duration.hpp"

using namespace std::chrono_literals;
using wsecho::format_duration;
using wsecho::cli::parse_duration;

// Every unit and the Go-style combinations parse to the exact value.
TEST(duration, parses_units_and_combinations)
{
    struct
    {
        const char* text;
        std::chrono::nanoseconds expected;
    } cases[] = {
        {"250ms", 250ms},
        {"1s", 1s},
        {"2m", 2min},
        {"1h", 1h},
        {"1m30s", 90s},
        {"1.5s", 1500ms},
        {"10us", 10us},
        {"7ns", 7ns},
        {"0", 0ns},
        {"0.25ms", 250us},
    };
    for (const auto& c : cases)
    {
        auto parsed = parse_duration(c.text);
        ASSERT_TRUE(parsed) << c.text << ": " << parsed.error;
        EXPECT_EQ(parsed.value, c.expected) << c.text;
    }
}

// Malformed values are refused with a reason that quotes the input.
TEST(duration, rejects_malformed_values)
{
    for (const char* text : {"", "5", "-1s", "1x", "s", "1..2s", "ms5", "1s2", "1e3s", " 1s", "99999999999h"})
    {
        auto parsed = parse_duration(text);
        EXPECT_FALSE(parsed) << "'" << text << "' was accepted";
        EXPECT_NE(parsed.error.find(std::string("'") + text + "'"), std::string::npos) << parsed.error;
    }
}

// The missing-unit mistake gets its own explanation.
TEST(duration, explains_missing_unit)
{
    EXPECT_NE(parse_duration("5").error.find("missing unit"), std::string::npos);
}

// Formatting picks the shortest exact spelling, so messages read like the flags.
TEST(duration, formats_shortest_exact)
{
    EXPECT_EQ(format_duration(1s), "1s");
    EXPECT_EQ(format_duration(250ms), "250ms");
    EXPECT_EQ(format_duration(90s), "1m30s");
    EXPECT_EQ(format_duration(1h + 1s), "1h1s");
    EXPECT_EQ(format_duration(1500ms), "1500ms");
    EXPECT_EQ(format_duration(0s), "0s");
}
