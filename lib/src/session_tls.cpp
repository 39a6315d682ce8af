// File: session_tls.cpp — compiles the session coroutine once for TLS over TCP (wss:// and https://).
#include <wsecho/detail/session.hpp>

namespace wsecho::detail {

template net::awaitable<void> run_session<tls_stream>(tls_stream, session_context);

}  // namespace wsecho::detail
