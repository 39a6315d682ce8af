// File: wsecho/detail/session_registry.hpp — the server's list of running sessions, so a graceful shutdown
// can ask each of them to shut down (close 1001 after the echo in progress) and, past the drain timeout,
// to stop at once.
#pragma once

#include <wsecho/net.hpp>
#include <wsecho/wakeup.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_set>

namespace wsecho::detail {

// The server's handle on one session. Requests may come from any thread; they are posted to the
// session's executor (its strand), where they set a flag and ring `attention`.
//
// One timer per session, not one per request: the echo loop races its read with `attention`, which shutdown
// requests and the server's keep-alive clock ring (see echo_loop::run).
class session_control : public std::enable_shared_from_this<session_control>
{
public:
    explicit session_control(const net::any_io_executor& ex) : executor_(ex), attention_(ex) {}

    void request_shutdown() { post_request(&session_control::shutting_down_); }
    // Wakes the session to look at its clocks (the keep-alive clock's tick).
    void ring()
    {
        net::post(executor_, [self = shared_from_this()] { self->attention_.notify_all(); });
    }
    void request_abort() { post_request(&session_control::abort_); }

    // Only on the session's executor.
    bool shutting_down() const noexcept { return shutting_down_; }
    bool aborting() const noexcept { return abort_; }
    wakeup& attention() noexcept { return attention_; }

    // Complete once the request has come, or early when a `||` cancels them.
    net::awaitable<void> wait_for_shutdown()
    {
        return attention_.until([this] { return shutting_down_; });
    }
    net::awaitable<void> wait_for_abort()
    {
        return attention_.until([this] { return abort_; });
    }

private:
    void post_request(bool session_control::*flag)
    {
        net::post(executor_, [self = shared_from_this(), flag] {
            (*self).*flag = true;
            self->attention_.notify_all();
        });
    }

    net::any_io_executor executor_;
    wakeup attention_;
    bool shutting_down_ = false;
    bool abort_ = false;
};

// Thread-safe: sessions register from the listener's strand and leave from their own.
class session_registry : public std::enable_shared_from_this<session_registry>
{
public:
    // `home` is where wait_until_empty() is awaited (the listener's strand).
    explicit session_registry(const net::any_io_executor& home) : home_(home), emptied_(home) {}

    // A session that starts while draining is asked to shut down at once.
    std::shared_ptr<session_control> add(const net::any_io_executor& session_executor)
    {
        auto control = std::make_shared<session_control>(session_executor);
        std::lock_guard lock(mutex_);
        sessions_.insert(control);
        if (draining_)
            control->request_shutdown();
        return control;
    }

    void remove(const std::shared_ptr<session_control>& control)
    {
        std::lock_guard lock(mutex_);
        if (sessions_.erase(control) && sessions_.empty())
            net::post(home_, [self = shared_from_this()] { self->emptied_.notify_all(); });
    }

    void drain()
    {
        std::lock_guard lock(mutex_);
        draining_ = true;
        for (const auto& control : sessions_)
            control->request_shutdown();
    }

    void abort_all()
    {
        std::lock_guard lock(mutex_);
        for (const auto& control : sessions_)
            control->request_abort();
    }

    std::size_t size() const
    {
        std::lock_guard lock(mutex_);
        return sessions_.size();
    }

    // On `home` only. Completes once no session is left (or when a `||` cancels it).
    net::awaitable<void> wait_until_empty()
    {
        return emptied_.until([this] { return size() == 0; });
    }

    // The keep-alive clock: rings every session's attention every `period`, so each checks its idle rule
    // (keep_alive). One timer for the whole server instead of one armed per session per wait: an idle wait
    // then waits on a timer that is never the earliest, and costs no timerfd update. On `home`; ends once
    // stop_clock() was called and no session is left.
    net::awaitable<void> run_keep_alive_clock(std::chrono::milliseconds period)
    {
        using namespace net::experimental::awaitable_operators;
        net::steady_timer tick(home_);
        auto finished = [this] { return clock_stopped_ && size() == 0; };
        while (!finished())
        {
            tick.expires_after(period);
            co_await (tick.async_wait(use_nothrow_awaitable) || emptied_.until(finished));
            std::lock_guard lock(mutex_);
            for (const auto& control : sessions_)
                control->ring();
        }
    }

    // On `home`: the server stopped accepting; the clock ends with the last session.
    void stop_clock()
    {
        clock_stopped_ = true;
        emptied_.notify_all();
    }

private:
    net::any_io_executor home_;
    wakeup emptied_;
    mutable std::mutex mutex_;
    std::unordered_set<std::shared_ptr<session_control>> sessions_;
    bool draining_ = false;
    bool clock_stopped_ = false;  // on `home` only
};

}  // namespace wsecho::detail
