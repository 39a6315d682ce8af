// File: unit/session_log_test.cpp — how session_log.cpp judges a session's end: which endings are rejections
// (and counted as such), which close code we sent, at which level the line is logged; what the codec's
// verdict puts into the summary; and which read errors get an HTTP answer.
#include <wsecho/codec/connection.hpp>
#include <wsecho/codec/error.hpp>

#include <wsecho/detail/session_context.hpp>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <sstream>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using namespace wsecho;

namespace wsecho {
// For gtest's messages (found by ADL): the rejection's name instead of a byte dump.
static void PrintTo(rejection r, std::ostream* os)
{
    *os << to_string(r);
}
}  // namespace wsecho

namespace {

class session_end : public ::testing::Test
{
protected:
    session_end()
    {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(log_text_);
        sink->set_pattern("%l %v");
        auto log = std::make_shared<spdlog::logger>("session-log-test", sink);
        log->set_level(spdlog::level::debug);
        config_->log = log;
        config_->stats = stats;
        config_->handshake_timeout = 10s;
        config_->server_name = "wsecho/test";
        config_->on_end = [this](const session_summary& s) { ended.push_back(s); };
    }

    // Ends a session whose record says `summary` (after `requests` plain HTTP requests); returns the record as
    // finish_session() left it, and the line it logged in `line`.
    session_summary finish(session_summary summary, std::uint64_t requests = 0)
    {
        detail::session_context ctx;
        ctx.summary = std::move(summary);
        ctx.config = config_;
        ctx.requests = requests;
        stats->open.fetch_add(1);
        log_text_.str("");
        detail::finish_session(ctx);
        line = log_text_.str();
        return ctx.summary;
    }

    detail::session_context context() const
    {
        detail::session_context ctx;
        ctx.config = config_;
        return ctx;
    }

    std::shared_ptr<server_stats> stats = std::make_shared<server_stats>();
    std::vector<session_summary> ended;
    std::string line;

private:
    std::ostringstream log_text_;
    std::shared_ptr<detail::session_config> config_ = std::make_shared<detail::session_config>();
};

session_summary websocket_ending(error_code ec, std::optional<std::uint16_t> peer_close = std::nullopt)
{
    return {.id = 7, .peer = "127.0.0.1:50000", .upgraded = true, .close_code = peer_close, .error = ec};
}

session_summary http_ending(error_code ec)
{
    return {.id = 8, .peer = "127.0.0.1:50001", .upgraded = false, .error = ec};
}

// One ending and what finish_session() must make of it.
struct ending_case
{
    std::string name;
    session_summary summary;
    std::uint64_t requests = 0;
    std::optional<rejection> rejected;
    std::optional<std::uint16_t> close_sent;
    std::string
        level;  // of the line logged: "warning" for what an operator should look at, else "info" or "debug"
};

std::vector<ending_case> endings()
{
    using beast::error::timeout;
    return {
        {"the peer closed with 1000", websocket_ending({}, 1000), 0, std::nullopt, 1000, "info"},
        {"the peer sent an empty close (1005), answered with 1000",
         websocket_ending({}, 1005),
         0,
         std::nullopt,
         1000,
         "info"},
        {"a close handshake, then the TCP end",
         websocket_ending(net::error::eof, 1000),
         0,
         std::nullopt,
         1000,
         "info"},
        {"the peer vanished (eof)", websocket_ending(net::error::eof), 0, std::nullopt, std::nullopt, "info"},
        {"the peer vanished (reset)",
         websocket_ending(net::error::connection_reset),
         0,
         std::nullopt,
         std::nullopt,
         "info"},
        {"a silent peer dropped at the idle timeout",
         websocket_ending(timeout),
         0,
         rejection::idle_timeout,
         std::nullopt,
         "warning"},
        {"an unexpected failure",
         websocket_ending(make_error_code(boost::system::errc::state_not_recoverable)),
         0,
         std::nullopt,
         std::nullopt,
         "warning"},
        {"headers over the limit",
         http_ending(http::error::header_limit),
         0,
         rejection::header_too_large,
         std::nullopt,
         "warning"},
        {"a body over the limit",
         http_ending(http::error::body_limit),
         0,
         rejection::body_too_large,
         std::nullopt,
         "warning"},
        {"not HTTP",
         http_ending(http::error::bad_method),
         0,
         rejection::bad_request,
         std::nullopt,
         "warning"},
        {"no complete request in time (slowloris)",
         http_ending(timeout),
         0,
         rejection::request_timeout,
         std::nullopt,
         "warning"},
        {"a keep-alive connection idle after a served request",
         http_ending(timeout),
         1,
         std::nullopt,
         std::nullopt,
         "debug"},
        {"a request cut short by the peer's FIN",
         http_ending(http::error::partial_message),
         0,
         std::nullopt,
         std::nullopt,
         "debug"},
        {"an upgrade that breaks RFC 6455",
         http_ending(websocket::error::no_sec_key),
         0,
         rejection::handshake_failed,
         std::nullopt,
         "warning"},
        {"plain HTTP, closed after the answer",
         http_ending(http::error::end_of_stream),
         2,
         std::nullopt,
         std::nullopt,
         "debug"},
    };
}

}  // namespace

