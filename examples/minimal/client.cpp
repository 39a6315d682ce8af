// File: examples/minimal/client.cpp — the gorilla/websocket echo client as the simplest correct coroutine code:
// sends "hello N" every interval, logs each reply, closes on Ctrl-C. Usage: [host] [port] [interval_ms] [close_wait_ms]
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast.hpp>

#include <chrono>
#include <iostream>
#include <string>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using namespace net::experimental::awaitable_operators;
using net::awaitable;
using net::ip::tcp;
using std::chrono::milliseconds;
using ws_stream = websocket::stream<beast::tcp_stream>;

// Errors come back as values, never as exceptions: an operand of || that throws can never win the race.
constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);

// Events are timers set to never expire until someone moves their expiry to the past, which wakes every
// pending wait and makes every later one complete at once.
struct client_state
{
    milliseconds interval, close_wait;
    net::steady_timer interrupted;    // set by the signal handler in main
    net::steady_timer receiver_done;  // set by receive() when the connection has ended
};

void set(net::steady_timer& event)
{
    event.expires_at(net::steady_timer::time_point::min());
}

awaitable<void> timeout(milliseconds duration)
{
    net::steady_timer timer(co_await net::this_coro::executor, duration);
    co_await timer.async_wait(use_nothrow);
}

// Logs every reply until the connection ends. Its read is never raced with ||: a Beast stream whose read was
// cancelled can no longer send a close frame.
awaitable<void> receive(ws_stream& ws, client_state& state)
{
    for (beast::flat_buffer buffer;; buffer.clear())
    {
        auto [ec, n] = co_await ws.async_read(buffer, use_nothrow);
        if (ec == net::error::operation_aborted)  // how the read ends once our close has completed
            std::cerr << "receiver finished\n";
        else if (ec == websocket::error::closed)
            std::cerr << "server closed: code " << ws.reason().code << " '" << ws.reason().reason << "'\n";
        else if (ec)
            std::cerr << "connection lost: " << ec.message() << "\n";
        if (ec)
            break;
        std::cerr << "received: " << beast::buffers_to_string(buffer.data()) << "\n";
    }
    set(state.receiver_done);
}

// Sends until Ctrl-C, then closes Gorilla-style: close 1000 goes out while receive()'s read is still pending,
// and Beast ends that read once the server has answered. True when the close was ours (exit 0).
awaitable<bool> send_until_interrupted_then_close(ws_stream& ws, client_state& state)
{
    net::steady_timer tick(co_await net::this_coro::executor);
    for (int count = 1;; ++count)
    {
        tick.expires_after(state.interval);
        auto woke = co_await (
            tick.async_wait(use_nothrow) || state.interrupted.async_wait(use_nothrow) ||
            state.receiver_done.async_wait(use_nothrow)
        );
        if (woke.index() == 1)
            break;
        if (woke.index() == 2)
            co_return false;  // the server went away
        // The write is outside the ||: a write cancelled halfway would kill the stream.
        const auto message = "hello " + std::to_string(count);
        if (auto [ec, n] = co_await ws.async_write(net::buffer(message), use_nothrow); ec)
            co_return false;
    }
    std::cerr << "interrupted: sending close 1000, waiting up to " << state.close_wait.count() << " ms\n";
    auto closed = co_await (
        (ws.async_close(websocket::close_code::normal, use_nothrow) &&
         state.receiver_done.async_wait(use_nothrow)) ||
        timeout(state.close_wait)
    );
    if (closed.index() == 1)
    {
        std::cerr << "no answer to the close: dropping the connection\n";
        beast::get_lowest_layer(ws).close();  // ends receive()'s read
    }
    co_return true;
}

// Dials ws://host:port/socket, then runs the receiver and the sender together until both have ended.
awaitable<bool> run(std::string host, std::string port, client_state& state)
{
    ws_stream ws(co_await net::this_coro::executor);
    tcp::resolver resolver(ws.get_executor());
    auto [ec, endpoints] = co_await resolver.async_resolve(host, port, use_nothrow);
    // Bounds the connect and the handshake.
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(5));
    if (!ec)
        std::tie(ec, std::ignore) =
            co_await beast::get_lowest_layer(ws).async_connect(endpoints, use_nothrow);
    const auto where = host + ":" + port;
    if (!ec)
        std::tie(ec) = co_await ws.async_handshake(where, "/socket", use_nothrow);
    if (ec)
    {
        std::cerr << "cannot connect to ws://" << where << "/socket: " << ec.message() << "\n";
        co_return false;
    }
    beast::get_lowest_layer(ws).expires_never();  // from here on, a deadline would cut the connection
    std::cerr << "connected to ws://" << where << "/socket\n";
    co_return co_await (receive(ws, state) && send_until_interrupted_then_close(ws, state));
}

int main(int argc, char* argv[])
{
    try
    {
        net::io_context ioc;
        net::signal_set signals(ioc, SIGINT, SIGTERM);  // before anything runs: see docs/coroutines.md
        client_state state{
            milliseconds(std::stol(argc > 3 ? argv[3] : "1000")),
            milliseconds(std::stol(argc > 4 ? argv[4] : "1000")),
            net::steady_timer(ioc, net::steady_timer::time_point::max()),
            net::steady_timer(ioc, net::steady_timer::time_point::max())};
        signals.async_wait([&](boost::system::error_code ec, int) {
            if (!ec)
                set(state.interrupted);
        });
        bool closed_by_us = false;
        net::co_spawn(
            ioc,
            run(argc > 1 ? argv[1] : "127.0.0.1", argc > 2 ? argv[2] : "8080", state),
            [&](const std::exception_ptr& failure, bool result) {
                signals.cancel();  // the last pending wait: now ioc.run() can return
                if (failure)
                    std::rethrow_exception(failure);
                closed_by_us = result;
            }
        );
        ioc.run();
        return closed_by_us ? 0 : 1;
    }
    catch (const std::exception& e)
    {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
