// File: session.cpp — compiles the session coroutine once for plain TCP (the expensive Beast instantiation).
#include <wsecho/detail/session.hpp>

namespace wsecho::detail {

template net::awaitable<void> run_session<tcp::socket>(tcp::socket, session_context);

}  // namespace wsecho::detail
