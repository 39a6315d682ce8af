// File: unit/keep_alive_test.cpp — the idle-timeout rule on a clock the test moves: ping a peer silent for a
// tick, drop it after another, forgive it as soon as it is heard from; and, with the server's keep-alive clock
// simulated, the bounds server_options::idle_timeout promises. No waiting.
#include <wsecho/detail/keep_alive.hpp>

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using wsecho::detail::keep_alive;
using wsecho::detail::liveness;
using action = keep_alive::action;

constexpr auto idle = 1000ms;
const auto start = keep_alive::clock::time_point{} + 1h;  // when the session began: any moment will do

// A silent peer is pinged at the first tick (half the idle timeout) and dropped at the second.
TEST(keep_alive, pings_then_drops_a_silent_peer)
{
    liveness peer;
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

// A tick that runs late (the clock rang late, or the session was busy) schedules the next one from when it
// ran, so two ticks are never closer than half the idle timeout.
TEST(keep_alive, the_next_tick_counts_from_when_the_last_one_ran)
{
    liveness peer;
    keep_alive rule(idle, peer, start);
    EXPECT_EQ(rule.tick(start + idle), action::ping);
    EXPECT_EQ(rule.next_tick(), start + idle + idle / 2);
    EXPECT_FALSE(rule.due(start + idle + idle / 2 - 1ms));
}

// A ping that was forgiven does not count towards the next drop: a peer silent again is pinged again first.
TEST(keep_alive, a_forgiven_ping_is_not_held_against_the_peer)
{
    liveness peer;
    keep_alive rule(idle, peer, start);
    EXPECT_EQ(rule.tick(start + idle / 2), action::ping);
    for (int i = 0; i < 1000; ++i)  // however much is heard between two ticks, it is one sign of life
        peer.heard_from_peer();
    EXPECT_EQ(rule.tick(start + idle), action::none);
    EXPECT_EQ(rule.tick(start + 3 * idle / 2), action::ping);
    EXPECT_EQ(rule.tick(start + 2 * idle), action::drop);
}

using time_point = keep_alive::clock::time_point;

struct verdicts
{
    time_point ping{};
    time_point drop{};
};

// The rule as the server runs it (session_registry's keep-alive clock rings every session every idle/8, and the
// echo loop ticks the rule when a tick is due), on a simulated clock: the session starts at `start`, the clock
// rings first at `first_ring` and then every idle/8 plus `late` (a timer re-armed after each ring), and the peer is
// heard from all the time until `heard`, then never again. Returns when the peer was pinged and dropped.
verdicts ring_until_dropped(time_point first_ring, keep_alive::clock::duration late, time_point heard)
{
    liveness peer;
    keep_alive rule(idle, peer, start);
    bool silent = false;
    verdicts v;
    auto ring = first_ring;
    for (int rings = 0; rings < 100; ++rings, ring += idle / 8 + late)
    {
        if (!silent)
        {
            peer.heard_from_peer();  // busy until `heard`: something came since the last ring
            silent = heard <= ring;
        }
        if (!rule.due(ring))
            continue;
        auto what = rule.tick(ring);
        if (what == action::ping)
            v.ping = ring;
        if (what == action::drop)
        {
            v.drop = ring;
            break;
        }
    }
    return v;
}

// What server_options::idle_timeout promises, whenever the session started and the peer went silent: the ping
// comes between 1/2 and 1 1/8 idle timeouts after the last sign of life, the drop between 1 and 1 3/4. Never
// earlier; a clock that rings late delays them by no more than its lateness adds up to.
TEST(keep_alive, pings_and_drops_within_the_documented_bounds)
{
    using std::chrono::milliseconds;
    for (milliseconds late : {0ms, 2ms})
        for (milliseconds ring_phase : {0ms, 1ms, 60ms, 124ms})
            for (milliseconds silent_from : {1ms, 124ms, 125ms, 200ms, 499ms, 500ms, 501ms, 777ms, 1600ms})
            {
                SCOPED_TRACE(
                    "late " + std::to_string(late.count()) + " ms, first ring " +
                    std::to_string(ring_phase.count()) + " ms, silent from " +
                    std::to_string(silent_from.count()) + " ms"
                );
                const auto heard = start + silent_from;
                const auto v = ring_until_dropped(start + ring_phase, late, heard);
                const auto slack = 16 * late;  // at most 16 rings between the last sign of life and the drop
                ASSERT_NE(v.drop, time_point{}) << "never dropped";
                EXPECT_GE(v.ping - heard, idle / 2);
                EXPECT_LE(v.ping - heard, idle * 9 / 8 + slack);
                EXPECT_GE(v.drop - heard, idle);
                EXPECT_LE(v.drop - heard, idle * 7 / 4 + slack);
                EXPECT_EQ(v.drop - v.ping, 4 * (idle / 8 + late))
                    << "the drop comes at the tick after the ping";
            }
}

}  // namespace
