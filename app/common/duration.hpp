// File: common/duration.hpp — duration flags written with a unit ("250ms", "1s", "1m30s"), as Go writes
// them: the spelling wsecho::format_duration prints.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace wsecho::cli {

struct duration_result
{
    std::chrono::nanoseconds value{};
    std::string error;  // empty on success
    explicit operator bool() const noexcept { return error.empty(); }
};

// Accepts one or more <number><unit> pairs: units ns, us, ms, s, m, h; decimals allowed ("1.5s");
// "0" alone is zero. Rejects negative values, a missing unit, and overflow.
duration_result parse_duration(std::string_view text);

}  // namespace wsecho::cli
