// File: wsecho/duration.hpp — durations written with a unit ("250ms", "1s", "1m30s"), as Go writes them: the
// spelling of every duration in the library's log lines and messages (describe() of a dial_result among them).
#pragma once

#include <chrono>
#include <string>

namespace wsecho {

// The shortest exact spelling: 1000ms → "1s", 90s → "1m30s", 250ms → "250ms". The programs' flags read
// the same spelling back (parse_duration, in app/common/duration.hpp).
std::string format_duration(std::chrono::nanoseconds d);

}  // namespace wsecho
