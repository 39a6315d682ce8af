// File: echo_loop_tls.cpp — compiles the echo loop once for TLS over TCP. Kept apart from the session's
// Beast HTTP code (session_tls.cpp) so that editing the echo loop rebuilds only this file and its twin.
#include <wsecho/detail/echo_loop.hpp>

namespace wsecho::detail {

template net::awaitable<void>
run_echo_loop<tls_stream>(tls_stream&, codec::connection&, session_context&, codec::byte_buffer);

}  // namespace wsecho::detail
