// File: wsecho/detail/keep_alive.hpp — the idle-timeout rule of a WebSocket session: when to ping a silent
// peer and when to drop it. Only the rule: the echo loop owns the timer and does the pinging.
//
// It ticks every half idle timeout and compares a counter the loop bumps (every read, every write that made
// progress) with what it saw at the last tick: nothing per message. The clock is a parameter, so the rule
// is tested without waiting (tests/unit/keep_alive_test.cpp).
#pragma once

#include <chrono>
#include <cstdint>

namespace wsecho::detail {

// What the echo loop reports and the ticks look at.
struct liveness
{
    std::uint64_t signs_of_life = 0;  // bytes read, or a write that went ahead

    void heard_from_peer() noexcept { ++signs_of_life; }
};

// Beast's rule: a peer silent for half the idle timeout gets a ping; one still silent half a timeout later is
// dropped. Because it ticks, and a tick that is due is seen when the server's keep-alive clock next rings the
// session (every 1/8 timeout), the ping goes out between 1/2 and 1 1/8 idle timeout after the last sign of
// life, and the drop comes between 1 and 1 3/4.
class keep_alive
{
public:
    using clock = std::chrono::steady_clock;
    enum class action : std::uint8_t
    {
        none,
        ping,  // the peer has been silent for a tick: ask it to answer
        drop,  // silent for another tick after the ping: it is gone
    };

    // A zero idle timeout turns it off: next_tick() is then never.
    keep_alive(
        std::chrono::milliseconds idle_timeout, const liveness& peer, clock::time_point now = clock::now()
    )
        : period_(idle_timeout / 2),
          peer_(&peer),
          seen_(peer.signs_of_life),
          next_tick_(idle_timeout.count() > 0 ? now + period_ : clock::time_point::max())
    {}

    clock::time_point next_tick() const noexcept { return next_tick_; }
    bool due(clock::time_point now = clock::now()) const noexcept { return next_tick_ <= now; }

    // At next_tick(): what to do about the peer. Schedules the next tick.
    action tick(clock::time_point now = clock::now()) noexcept
    {
        next_tick_ = now + period_;
        if (peer_->signs_of_life != seen_)
        {
            seen_ = peer_->signs_of_life;
            pinged_ = false;
            return action::none;
        }
        if (!pinged_)
        {
            pinged_ = true;
            return action::ping;
        }
        return action::drop;
    }

private:
    clock::duration period_;
    const liveness* peer_;
    std::uint64_t seen_;
    bool pinged_ = false;
    clock::time_point next_tick_;
};

}  // namespace wsecho::detail
