// File: bench/load.cpp — the run: spawn one coroutine per connection, then time the phases, watch for late
// echoes and print progress, all joined with `&&` and bounded by `|| timeout(limit)`.
#include "bench/load.hpp"

#include <wsecho/duration.hpp>
#include <wsecho/wakeup.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <exception>

namespace wsecho::bench {

namespace {

using namespace net::experimental::awaitable_operators;

// Sleeps on one of the run's own timers; false once the run is over (the last connection cancels them).
// Callers name the result before testing it: GCC 12 miscompiled `if (!co_await ...)` here (a crash).
net::awaitable<bool> sleep_until(run_state& s, net::steady_timer& timer, bench_clock::time_point when)
{
    if (s.all_done.is_set())
        co_return false;  // the cancel that ends the run may have come before this wait
    timer.expires_at(when);
    co_await timer.async_wait(use_nothrow_awaitable);
    co_return !s.all_done.is_set();
}

// connecting → (warm-up) → measure → (after --duration) stopping. With --messages the writers stop by
// themselves when their share is sent.
net::awaitable<void> control_phases(run_state& s)
{
    co_await s.all_dialed.wait();
    if (s.current == phase::warmup)
    {
        const bool running = co_await sleep_until(s, s.phase_timer, s.load_start + s.opts.warmup);
        if (!running)
            co_return;
        s.start_measuring();
    }
    if (s.opts.messages)
        co_return;
    const bool running = co_await sleep_until(s, s.phase_timer, s.measure_start + s.opts.duration);
    if (running)
        s.stop_sending();
}

// An echo (or the close reply) later than --timeout fails its connection: one late peer cannot hold the
// run, and a timer per message would cost more than this sweep.
net::awaitable<void> watch_for_late_echoes(run_state& s)
{
    const auto tick = std::clamp<bench_clock::duration>(
        s.opts.timeout / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(250)
    );
    for (;;)
    {
        const bool running = co_await sleep_until(s, s.watchdog_timer, bench_clock::now() + tick);
        if (!running)
            break;
        const auto now = bench_clock::now();
        for (auto& c : s.connections)
        {
            if (c->failed || c->done)
                continue;
            if (!c->flights.empty() && now - c->flights.front().sent > s.opts.timeout)
                s.fail(*c, failure::timeout, "no echo within " + format_duration(s.opts.timeout));
            else if (c->closing && now - c->close_started > s.opts.timeout)
                s.fail(*c, failure::timeout, "no close reply within " + format_duration(s.opts.timeout));
        }
    }
}

// "    3 s  measure        152311 msg/s  total 431002  errors 0", rewritten in place every second.
net::awaitable<void> show_progress(run_state& s)
{
    if (!s.opts.progress)
        co_return;
    const auto start = bench_clock::now();
    auto next = start;
    std::uint64_t last = 0;
    for (;;)
    {
        next += std::chrono::seconds(1);
        const bool running = co_await sleep_until(s, s.progress_timer, next);
        if (!running)
            break;
        const auto received = s.report.received;
        const char* what = s.current == phase::connecting ? "connecting"
                           : s.current == phase::warmup   ? "warm-up"
                           : s.current == phase::measure  ? "measure"
                                                          : "stopping";
        const auto line = fmt::format(
            "\r{:5} s  {:<10} {:>10} msg/s  total {}  errors {}\x1b[K",
            std::chrono::duration_cast<std::chrono::seconds>(next - start).count(),
            what,
            received - last,
            received,
            s.report.errors.total()
        );
        std::fputs(line.c_str(), stderr);
        std::fflush(stderr);
        last = received;
    }
    std::fprintf(stderr, "\r\x1b[K");
    std::fflush(stderr);
}

// Upper bound of a healthy run: connect, warm-up, the window (or the paced messages), the last echoes
// and closes. Closed-loop --messages has no natural bound; there the per-echo timeout keeps it moving.
bench_clock::duration run_limit(const bench_options& o)
{
    const auto slack = o.dial.connect_timeout + 2 * o.timeout + std::chrono::seconds(5);
    if (!o.messages)
        return o.warmup + o.duration + slack;
    if (o.rate > 0)
        return o.warmup + slack +
               std::chrono::duration_cast<bench_clock::duration>(
                   std::chrono::duration<double>(2.0 * static_cast<double>(o.messages) / o.rate)
               );
    return std::chrono::hours(24 * 365);
}

void fill_in(bench_report& r, const run_state& s)
{
    const auto& o = s.opts;
    r.url = o.dial.url.to_string();
    r.connections = o.connections;
    r.size = o.size;
    r.text = o.text;
    r.pipeline = o.pipeline;
    r.rate = o.rate;
    r.warmup_s = std::chrono::duration<double>(o.warmup).count();
    r.duration_s = o.messages ? 0.0 : std::chrono::duration<double>(o.duration).count();
    r.messages = o.messages;
    if (r.measured_received)
        r.elapsed_s = std::chrono::duration<double>(s.last_measured_echo - s.measure_start).count();
}

}  // namespace

net::awaitable<bench_report> run_bench(bench_options opts)
{
    const auto ex = co_await net::this_coro::executor;
    run_state s(ex, std::move(opts));
    // Spawned rather than joined: a vector of coroutines has no `&&`. Each reports back through
    // connection_done(), and this frame (which owns `s`) returns only after all of them have.
    for (auto& c : s.connections)
        net::co_spawn(ex, run_connection(s, *c), [&s, &c = *c](const std::exception_ptr& failed) {
            if (failed)
            {
                try
                {
                    std::rethrow_exception(failed);
                }
                catch (const std::exception& e)
                {
                    s.fail(c, failure::connection_error, std::string("unexpected: ") + e.what());
                }
            }
            s.connection_done(c);
        });

    const auto limit = run_limit(s.opts);
    auto finished = co_await (
        (s.all_done.wait() && control_phases(s) && watch_for_late_echoes(s) && show_progress(s)) ||
        timeout(limit)
    );
    if (finished.index() == 1)
    {
        for (auto& c : s.connections)
            if (!c->done)
                s.fail(*c, failure::timeout, "the run passed its limit of " + format_duration(limit));
        s.stop_sending();
        while (!s.all_done.is_set())
            co_await s.all_done.wait();
    }
    fill_in(s.report, s);
    co_return std::move(s.report);
}

}  // namespace wsecho::bench
