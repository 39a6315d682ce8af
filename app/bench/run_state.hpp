// File: bench/run_state.hpp — what wsecho-bench's coroutines share: the options, one `connection` per
// WebSocket, and the run's phase and counters. Everything runs on one thread, so nothing here is locked.
#pragma once

#include <wsecho/dial.hpp>
#include <wsecho/net.hpp>
#include <wsecho/wakeup.hpp>

#include <boost/asio/steady_timer.hpp>

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/payload.hpp"
#include "bench/report.hpp"

namespace wsecho::bench {

using bench_clock = std::chrono::steady_clock;

struct bench_options
{
    dial_options dial;
    std::size_t connections = 10;
    std::size_t size = 32;
    bool text = false;
    std::size_t pipeline = 1;  // messages in flight per connection
    std::chrono::milliseconds duration = std::chrono::seconds(10);
    std::uint64_t messages = 0;  // > 0: this many measured messages, not `duration`
    double rate = 0;             // open loop: messages/s over all connections
    std::chrono::milliseconds warmup = std::chrono::seconds(1);
    std::chrono::milliseconds timeout = std::chrono::seconds(5);  // for each echo, and for the close reply
    bool progress = false;                                        // a live line on stderr every second
    std::shared_ptr<spdlog::logger> log;
};

enum class phase
{
    connecting,
    warmup,
    measure,
    stopping,  // the window is over: send nothing more, collect the echoes still owed, close
};

struct in_flight
{
    bench_clock::time_point sent;  // open loop: when it was due, so a late send counts against the server
    bool measured;
};

// The messages a connection has sent and not yet seen echoed, oldest first; at most `pipeline` of them.
class flight_ring
{
public:
    explicit flight_ring(std::size_t capacity) : slots_(capacity) {}
    bool empty() const noexcept { return size_ == 0; }
    bool full() const noexcept { return size_ == slots_.size(); }
    const in_flight& front() const noexcept { return slots_[head_]; }
    void push(in_flight f) noexcept { slots_[(head_ + size_++) % slots_.size()] = f; }
    void pop() noexcept
    {
        head_ = (head_ + 1) % slots_.size();
        --size_;
    }

private:
    std::vector<in_flight> slots_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

struct connection
{
    connection(
        const net::any_io_executor& ex, std::size_t number, std::size_t pipeline, const payload& message
    );

    ws_stream ws;
    std::size_t number;          // from 1, for error lines
    std::vector<char> outgoing;  // the payload, restamped before each send
    flight_ring flights;
    wakeup room;                      // the writer waits here for pipeline room, its last echo, or the end
    net::steady_timer pacing;         // open loop: until the next message is due
    std::uint64_t next_sequence = 0;  // of the next message to send
    std::uint64_t expected_sequence = 0;  // of the next echo
    std::uint64_t quota = 0;              // measured messages still to send (--messages)
    bool writer_waiting = false;
    bool failed = false;   // its one connection-level error is counted and the socket closed
    bool closing = false;  // our close frame is on its way
    bool done = false;     // its coroutine has ended
    bench_clock::time_point close_started;
};

enum class failure
{
    connect_failed,
    closed_by_server,
    timeout,
    connection_error,
};

struct run_state
{
    run_state(const net::any_io_executor& ex, bench_options options);

    // Counts the connection's first failure (later ones are consequences), closes its socket and wakes its
    // writer so both of its coroutines end.
    void fail(connection& c, failure kind, const std::string& what, std::uint16_t close_code = 0);
    // A mismatch or other per-message error: counted by the caller, described here (the first few logged).
    void note_error(const std::string& what);
    // Dial finished (either way); the last one starts the load.
    void dialed();
    void start_measuring();
    void stop_sending();
    void connection_done(connection& c);
    bool sending_allowed(const connection& c) const;

    bench_options opts;
    payload message;
    std::vector<std::unique_ptr<connection>> connections;
    phase current = phase::connecting;
    bench_clock::time_point load_start;
    bench_clock::time_point measure_start;
    bench_clock::time_point last_measured_echo;
    std::size_t dialed_count = 0;
    std::size_t done_count = 0;
    std::uint64_t errors_logged = 0;
    event all_dialed;
    event all_done;
    // Timers of the supervising coroutines, cancelled when the last connection ends so they finish too.
    net::steady_timer phase_timer;
    net::steady_timer watchdog_timer;
    net::steady_timer progress_timer;
    bench_report report;
};

// One connection's life: dial, then writer && reader until the load ends, then close (connection.cpp).
net::awaitable<void> run_connection(run_state& s, connection& c);

}  // namespace wsecho::bench
