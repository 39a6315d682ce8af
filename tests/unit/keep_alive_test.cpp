// File: unit/keep_alive_test.cpp — the idle-timeout rule on a clock the test moves: ping a peer silent for a
// tick, drop it after another, forgive it as soon as it is heard from. No waiting.
#include <wsecho/detail/keep_alive.hpp>

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using wsecho::detail::keep_alive;
using wsecho::detail::liveness;
using action = keep_alive::action;

constexpr auto idle = 1000ms;

// A silent peer is pinged at the first tick (half the idle timeout) and dropped at the second.
TEST(keep_alive, pings_then_drops_a_silent_peer)
{
    liveness peer;
    const auto start = keep_alive::clock::time_point{} + 1h;
    keep_alive rule(idle, peer, start);
    EXPECT_EQ(rule.next_tick(), start + idle / 2);
    EXPECT_FALSE(rule.due(start + idle / 2 - 1ms));
    EXPECT_TRUE(rule.due(start + idle / 2));
    EXPECT_EQ(rule.tick(start + idle / 2), action::ping);
    EXPECT_EQ(rule.next_tick(), start + idle);
    EXPECT_EQ(rule.tick(start + idle), action::drop);
}

// Any sign of life between ticks resets the rule: no ping, and a ping already sent is forgiven.
TEST(keep_alive, a_peer_heard_from_is_neither_pinged_nor_dropped)
{
    liveness peer;
    const auto start = keep_alive::clock::time_point{} + 1h;
    keep_alive rule(idle, peer, start);
    peer.heard_from_peer();
    EXPECT_EQ(rule.tick(start + idle / 2), action::none);
    EXPECT_EQ(rule.tick(start + idle), action::ping);
    peer.heard_from_peer();  // the pong
    EXPECT_EQ(rule.tick(start + 3 * idle / 2), action::none);
    EXPECT_EQ(rule.tick(start + 2 * idle), action::ping);
}

// A zero idle timeout turns it off: the next tick is never.
TEST(keep_alive, zero_idle_timeout_never_ticks)
{
    liveness peer;
    keep_alive rule(0ms, peer);
    EXPECT_EQ(rule.next_tick(), keep_alive::clock::time_point::max());
    EXPECT_FALSE(rule.due());
}

}  // namespace