// Each kind of ending is judged as the table says: a rejection or not, the close code we sent, the log level.
TEST_F(session_end, judges_every_kind_of_ending)
{
    for (const auto& c : endings())
    {
        SCOPED_TRACE(c.name);
        auto s = finish(c.summary, c.requests);
        EXPECT_EQ(s.rejected, c.rejected);
        EXPECT_EQ(s.close_sent, c.close_sent);
        EXPECT_EQ(line.substr(0, line.find(' ')), c.level) << line;
    }
}

// Rejections and close codes are counted by kind, the open gauge comes back down, and on_end sees the judged record.
TEST_F(session_end, counts_what_it_decided_and_hands_it_to_on_end)
{
    finish(websocket_ending(beast::error::timeout));
    finish(websocket_ending(beast::error::timeout));
    finish(http_ending(http::error::header_limit));
    finish(websocket_ending({}, 4000));

    EXPECT_EQ(stats->rejections(rejection::idle_timeout), 2u);
    EXPECT_EQ(stats->rejections(rejection::header_too_large), 1u);
    EXPECT_EQ(stats->rejections(rejection::protocol_error), 0u);
    EXPECT_EQ(stats->close_codes.received_by_code(), (std::map<std::uint16_t, std::uint64_t>{{4000, 1}}));
    EXPECT_EQ(stats->close_codes.sent_by_code(), (std::map<std::uint16_t, std::uint64_t>{{4000, 1}}));
    EXPECT_EQ(stats->open.load(), 0u);
    ASSERT_EQ(ended.size(), 4u);
    EXPECT_EQ(ended[0].rejected, rejection::idle_timeout);
    EXPECT_EQ(ended[3].close_sent, 4000);
}

// What was decided before the end stands: a route's refusal (503) and the 1001 we sent at shutdown.
TEST_F(session_end, keeps_a_rejection_or_close_code_decided_earlier)
{
    auto refused = http_ending({});
    refused.rejected = rejection::over_capacity;
    EXPECT_EQ(finish(refused).rejected, rejection::over_capacity);
    EXPECT_NE(line.find("warning #8 127.0.0.1:50001 rejected: "), std::string::npos) << line;

    auto shutdown = websocket_ending({}, 1001);
    shutdown.close_sent = 1001;
    shutdown.unechoed = 2;
    auto s = finish(shutdown);
    EXPECT_EQ(s.close_sent, 1001);
    EXPECT_FALSE(s.rejected);
    EXPECT_NE(
        line.find("info #7 127.0.0.1:50000 closed for shutdown (1001), peer replied 1001"), std::string::npos
    ) << line;
    EXPECT_NE(line.find("2 arrived after our close frame, not echoed"), std::string::npos) << line;
}

