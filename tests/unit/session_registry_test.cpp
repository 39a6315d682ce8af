// File: unit/session_session_registry_test.cpp — detail/session_registry.hpp: the server's list of sessions, the requests
// it passes on (shut down, abort), the wait for the last session, and the keep-alive clock that rings them all.
#include <wsecho/detail/session_registry.hpp>

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "support/run_coro.hpp"

using namespace std::chrono_literals;
using namespace wsecho;
using wsecho::detail::session_control;
using wsecho::detail::session_registry;

namespace {

struct session_registry_test : ::testing::Test
{
    net::io_context ioc;
    std::shared_ptr<session_registry> registry = std::make_shared<session_registry>(ioc.get_executor());
};

// Sets `done` once `wait` completes.
net::awaitable<void> note_when_done(net::awaitable<void> wait, bool& done)
{
    co_await std::move(wait);
    done = true;
}

}  // namespace

// Sessions are counted from add() to remove(); removing one twice, or one never added, changes nothing.
TEST_F(session_registry_test, counts_the_sessions_it_holds)
{
    auto a = registry->add(ioc.get_executor());
    auto b = registry->add(ioc.get_executor());
    EXPECT_EQ(registry->size(), 2u);
    registry->remove(a);
    registry->remove(a);
    registry->remove(std::make_shared<session_control>(ioc.get_executor()));
    EXPECT_EQ(registry->size(), 1u);
    registry->remove(b);
    EXPECT_EQ(registry->size(), 0u);
}

// A request reaches the session on its executor: the flag is set when that executor runs, not at the call.
TEST_F(session_registry_test, drain_asks_every_session_to_shut_down_on_its_executor)
{
    auto a = registry->add(ioc.get_executor());
    auto b = registry->add(ioc.get_executor());
    registry->drain();
    EXPECT_FALSE(a->shutting_down()) << "set from the caller's thread instead of posted";
    ioc.poll();
    EXPECT_TRUE(a->shutting_down());
    EXPECT_TRUE(b->shutting_down());
    EXPECT_FALSE(a->aborting());
}

// A session that starts while the server drains is asked to shut down at once.
TEST_F(session_registry_test, a_session_added_while_draining_is_asked_to_shut_down)
{
    registry->drain();
    auto late = registry->add(ioc.get_executor());
    ioc.poll();
    EXPECT_TRUE(late->shutting_down());
}

// abort_all() reaches every session, and wakes a session waiting for it.
TEST_F(session_registry_test, abort_all_wakes_the_sessions_waiting_for_it)
{
    auto a = registry->add(ioc.get_executor());
    bool woken = false;
    net::co_spawn(ioc, note_when_done(a->wait_for_abort(), woken), test::rethrow);
    ioc.poll();
    EXPECT_FALSE(woken);

    registry->drain();  // another request: the waiter looks, and waits on
    ioc.poll();
    EXPECT_FALSE(woken);

    registry->abort_all();
    ioc.poll();
    EXPECT_TRUE(woken);
    EXPECT_TRUE(a->aborting());
}

// wait_until_empty() completes once the last session has left, and at once when none is there.
TEST_F(session_registry_test, wait_until_empty_completes_when_the_last_session_leaves)
{
    auto a = registry->add(ioc.get_executor());
    auto b = registry->add(ioc.get_executor());
    bool empty = false;
    net::co_spawn(ioc, note_when_done(registry->wait_until_empty(), empty), test::rethrow);
    registry->remove(a);
    ioc.poll();
    EXPECT_FALSE(empty);
    registry->remove(b);
    ioc.poll();
    EXPECT_TRUE(empty);

    test::run_coro(ioc, registry->wait_until_empty());
}

namespace {

// Waits for `rings` rings of the session's attention.
net::awaitable<void> count_rings(std::shared_ptr<session_control> control, int rings)
{
    for (int i = 0; i < rings; ++i)
        co_await control->attention().wait();
}

}  // namespace

// The keep-alive clock rings every session (each then looks at its own idle rule), and ends once it was
// stopped and the last session has left.
TEST_F(session_registry_test, the_keep_alive_clock_rings_every_session_until_stopped_and_empty)
{
    auto a = registry->add(ioc.get_executor());
    auto b = registry->add(ioc.get_executor());
    bool clock_ended = false;
    net::co_spawn(ioc, note_when_done(registry->run_keep_alive_clock(1ms), clock_ended), test::rethrow);

    test::run_coro(ioc, count_rings(a, 3));
    test::run_coro(ioc, count_rings(b, 3));

    registry->stop_clock();
    ioc.restart();
    ioc.poll();
    EXPECT_FALSE(clock_ended) << "the clock stopped while sessions still needed it";
    registry->remove(a);
    registry->remove(b);
    test::drain(ioc);  // returns as soon as no work is left, which the clock still running would be
    EXPECT_TRUE(clock_ended);
}
