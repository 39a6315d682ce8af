// File: support/run_coro.hpp — runs one test coroutine on an io_context that may hold other work (a server),
// and fails the test instead of hanging when the coroutine does not finish in time.
#pragma once

#include <wsecho/net.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>

namespace wsecho::test {

// A co_spawn completion handler that lets a coroutine's exception escape io_context::run*() and fail the test.
inline constexpr auto rethrow = [](const std::exception_ptr& e) {
    if (e)
        std::rethrow_exception(e);
};

inline constexpr auto default_test_limit = std::chrono::seconds(5);

// Runs the context until `coro` completes (the server's listener keeps the context busy forever, so
// run_for() alone would always wait out the limit). Rethrows the coroutine's exception.
template <class T>
T run_coro(net::io_context& ioc, net::awaitable<T> coro, std::chrono::milliseconds limit = default_test_limit)
{
    std::optional<T> result;
    std::exception_ptr failure;
    bool done = false;
    net::co_spawn(ioc, std::move(coro), [&](std::exception_ptr e, T value) {
        failure = e;
        if (!e)
            result.emplace(std::move(value));
        done = true;
    });
    const auto deadline = std::chrono::steady_clock::now() + limit;
    ioc.restart();
    while (!done && std::chrono::steady_clock::now() < deadline)
        if (ioc.run_one_until(deadline) == 0 && ioc.stopped())
            break;  // nothing left that could finish it
    if (!done)
        throw std::runtime_error("test coroutine did not finish within the time limit");
    if (failure)
        std::rethrow_exception(failure);
    return std::move(*result);
}

inline void run_coro(
    net::io_context& ioc, net::awaitable<void> coro, std::chrono::milliseconds limit = default_test_limit
)
{
    auto wrapped = [](net::awaitable<void> inner) -> net::awaitable<bool> {
        co_await std::move(inner);
        co_return true;
    };
    run_coro<bool>(ioc, wrapped(std::move(coro)), limit);
}

// Runs whatever work is left (sessions finishing, sockets closing) until none is, or `limit` passes.
inline void drain(net::io_context& ioc, std::chrono::milliseconds limit = std::chrono::seconds(2))
{
    ioc.restart();
    ioc.run_for(limit);
}

}  // namespace wsecho::test
