// File: tests/fuzz/client_receive_fuzz.cpp — the client's receive loop (detail::receive_loop, the same
// template client::run uses) fed arbitrary bytes as everything the server sends after the upgrade.
//
// A client-role and a server-role websocket::stream over a beast::test::stream pair complete the handshake
// in memory; then the fuzz bytes go raw into the client's input (as if the server had sent them) and the
// server side is closed, so the client reads them (in varying pieces: feed_stream.hpp), then EOF. The
// client's own writes (pongs, its close reply) still land in the server end's input, unread. The loop must
// always finish (fuzz_support.hpp).
#include <wsecho/detail/client_connection.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/_experimental/test/stream.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "feed_stream.hpp"
#include "fuzz_support.hpp"

using namespace wsecho;
using client_ws_type = websocket::stream<fuzz::feed_stream>;
using server_ws_type = websocket::stream<beast::test::stream>;

namespace {

net::awaitable<void> handshake(client_ws_type& client, bool& ok)
{
    auto [ec] = co_await client.async_handshake("localhost", "/socket", use_nothrow_awaitable);
    ok = !ec;
}

net::awaitable<void> accept(server_ws_type& server, bool& ok)
{
    auto [ec] = co_await server.async_accept(use_nothrow_awaitable);
    ok = !ec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    net::io_context ioc;
    beast::test::stream client_end(ioc);
    beast::test::stream server_end(ioc);
    client_end.connect(server_end);
    bool framing =
        false;  // the handshake reads as it comes, the fuzz bytes in varying pieces (feed_stream.hpp)
    client_ws_type client_ws(std::move(client_end), std::string_view(), [&framing] { return framing; });
    server_ws_type server_ws(std::move(server_end));

    bool client_ok = false, server_ok = false;
    net::co_spawn(ioc, handshake(client_ws, client_ok), net::detached);
    net::co_spawn(ioc, accept(server_ws, server_ok), net::detached);
    ioc.run_for(fuzz::hang_limit);
    if (!client_ok || !server_ok)
    {
        std::fprintf(stderr, "fuzz: the in-memory handshake failed or hung\n");
        std::abort();
    }
    // As client::run's dial() leaves the stream after the handshake.
    client_ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));

    framing = true;
    beast::get_lowest_layer(client_ws).next().append(
        std::string_view(reinterpret_cast<const char*>(data), size)
    );
    beast::get_lowest_layer(server_ws).close();

    std::size_t payload_bytes = 0;
    client_options opts;
    opts.logger = fuzz::fuzz_logger();
    opts.on_message = [&](std::string_view payload, bool) { payload_bytes += payload.size(); };
    detail::client_state state(ioc.get_executor(), std::move(opts));
    client_report report;

    bool done = false;
    net::co_spawn(ioc, detail::receive_loop(client_ws, state, report), [&](std::exception_ptr e) {
        if (e)
            std::rethrow_exception(e);  // escapes run_one_until: an uncaught exception, reported as a crash
        done = true;
    });
    fuzz::run_until_done(ioc, done, "the client's receive loop");

    // Invariants that hold for every input.
    WSECHO_FUZZ_CHECK(state.receiver_done.is_set());
    // It always ends with the server's close or an error (EOF at the latest), never "cleanly".
    WSECHO_FUZZ_CHECK(report.server_close_code.has_value() != static_cast<bool>(report.connection_error));
    // Every message came in as at least one frame: 2 header bytes plus its payload (no permessage-deflate).
    WSECHO_FUZZ_CHECK(payload_bytes + 2 * report.received <= size);
    return 0;
}
