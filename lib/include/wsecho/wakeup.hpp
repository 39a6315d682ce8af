// File: wsecho/wakeup.hpp — wake-ups between coroutines that share one executor (or strand).
//
// Asio 1.81 has no awaitable condition variable outside `experimental::channel`; a timer that never
// expires is the idiom (Asio's chat_server example): cancel() completes every pending wait.
//
// @par Thread Safety
// None: wait, notify and set on the executor the object was made with (the strand, when threads share it).
#pragma once

#include <wsecho/net.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <chrono>

namespace wsecho {

// A condition-variable-like wake-up. wait() may return spuriously (or when a `||` cancels it),
// so callers re-check their own state in a loop.
class wakeup
{
public:
    explicit wakeup(const net::any_io_executor& ex) : timer_(ex, net::steady_timer::time_point::max()) {}

    void notify_all() { timer_.cancel(); }

    // The timer's operation itself, not a coroutine around it: no frame to allocate per wait (the echo
    // loop waits once per idle spell). Its result (operation_aborted) carries nothing; callers drop it.
    auto wait()
    {
        if (timer_.expiry() != net::steady_timer::time_point::max())
            timer_.expires_at(net::steady_timer::time_point::max());
        return timer_.async_wait(use_nothrow_awaitable);
    }

    // The same, but also returns at `deadline` (with success rather than operation_aborted). For a single
    // waiter: a new deadline cancels the waits already pending, which then return early, as waits may.
    auto wait_until(net::steady_timer::time_point deadline)
    {
        timer_.expires_at(deadline);
        return timer_.async_wait(use_nothrow_awaitable);
    }

    // Completes once `ready()` holds, checked now and after every ring, or early when a `||` cancels it (a ring
    // and a cancellation look alike, both cancel the timer, so it asks which one it was). The condition is
    // the callers' own state, so a ring for something else just means another look.
    template <class Condition>
    net::awaitable<void> until(Condition ready)
    {
        while (!ready())
        {
            co_await wait();
            auto state = co_await net::this_coro::cancellation_state;
            if (state.cancelled() != net::cancellation_type::none)
                co_return;
        }
    }

private:
    net::steady_timer timer_;
};

// A one-shot, sticky event: set() releases every current wait() and every later one at once.
class event
{
public:
    explicit event(const net::any_io_executor& ex) : wakeup_(ex) {}

    void set()
    {
        set_ = true;
        wakeup_.notify_all();
    }

    bool is_set() const noexcept { return set_; }

    // Returns once set, or early when a `||` cancels it: callers that need to know check is_set().
    net::awaitable<void> wait()
    {
        if (!set_)
            co_await wakeup_.wait();
    }

private:
    wakeup wakeup_;
    bool set_ = false;
};

}  // namespace wsecho

namespace wsecho {

// Completes after `duration`; the right-hand side of `co_await (operation || timeout(d))`.
inline net::awaitable<void> timeout(std::chrono::steady_clock::duration duration)
{
    net::steady_timer timer(co_await net::this_coro::executor, duration);
    co_await timer.async_wait(use_nothrow_awaitable);
}

}  // namespace wsecho
