// File: support/event_counter.hpp — counts events from test coroutines and lets another wait for a number of
// them (instead of sleeping and hoping).
#pragma once

#include <wsecho/wakeup.hpp>

#include <cstddef>

namespace wsecho::test {

// For coroutines on one executor.
class event_counter
{
public:
    explicit event_counter(const net::any_io_executor& ex) : wakeup_(ex) {}

    void add()
    {
        ++count_;
        wakeup_.notify_all();
    }

    std::size_t count() const noexcept { return count_; }

    net::awaitable<void> wait_for(std::size_t n)
    {
        while (count_ < n)
            co_await wakeup_.wait();
    }

private:
    wakeup wakeup_;
    std::size_t count_ = 0;
};

}  // namespace wsecho::test
