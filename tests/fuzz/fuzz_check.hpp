// File: tests/fuzz/fuzz_check.hpp — a check that must hold for every input; a failure is reported (and the
// input kept) as a crash. No other dependency, so the codec's target stays as light as the codec.
#pragma once

#include <cstdio>
#include <cstdlib>

#define WSECHO_FUZZ_CHECK(cond)                                                                              \
    do                                                                                                       \
    {                                                                                                        \
        if (!(cond))                                                                                         \
        {                                                                                                    \
            std::fprintf(stderr, "fuzz: check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);             \
            std::abort();                                                                                    \
        }                                                                                                    \
    } while (false)
