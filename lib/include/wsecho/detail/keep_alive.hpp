// File: wsecho/detail/keep_alive.hpp — the idle timeout of a WebSocket session, with keep-alive pings.
//
// Beast can do this itself (stream_base::timeout::idle_timeout), but it re-arms its timer on every read: a
// cancel, a posted handler and a new wait per message, about a tenth of an echo's instructions in callgrind.
// This one ticks every half idle timeout and compares a counter the reader bumps with what it saw at the
// last tick, which costs nothing per message.
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
//
// It never ends by itself: it is the right-hand side of `session || keep_alive(...)`, which cancels it once
// the session has ended. After a timeout it closes the socket, and the session then ends on its own.
template <class WebSocket>
net::awaitable<void> keep_alive(WebSocket& ws, const liveness& peer, std::chrono::milliseconds idle_timeout,
                                error_code& session_error)
{
    net::steady_timer ticker(co_await net::this_coro::executor);
    auto seen = peer.signs_of_life;
    bool pinged = false;
    for (;;)
    {
        ticker.expires_after(idle_timeout / 2);
        if (auto [ec] = co_await ticker.async_wait(use_nothrow_awaitable); ec)
            co_return;  // cancelled: the session has ended
        if (peer.signs_of_life != seen)
        {
            seen = peer.signs_of_life;
            pinged = false;
        }
        else if (!pinged)
        {
            // Not awaited: behind an echo the peer does not read, the ping waits its turn, and the next tick
            // must still come. Beast queues it behind any write in progress.
            ws.async_ping({}, [](const error_code&) {});
            pinged = true;
        }
        else
        {
            if (!session_error)
                session_error = beast::error::timeout;
            beast::close_socket(beast::get_lowest_layer(ws));
        }
    }
}

}  // namespace wsecho::detail
