// File: tests/fuzz/server_session_fuzz.cpp — the server session (detail::run_session) fed arbitrary bytes as
// everything a client sends: HTTP request(s), then, if one upgrades, WebSocket frames; EOF after the data.
//
// Over a beast::test::stream pair on a fresh io_context per input: the bytes wait in the server end's input,
// the client end is closed (so reads see EOF after the data, while the server's answers and echoes still
// land in the client end's input, unread). The session must always finish; see fuzz_support.hpp for the
// bound. The server end is wrapped in a feed_stream, which decides how many bytes each read may take: up to
// the end of each HTTP header block before the upgrade, then in varying pieces (feed_stream.hpp).
#include "feed_stream.hpp"
#include "fuzz_support.hpp"

#include <wsecho/detail/session.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/beast/_experimental/test/stream.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

using namespace std::chrono_literals;
using namespace wsecho;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    net::io_context ioc;
    beast::test::stream server_end(ioc);
    beast::test::stream client_end(ioc);
    client_end.connect(server_end);
    server_end.append(input);
    client_end.close();

    std::optional<session_summary> ended;
    int endings = 0;
    auto stats = std::make_shared<server_stats>();
    stats->open.fetch_add(1);  // as the listener does before it starts a session
    fuzz::feed_stream stream(std::move(server_end), input, [&stats] { return stats->upgraded > 0; });
    auto config = std::make_shared<const detail::session_config>(detail::session_config{
        .server_name = "wsecho/fuzz",
        .handshake_timeout = 1s,
        .idle_timeout = 1s,
        .max_message_bytes = 1u << 20,
        .max_header_bytes = 8 * 1024,
        .log = fuzz::fuzz_logger(),
        .on_end =
            [&](const session_summary& s) {
                ended = s;
                ++endings;
            },
        .stats = stats,
    });
    detail::session_context ctx{.summary = {.id = 1, .peer = "fuzz"}, .config = std::move(config)};

    bool done = false;
    net::co_spawn(ioc, detail::run_session(std::move(stream), std::move(ctx)), [&](std::exception_ptr e) {
        if (e)
            std::rethrow_exception(e);  // escapes run_one_until: an uncaught exception, reported as a crash
        done = true;
    });
    fuzz::run_until_done(ioc, done, "the server session");

    // Invariants that hold for every input.
    WSECHO_FUZZ_CHECK(endings == 1);  // finish_session ran exactly once
    WSECHO_FUZZ_CHECK(ended.has_value());
    WSECHO_FUZZ_CHECK(ended->upgraded || (ended->messages == 0 && ended->bytes == 0));
    // Every echoed message came in as at least one masked frame: 2 header + 4 mask bytes, plus its payload
    // (no permessage-deflate is negotiated, so payload bytes are input bytes).
    WSECHO_FUZZ_CHECK(ended->bytes + 6 * ended->messages <= size);
    WSECHO_FUZZ_CHECK(stats->open == 0);
    auto traffic = stats->traffic.sum();
    WSECHO_FUZZ_CHECK(traffic.messages_sent[0] + traffic.messages_sent[1] == ended->messages &&
                      traffic.bytes_sent[0] + traffic.bytes_sent[1] == ended->bytes);
    return 0;
}
