// File: tests/support/payloads.hpp — message bodies the deflate tests share: text that compresses well, and
// bytes that do not compress at all.
#pragma once

#include <cstddef>
#include <random>
#include <string>

namespace wsecho::test {

inline std::string compressible_text(std::size_t size)
{
    std::string s;
    while (s.size() < size)
        s += "the quick brown fox jumps over the lazy dog " + std::to_string(s.size() % 97) + "\n";
    s.resize(size);
    return s;
}

inline std::string random_bytes(std::size_t size, std::mt19937& rng)
{
    std::string s(size, '\0');
    for (auto& c : s)
        c = static_cast<char>(rng() & 0xff);
    return s;
}

}  // namespace wsecho::test
