// File: unit/backoff_test.cpp — reconnection delays: doubling, capped, jittered between half and all.
#include <wsecho/client.hpp>

#include <wsecho/detail/backoff.hpp>

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using wsecho::detail::reconnect_delay;

// With the jitter at its ends, attempt n waits half or all of base * 2^(n-1).
TEST(backoff, doubles_between_half_and_all)
{
    EXPECT_EQ(reconnect_delay(1, 500ms, 30s, 0.0), 250ms);
    EXPECT_EQ(reconnect_delay(1, 500ms, 30s, 1.0), 500ms);
    EXPECT_EQ(reconnect_delay(2, 500ms, 30s, 1.0), 1000ms);
    EXPECT_EQ(reconnect_delay(4, 500ms, 30s, 0.0), 2000ms);
    EXPECT_EQ(reconnect_delay(4, 500ms, 30s, 0.5), 3000ms);
}

// The ceiling stops the doubling (also for attempts far beyond where 2^n overflows an integer).
TEST(backoff, is_capped)
{
    EXPECT_EQ(reconnect_delay(7, 500ms, 30s, 1.0), 30s);
    EXPECT_EQ(reconnect_delay(1000, 500ms, 30s, 1.0), 30s);
    EXPECT_EQ(reconnect_delay(1000, 500ms, 30s, 0.0), 15s);
}

// Every random value gives a delay within [half, all] of the ceiling, and never zero.
TEST(backoff, stays_within_bounds)
{
    for (double r : {0.0, 0.1, 0.37, 0.5, 0.99, 1.0, -1.0, 2.0})
    {
        auto d = reconnect_delay(3, 100ms, 30s, r);
        EXPECT_GE(d, 200ms) << r;
        EXPECT_LE(d, 400ms) << r;
    }
    EXPECT_EQ(reconnect_delay(1, 1ms, 30s, 0.0), 1ms);
}

// The close codes that mean "come back later" are the ones the client reconnects after.
TEST(backoff, transient_close_codes)
{
    for (std::uint16_t code : std::initializer_list<std::uint16_t>{1001, 1011, 1012, 1013, 1014})
        EXPECT_TRUE(wsecho::is_transient_close_code(code)) << code;
    for (std::uint16_t code : std::initializer_list<std::uint16_t>{1000, 1002, 1003, 1007, 1008, 1009, 4000})
        EXPECT_FALSE(wsecho::is_transient_close_code(code)) << code;
}
