// File: wsecho/detail/echo_state.hpp — what a session's echo loop and its supervisor share.
#pragma once

namespace wsecho::detail {

// Both coroutines run on the session's executor (or strand), so plain fields are enough. The loop rings
// the session's attention (session_control) when it sets `finished`, which wakes the supervisor.
//
// Who sends the shutdown close (1001): the supervisor when the loop is waiting for a message (Beast then
// ends that read with operation_aborted), the loop itself when it is writing an echo (after the write).
// Either way no echo we owe is cut off, and RFC 6455 allows no data after the close frame.
struct echo_state
{
    bool writing = false;     // an echo is being written: a close frame now would cut it off
    bool going_away = false;  // shutdown: the loop closes after the echo it is writing
    bool finished = false;    // the echo loop has ended, for whatever reason
};

}  // namespace wsecho::detail
