// File: alloc/counting_allocator.hpp — counts heap allocations (and thrown exceptions) made on the threads
// that opt in, so a test can tell what the server's own threads allocate while a client runs elsewhere.
//
// Only for the wsecho_alloc_tests binary: counting_allocator.cpp replaces the global operator new and, through
// the linker's --wrap, malloc and friends (Asio's handler memory comes from std::aligned_alloc, not new).
#pragma once

#include <cstdint>

namespace wsecho::test::alloc {

// From now on, allocations and throws on the calling thread are counted. There is no way back: call it
// first thing on a thread that exists only to be measured.
void count_this_thread();

struct counts
{
    std::uint64_t allocations = 0;  // operator new (all forms), malloc, calloc, realloc, aligned_alloc, ...
    std::uint64_t throws = 0;       // exceptions thrown by code in this binary (__cxa_throw)

    counts operator-(const counts& earlier) const
    {
        return {allocations - earlier.allocations, throws - earlier.throws};
    }
};

// The totals over every counted thread so far.
counts counted();

}  // namespace wsecho::test::alloc
