// File: duration.cpp — printing durations with units (see duration.hpp).
#include <wsecho/duration.hpp>

#include <string>

namespace wsecho {

std::string format_duration(std::chrono::nanoseconds d)
{
    using namespace std::chrono;
    if (d == nanoseconds::zero())
        return "0s";
    std::string out;
    auto ns = d.count();
    if (ns % 1'000'000'000 != 0)
    {
        // Below a whole second: one unit, the largest that is exact.
        if (ns % 1'000'000 == 0)
            return std::to_string(ns / 1'000'000) + "ms";
        if (ns % 1'000 == 0)
            return std::to_string(ns / 1'000) + "us";
        return std::to_string(ns) + "ns";
    }
    auto s = ns / 1'000'000'000;
    if (s >= 3600)
        out += std::to_string(s / 3600) + "h";
    if (s % 3600 >= 60)
        out += std::to_string(s % 3600 / 60) + "m";
    if (s % 60 != 0)
        out += std::to_string(s % 60) + "s";
    return out;
}

}  // namespace wsecho
