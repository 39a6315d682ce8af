// File: wsecho/detail/client_state.hpp — what the client's coroutines share: options, events, counters.
#pragma once

#include <wsecho/client.hpp>
#include <wsecho/dial.hpp>
#include <wsecho/net.hpp>
#include <wsecho/version.hpp>
#include <wsecho/wakeup.hpp>

#include <spdlog/logger.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace wsecho::detail {

// What the client's coroutines share; owned by wsecho::client, kept alive by run()'s frame. The events and
// counters marked "per connection" start afresh with each connection (begin_connection).
struct client_state
{
    net::any_io_executor ex;
    client_options opts;
    dial_options dial;                       // made from opts once
    std::shared_ptr<net::ssl::context> tls;  // for wss:// URLs only
    std::shared_ptr<spdlog::logger> log;
    event stop_requested;   // set by client::stop()
    event receiver_done;    // per connection: set when the receive loop ends, for whatever reason
    event sending_done;     // per connection: the last message is out and answered (or waited for): close
    event close_timed_out;  // per connection: our close got no answer in time; the receive loop is abandoned
    wakeup reply_arrived;   // notified by the receive loop for every message
    std::uint64_t sent_before = 0;      // per connection: report.sent when it began
    std::uint64_t received_before = 0;  // per connection: report.received when it began
    std::uint64_t sequence = 0;         // messages the periodic source made so far ({n} of the last one)
    std::optional<std::string> unsent;  // taken from the source but not written yet: goes first next time
    bool close_started = false;         // per connection: our close frame is out or queued (Beast allows one)
    bool close_refused = false;  // per connection: the server's close code was out of range; we sent 1002

    client_state(net::any_io_executor e, client_options o)
        : ex(std::move(e)),
          opts(std::move(o)),
          dial{
              .url = opts.url,
              .connect_timeout = opts.connect_timeout,
              .user_agent = std::string("wsecho-client/") + version,
              .headers = opts.headers,
              .subprotocols = opts.subprotocols},
          log(opts.logger ? opts.logger : spdlog::default_logger()),
          stop_requested(ex),
          receiver_done(ex),
          sending_done(ex),
          close_timed_out(ex),
          reply_arrived(ex)
    {}

    void begin_connection(const client_report& report)
    {
        receiver_done = event(ex);
        sending_done = event(ex);
        close_timed_out = event(ex);
        sent_before = report.sent;
        received_before = report.received;
        close_started = false;
        close_refused = false;
    }

    // Whether the connection is ending because we asked: a read ending with `closed` or `operation_aborted`
    // is then the close handshake we started, not the server leaving.
    bool closing() const noexcept { return stop_requested.is_set() || sending_done.is_set(); }
};

}  // namespace wsecho::detail
