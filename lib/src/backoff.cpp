// File: backoff.cpp — the reconnection delay (see backoff.hpp).
#include <wsecho/detail/backoff.hpp>

#include <algorithm>
#include <cmath>

namespace wsecho::detail {

std::chrono::milliseconds reconnect_delay(
    unsigned attempt, std::chrono::milliseconds base, std::chrono::milliseconds limit, double unit_random
)
{
    // Doubling in floating point cannot overflow; the cap applies before converting back.
    const double doubled = static_cast<double>(base.count()) * std::exp2(std::max(1u, attempt) - 1.0);
    const double ceiling = std::min(doubled, static_cast<double>(limit.count()));
    const double jitter = std::clamp(unit_random, 0.0, 1.0);
    const auto delay =
        static_cast<std::chrono::milliseconds::rep>(std::llround(ceiling / 2 + ceiling / 2 * jitter));
    return std::chrono::milliseconds(std::max<std::chrono::milliseconds::rep>(delay, 1));
}

}  // namespace wsecho::detail
