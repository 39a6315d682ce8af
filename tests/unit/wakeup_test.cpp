// File: unit/wakeup_test.cpp — detail/wakeup.hpp: the condition-variable-like wake-up, its deadline form, until()
// and the sticky event, driven on an io_context with poll() (what is ready runs, nothing waits).
#include <wsecho/wakeup.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <tuple>

#include "support/run_coro.hpp"

using namespace std::chrono_literals;
using namespace wsecho;
using wsecho::event;
using wsecho::wakeup;

namespace {

class wakeup_test : public ::testing::Test
{
protected:
    net::io_context ioc;
    wakeup w{ioc.get_executor()};
    int finished = 0;  // coroutines start()ed that have completed

    void start(net::awaitable<void> coro)
    {
        net::co_spawn(ioc, std::move(coro), [this](const std::exception_ptr& e) {
            if (e)
                std::rethrow_exception(e);
            ++finished;
        });
    }

    // Runs whatever is ready, and waits for nothing.
    void settle()
    {
        ioc.restart();
        ioc.poll();
    }
};

net::awaitable<void> wait_once(wakeup& w)
{
    co_await w.wait();
}

// Completes as soon as the context gets to it: the operand that wins a `||` at once.
net::awaitable<void> at_once()
{
    co_await net::post(co_await net::this_coro::executor, net::use_awaitable);
}

// wait_until()'s result, stored in `result` once it completes.
net::awaitable<void> wait_until(wakeup& w, net::steady_timer::time_point deadline, error_code& result)
{
    std::tie(result) = co_await w.wait_until(deadline);
}

// Which side of `||` won: 0 for an until() that never holds, 1 for at_once().
net::awaitable<std::size_t> never_or_at_once(wakeup& w)
{
    using namespace net::experimental::awaitable_operators;
    auto result = co_await (w.until([] { return false; }) || at_once());
    co_return result.index();
}

// Which side of `||` won: 0 for at_once(), 1 for a one-hour timeout().
net::awaitable<std::size_t> at_once_or_an_hour()
{
    using namespace net::experimental::awaitable_operators;
    auto result = co_await (at_once() || wsecho::timeout(1h));
    co_return result.index();
}

net::awaitable<void> wait_for_event(event& e)
{
    co_await e.wait();
}

}  // namespace

// notify_all() releases every wait pending at the time, and only those: a ring with nobody waiting is not
// kept for the next wait.
TEST_F(wakeup_test, notify_all_releases_the_pending_waits_and_keeps_no_ring)
{
    w.notify_all();
    start(wait_once(w));
    start(wait_once(w));
    settle();
    EXPECT_EQ(finished, 0) << "a wait returned without a ring since it began";

    w.notify_all();
    settle();
    EXPECT_EQ(finished, 2);
}

// wait_until() returns with success once the deadline has passed, and with operation_aborted when rung first.
TEST_F(wakeup_test, wait_until_tells_the_deadline_from_a_ring)
{
    error_code at_deadline = net::error::would_block;  // anything but what is expected
    start(wait_until(w, net::steady_timer::clock_type::now() - 1s, at_deadline));
    settle();
    EXPECT_FALSE(at_deadline) << at_deadline.message();

    error_code rung = net::error::would_block;
    start(wait_until(w, net::steady_timer::clock_type::now() + 1h, rung));
    settle();
    EXPECT_EQ(rung, net::error::would_block) << "returned before its deadline and without a ring";
    w.notify_all();
    settle();
    EXPECT_EQ(rung, net::error::operation_aborted);
    EXPECT_TRUE(ioc.stopped()) << "the hour-long wait is still pending";
}

// until() returns at once when its condition holds, and otherwise looks again after every ring.
TEST_F(wakeup_test, until_looks_at_its_condition_after_every_ring)
{
    bool ready = false;
    int looks = 0;
    start(w.until([&] {
        ++looks;
        return ready;
    }));
    settle();
    EXPECT_EQ(looks, 1);

    w.notify_all();  // a ring for something else
    settle();
    EXPECT_EQ(finished, 0);
    EXPECT_EQ(looks, 2);

    ready = true;
    w.notify_all();
    settle();
    EXPECT_EQ(finished, 1);
    EXPECT_EQ(looks, 3);

    start(w.until([&] { return ready; }));
    settle();
    EXPECT_EQ(finished, 2) << "a condition that already holds needs no ring";
}

// An until() raced in `||` returns when the other side wins, although its condition never holds (this is how
// the echo loop's waits give way).
TEST_F(wakeup_test, until_returns_when_a_parallel_group_cancels_it)
{
    EXPECT_EQ(test::run_coro(ioc, never_or_at_once(w)), 1u);
}

// An event releases the waits pending when it is set and, being sticky, every later one at once.
TEST_F(wakeup_test, an_event_stays_set)
{
    event e(ioc.get_executor());
    start(wait_for_event(e));
    settle();
    EXPECT_FALSE(e.is_set());
    EXPECT_EQ(finished, 0);

    e.set();
    EXPECT_TRUE(e.is_set());
    start(wait_for_event(e));
    settle();
    EXPECT_EQ(finished, 2);
}

// timeout() loses a `||` to an operation that completes first, and is cancelled rather than left pending.
TEST_F(wakeup_test, a_timeout_that_loses_is_cancelled)
{
    EXPECT_EQ(test::run_coro(ioc, at_once_or_an_hour()), 0u);
    EXPECT_TRUE(ioc.stopped()) << "the hour-long timer is still pending";
}
