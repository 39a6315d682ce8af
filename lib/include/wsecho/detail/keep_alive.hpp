// File: wsecho/detail/keep_alive.hpp — the idle timeout of a WebSocket session, with keep-alive pings.
//
// Beast can do this itself (stream_base::timeout::idle_timeout), but it re-arms its timer on every read: a
// cancel, a posted handler and a new wait per message, about a tenth of an echo's instructions in callgrind.
// This one ticks every half idle timeout and compares a counter the reader bumps with what it saw at the
// last tick, which costs nothing per message. The session's supervisor calls tick() (see
// supervise_session); there is no coroutine or timer of its own, so an idle connection holds none.
#pragma once

#include <wsecho/net.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/stream_traits.hpp>

#include <chrono>
#include <cstdint>

namespace wsecho::detail {

// What the reader and the control-frame callback report, and what the ticks look at.
struct liveness
{
    std::uint64_t signs_of_life = 0;  // data read, or a control frame (pong, ping, close)

    void heard_from_peer() noexcept { ++signs_of_life; }
};

// The same rule as Beast's keep-alive: a peer silent for half the idle timeout gets a ping; one still
// silent half a timeout later is dropped (beast::error::timeout, as Beast reports it). Because it ticks,
// the ping goes out between 1/2 and 1 idle timeout after the last sign of life, and the drop comes
// between 1 and 1.5.
class keep_alive
{
public:
    using clock = net::steady_timer::clock_type;

    // A zero idle timeout turns it off: next_tick() is then never.
    keep_alive(std::chrono::milliseconds idle_timeout, const liveness& peer)
        : period_(idle_timeout / 2), peer_(peer), seen_(peer.signs_of_life),
          next_tick_(idle_timeout.count() > 0 ? clock::now() + period_ : clock::time_point::max())
    {
    }

    clock::time_point next_tick() const noexcept { return next_tick_; }
    bool due() const { return next_tick_ <= clock::now(); }

    // At next_tick(): ping a silent peer, or drop one that stayed silent (closing the socket ends the
    // session's read, and so the session).
    template <class WebSocket>
    void tick(WebSocket& ws, error_code& session_error)
    {
        next_tick_ = clock::now() + period_;
        if (peer_.signs_of_life != seen_)
        {
            seen_ = peer_.signs_of_life;
            pinged_ = false;
        }
        else if (!pinged_)
        {
            // Not awaited: behind an echo the peer does not read, the ping waits its turn, and the next tick
            // must still come. Beast queues it behind any write in progress.
            ws.async_ping({}, [](const error_code&) {});
            pinged_ = true;
        }
        else
        {
            if (!session_error)
                session_error = beast::error::timeout;
            beast::close_socket(beast::get_lowest_layer(ws));
        }
    }

private:
    clock::duration period_;
    const liveness& peer_;
    std::uint64_t seen_;
    bool pinged_ = false;
    clock::time_point next_tick_;
};

}  // namespace wsecho::detail
