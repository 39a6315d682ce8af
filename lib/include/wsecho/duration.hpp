// File: wsecho/duration.hpp — durations written with a unit ("250ms", "1s", "1m30s"), as Go writes them.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace wsecho {

struct duration_result
{
    std::chrono::nanoseconds value{};
    std::string error;  // empty on success
    explicit operator bool() const noexcept { return error.empty(); }
};

// Accepts one or more <number><unit> pairs: units ns, us, ms, s, m, h; decimals allowed ("1.5s");
// "0" alone is zero. Rejects negative values, a missing unit, and overflow.
duration_result parse_duration(std::string_view text);

// The shortest exact spelling: 1000ms → "1s", 90s → "1m30s", 250ms → "250ms".
std::string format_duration(std::chrono::nanoseconds d);

}  // namespace wsecho