namespace {

// Feeds client bytes (frames masked with key 0, so the payload reads as is) to a fresh codec and returns
// the summary record_protocol_outcome() fills from it.
session_summary codec_verdict(std::string client_bytes, std::uint64_t max_message_bytes = 1024)
{
    codec::connection protocol({.max_message_bytes = max_message_bytes});
    codec::byte_buffer out;
    auto input = std::as_writable_bytes(std::span(client_bytes));
    while (!input.empty())
    {
        auto e = protocol.next(input, out);
        input = input.subspan(e.consumed);
        if (e.what == codec::connection::event::message)
            protocol.message_done();
        else if (e.what == codec::connection::event::closed || e.consumed == 0)
            break;
    }
    session_summary s;
    s.upgraded = true;
    detail::record_protocol_outcome(protocol, s);
    return s;
}

std::string masked_with_zero_key(std::uint8_t first_byte, std::string_view payload)
{
    std::string frame{static_cast<char>(first_byte), static_cast<char>(0x80 | payload.size()), 0, 0, 0, 0};
    return frame + std::string(payload);
}

}  // namespace

// The codec's verdict: which rule the peer broke becomes the rejection and the close code we sent; a clean
// close handshake is recorded both ways and is no rejection.
TEST_F(session_end, takes_the_codecs_verdict_into_the_record)
{
    auto unmasked = codec_verdict(std::string("\x81\x02hi", 4));
    EXPECT_EQ(unmasked.rejected, rejection::protocol_error);
    EXPECT_EQ(unmasked.close_sent, 1002);
    EXPECT_EQ(unmasked.error, codec::violation::unmasked_frame);

    auto not_utf8 = codec_verdict(masked_with_zero_key(0x81, "bad \xff"));
    EXPECT_EQ(not_utf8.rejected, rejection::invalid_utf8);
    EXPECT_EQ(not_utf8.close_sent, 1007);

    auto too_big = codec_verdict(masked_with_zero_key(0x82, std::string(100, 'x')), 50);
    EXPECT_EQ(too_big.rejected, rejection::message_too_big);
    EXPECT_EQ(too_big.close_sent, 1009);

    auto bye = codec_verdict(masked_with_zero_key(
        0x88,
        "\x03\xe8"
        "done"
    ));
    EXPECT_FALSE(bye.rejected);
    EXPECT_FALSE(bye.error);
    EXPECT_EQ(bye.close_code, 1000);
    EXPECT_EQ(bye.close_reason, "done");
    EXPECT_EQ(bye.close_sent, 1000);

    // And finish_session() keeps that verdict rather than judging the error code again.
    EXPECT_EQ(finish(unmasked).rejected, rejection::protocol_error);
    EXPECT_EQ(stats->rejections(rejection::protocol_error), 1u);
}

// A request that failed to parse is answered (400, 413, 431); a peer that left or timed out is not.
TEST_F(session_end, answers_only_the_read_errors_a_peer_can_read)
{
    auto ctx = context();
    auto status = [&](error_code ec) -> std::optional<unsigned> {
        auto res = detail::response_for_read_error(ctx, ec);
        return res ? std::optional<unsigned>(res->result_int()) : std::nullopt;
    };
    EXPECT_EQ(status(http::error::bad_method), 400u);
    EXPECT_EQ(status(http::error::body_limit), 413u);
    EXPECT_EQ(status(http::error::header_limit), 431u);
    EXPECT_EQ(status(http::error::end_of_stream), std::nullopt);
    EXPECT_EQ(status(http::error::partial_message), std::nullopt);
    EXPECT_EQ(status(beast::error::timeout), std::nullopt);
    EXPECT_EQ(status(net::error::connection_reset), std::nullopt);
}
