// File: wsecho/detail/backoff.hpp — how long the client waits before a reconnection attempt: exponential backoff
// with jitter, so clients that lost the same server do not all come back at the same moment.
#pragma once

#include <chrono>

namespace wsecho::detail {

// Attempt n (from 1) waits between half and all of min(base * 2^(n-1), limit): `unit_random` in [0, 1]
// picks the point ("equal jitter": never less than half, so a busy server still gets a growing pause).
// The result is at least 1 ms.
std::chrono::milliseconds reconnect_delay(
    unsigned attempt, std::chrono::milliseconds base, std::chrono::milliseconds limit, double unit_random
);

}  // namespace wsecho::detail
