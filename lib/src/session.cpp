// File: session.cpp — compiles the session coroutine once for real TCP (the expensive Beast instantiation).
#include <wsecho/detail/session.hpp>

namespace wsecho::detail {

template net::awaitable<void> run_session<beast::tcp_stream>(beast::tcp_stream, session_context);

}  // namespace wsecho::detail
