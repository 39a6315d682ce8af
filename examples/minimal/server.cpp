// File: examples/minimal/server.cpp — the gorilla/websocket echo server as the simplest correct coroutine code:
// GET / is a page, /socket echoes each message with its type. Usage: [address] [port] [idle_timeout_ms]
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast.hpp>

#include <chrono>
#include <iostream>
#include <string_view>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using namespace net::experimental::awaitable_operators;
using net::awaitable;
using net::ip::tcp;
using std::chrono::milliseconds;
using ws_stream = websocket::stream<beast::tcp_stream>;

// Errors come back as values, never as exceptions: an operand of || that throws can never win the race.
constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);

constexpr std::string_view index_page = R"html(<!doctype html><title>echo</title><pre id=log></pre>
<input id=m value=hello><button onclick="ws.send(m.value)">send</button><script>
const ws = new WebSocket(`ws://${location.host}/socket`); ws.onmessage = e => log.append(e.data + "\n");</script>)html";

// One thread runs everything: no locks, no strands. `shutdown` is an event: a timer set to never expire until
// main moves its expiry to the past, which wakes every pending wait and makes every later one complete at once.
struct server_state
{
    milliseconds idle_timeout;
    net::steady_timer shutdown;
};

awaitable<void> timeout(milliseconds duration)
{
    net::steady_timer timer(co_await net::this_coro::executor, duration);
    co_await timer.async_wait(use_nothrow);
}

// Each read races the idle timer. A Beast stream whose read was cancelled cannot send a close frame any
// more, so when the timer wins the connection is abandoned: the socket closes as the stream goes away.
awaitable<boost::system::error_code> echo_loop(ws_stream& ws, milliseconds idle_timeout)
{
    beast::flat_buffer buffer;
    for (;;)
    {
        auto read = co_await (ws.async_read(buffer, use_nothrow) || timeout(idle_timeout));
        if (read.index() == 1)
            co_return net::error::timed_out;
        if (auto [ec, n] = std::get<0>(read); ec)
            co_return ec;        // websocket::error::closed: the peer closed, and Beast has answered it
        ws.text(ws.got_text());  // text stays text, binary stays binary
        if (auto [ec, n] = co_await ws.async_write(buffer.data(), use_nothrow); ec)
            co_return ec;
        buffer.consume(buffer.size());
    }
}

// Sends close 1001 while the echo loop's read is still pending: Beast's close reads the peer's answer and
// the read ends with operation_aborted. A peer that never answers is dropped by the idle timeout.
awaitable<void> close_on_shutdown(ws_stream& ws, server_state& state)
{
    co_await state.shutdown.async_wait(use_nothrow);
    if (state.shutdown.expiry() == net::steady_timer::time_point::min())  // else the || cancelled the wait
        co_await ws.async_close(websocket::close_code::going_away, use_nothrow);
}

awaitable<void>
respond(beast::tcp_stream& stream, tcp::endpoint peer, http::status status, std::string_view body)
{
    std::cerr << peer << " HTTP " << static_cast<unsigned>(status) << " " << status << "\n";
    http::response<http::string_body> response{status, 11, body};
    response.set(http::field::content_type, "text/html");
    response.keep_alive(false);
    response.prepare_payload();
    co_await http::async_write(stream, response, use_nothrow);
}

// One request per connection: GET / is the page, an upgrade on /socket the echo, anything else 404.
awaitable<void> serve_connection(tcp::socket socket, server_state& state)
{
    boost::system::error_code ignored;  // a peer already gone shows as 0.0.0.0:0, and the read fails at once
    const auto peer = socket.remote_endpoint(ignored);
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    auto read = co_await (
        http::async_read(stream, buffer, request, use_nothrow) || timeout(state.idle_timeout) ||
        state.shutdown.async_wait(use_nothrow)
    );
    if (read.index() != 0)
        co_return;  // silent for too long, or shutting down: drop it
    if (auto [ec, n] = std::get<0>(read); ec == http::error::end_of_stream)
        co_return;  // the peer left without a request
    else if (ec)
        co_return co_await respond(stream, peer, http::status::bad_request, "bad request\n");
    if (request.target() == "/" && request.method() == http::verb::get)
        co_return co_await respond(stream, peer, http::status::ok, index_page);
    if (request.target() != "/socket" || !websocket::is_upgrade(request))
        co_return co_await respond(stream, peer, http::status::not_found, "not found\n");

    ws_stream ws(std::move(stream));
    if (auto [ec] = co_await ws.async_accept(request, use_nothrow); ec)
        co_return;
    std::cerr << peer << " connected\n";
    auto ended = co_await (echo_loop(ws, state.idle_timeout) || close_on_shutdown(ws, state));
    if (ws.reason())  // a close frame came: the peer's own, or its answer to our 1001
        std::cerr << peer << " closed: code " << ws.reason().code << " '" << ws.reason().reason << "'\n";
    else  // idle (timed out), reset, or no answer to our close
        std::cerr << peer << " dropped: " << (ended.index() == 0 ? std::get<0>(ended).message() : "shutdown")
                  << "\n";
}

// Errors are values: an exception is a bug, so end the program.
void rethrow(const std::exception_ptr& failure)
{
    if (failure)
        std::rethrow_exception(failure);
}

awaitable<void> listen(tcp::acceptor& acceptor, server_state& state)
{
    for (;;)
    {
        auto [ec, socket] = co_await acceptor.async_accept(use_nothrow);
        if (!ec)
            net::co_spawn(acceptor.get_executor(), serve_connection(std::move(socket), state), rethrow);
        else if (!acceptor.is_open())
            co_return;  // closed on shutdown
        else
            co_await timeout(milliseconds(100));  // out of file descriptors, say: pause rather than spin
    }
}

int main(int argc, char* argv[])
{
    try
    {
        const auto address = net::ip::make_address(argc > 1 ? argv[1] : "127.0.0.1");
        const auto port = static_cast<unsigned short>(std::stoul(argc > 2 ? argv[2] : "8080"));
        net::io_context ioc;
        net::signal_set signals(ioc, SIGINT, SIGTERM);  // before anything runs: see docs/coroutines.md
        server_state state{
            milliseconds(std::stol(argc > 3 ? argv[3] : "60000")),
            net::steady_timer(ioc, net::steady_timer::time_point::max())};
        tcp::acceptor acceptor(ioc, {address, port});
        std::cerr << "listening on " << acceptor.local_endpoint() << "\n";
        signals.async_wait([&](boost::system::error_code, int) {
            std::cerr << "shutting down: closing connections with 1001\n";
            acceptor.close();
            state.shutdown.expires_at(net::steady_timer::time_point::min());
        });
        net::co_spawn(ioc, listen(acceptor, state), rethrow);
        ioc.run();  // returns once nothing is left: the listener and every connection have ended
        std::cerr << "stopped\n";
        return 0;
    }
    catch (const std::exception& e)
    {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
