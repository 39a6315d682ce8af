// File: bench/run_state.cpp — the run's bookkeeping: counting failures once per connection, and the
// phase changes (connecting → warm-up → measure → stopping) that the writers obey.
#include "bench/run_state.hpp"

#include <fmt/format.h>

namespace wsecho::bench {

connection::connection(
    const net::any_io_executor& ex, std::size_t number_from_1, std::size_t pipeline, const payload& message
)
    : ws(ex), number(number_from_1), outgoing(message.body()), flights(pipeline), room(ex), pacing(ex)
{}

run_state::run_state(const net::any_io_executor& ex, bench_options options)
    : opts(std::move(options)),
      message(opts.size, opts.text),
      all_dialed(ex),
      all_done(ex),
      phase_timer(ex),
      watchdog_timer(ex),
      progress_timer(ex)
{
    const auto n = opts.connections;
    for (std::size_t i = 0; i < n; ++i)
    {
        connections.push_back(std::make_unique<connection>(ex, i + 1, opts.pipeline, message));
        // --messages is shared out evenly; the first ones take the remainder.
        connections.back()->quota = opts.messages / n + (i < opts.messages % n ? 1 : 0);
    }
}

void run_state::fail(connection& c, failure kind, const std::string& what, std::uint16_t close_code)
{
    if (c.failed)
        return;
    c.failed = true;
    switch (kind)
    {
    case failure::connect_failed: ++report.errors.connect_failed; break;
    case failure::closed_by_server: ++report.errors.closed_by_server[close_code]; break;
    case failure::timeout: ++report.errors.timeout; break;
    case failure::connection_error: ++report.errors.connection_error; break;
    }
    note_error(fmt::format("connection #{}: {}", c.number, what));
    error_code ignored;
    beast::get_lowest_layer(c.ws).socket().close(ignored);  // ends its pending read, write or close
    c.room.notify_all();
    c.pacing.cancel();
}

void run_state::note_error(const std::string& what)
{
    if (report.first_error.empty())
        report.first_error = what;
    // A broken server can fail every message: say the first few, count the rest.
    constexpr std::uint64_t logged_in_full = 5;
    if (errors_logged++ < logged_in_full)
        opts.log->warn("{}", what);
    else
        opts.log->debug("{}", what);
}

void run_state::dialed()
{
    if (++dialed_count < connections.size())
        return;
    load_start = bench_clock::now();
    current = phase::warmup;
    if (opts.warmup.count() == 0)
        start_measuring();
    all_dialed.set();
}

void run_state::start_measuring()
{
    measure_start = bench_clock::now();
    current = phase::measure;
}

void run_state::stop_sending()
{
    current = phase::stopping;
    for (auto& c : connections)
    {
        c->room.notify_all();
        c->pacing.cancel();
    }
}

void run_state::connection_done(connection& c)
{
    c.done = true;
    if (++done_count < connections.size())
        return;
    all_done.set();
    phase_timer.cancel();
    watchdog_timer.cancel();
    progress_timer.cancel();
}

bool run_state::sending_allowed(const connection& c) const
{
    if (c.failed || current == phase::stopping)
        return false;
    return !(opts.messages && current == phase::measure && c.quota == 0);
}

}  // namespace wsecho::bench
