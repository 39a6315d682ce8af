// File: echo_loop_tcp.cpp — compiles the echo loop once for plain TCP. Kept apart from the session's
// Beast HTTP code (session.cpp) so that editing the echo loop rebuilds only this file and its twin.
#include <wsecho/detail/echo_loop.hpp>

namespace wsecho::detail {

template net::awaitable<void>
run_echo_loop<tcp::socket>(tcp::socket&, codec::connection&, session_context&, codec::byte_buffer);

}  // namespace wsecho::detail
