// File: client_attempts.hpp — what one connection attempt leaves in the client's report: reset before each
// dial, described for the log, and judged (try again or not). Plain functions, apart from client.cpp, whose
// coroutines hold the connection itself.
#pragma once

#include <wsecho/client.hpp>
#include <wsecho/dial.hpp>

#include <string>

namespace wsecho::detail {

// The per-connection part of the report starts empty with each dial.
void begin_attempt(client_report& report);

// "(127.0.0.1:8080), subprotocol chat, permessage-deflate": what the connected line adds to the URL.
std::string
describe_connection(const std::string& peer, const dial_result& dialed, const client_options& opts);

// Whether the attempt that just ended calls for another: the policy allows it, nobody asked to stop, the
// messages are not finished, and the ending was a failure or a close code that means "come back later".
bool should_reconnect(const client_options& opts, bool stop_requested, const client_report& report);

// Why the last attempt ended, for the reconnection log line.
std::string describe_ending(const client_report& report, const client_options& opts);

}  // namespace wsecho::detail
