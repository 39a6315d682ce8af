// File: common/duration.cpp — parsing durations with units (see duration.hpp).
#include "common/duration.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace wsecho::cli {

namespace {

struct unit
{
    std::string_view name;
    std::int64_t nanoseconds;
};

// Longest names first, so "ms" is not read as "m" followed by garbage.
constexpr std::array units{
    unit{"ns", 1},
    unit{"us", 1'000},
    unit{"µs", 1'000},
    unit{"ms", 1'000'000},
    unit{"s", 1'000'000'000},
    unit{"m", 60'000'000'000},
    unit{"h", 3'600'000'000'000},
};

const unit* match_unit(std::string_view text)
{
    const unit* best = nullptr;
    for (const auto& u : units)
        if (text.starts_with(u.name) && (!best || u.name.size() > best->name.size()))
            best = &u;
    return best;
}

}  // namespace

duration_result parse_duration(std::string_view text)
{
    duration_result result;
    auto fail = [&](std::string why) {
        result.error = "invalid duration '" + std::string(text) + "': " + std::move(why) +
                       " (write it with a unit, e.g. 250ms, 1s, 2m)";
        return result;
    };
    if (text == "0")
        return result;
    if (text.empty())
        return fail("empty");
    if (text.front() == '-')
        return fail("must not be negative");

    long double total = 0;
    std::string_view rest = text;
    while (!rest.empty())
    {
        std::size_t digits = 0;
        while (digits < rest.size() &&
               (std::isdigit(static_cast<unsigned char>(rest[digits])) || rest[digits] == '.'))
            ++digits;
        std::string_view number = rest.substr(0, digits);
        if (number.empty() || number == "." || number.find('.') != number.rfind('.'))
            return fail("expected a number at '" + std::string(rest) + "'");
        const unit* u = match_unit(rest.substr(digits));
        if (!u)
            return fail(
                digits == rest.size() ? "missing unit"
                                      : "unknown unit at '" + std::string(rest.substr(digits)) + "'"
            );
        total += std::stold(std::string(number)) * static_cast<long double>(u->nanoseconds);
        rest.remove_prefix(digits + u->name.size());
    }
    if (total > static_cast<long double>(std::numeric_limits<std::int64_t>::max()))
        return fail("too large");
    result.value = std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(total)));
    return result;
}

}  // namespace wsecho::cli
