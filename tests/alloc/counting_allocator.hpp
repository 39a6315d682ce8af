// File: alloc/counting_allocator.hpp — counts heap allocations (and thrown exceptions) made on the threads
// that opt in, so a test can tell what the server's own threads allocate while a client runs elsewhere.
//
// Only for the wsecho_alloc_tests binary: counting_allocator.cpp replaces the global operator new and, through
// the linker's --wrap, malloc and friends (Asio's handler memory comes from std::aligned_alloc, not new).
#pragma once

#include <cstddef>
#include <cstdint>

namespace wsecho::test::alloc {

// From now on, allocations and throws on the calling thread are counted. There is no way back: call it
// first thing on a thread that exists only to be measured.
void count_this_thread();

// A freed block at least this large counts as a large free (malloc_usable_size, so a little over what was asked).
inline constexpr std::size_t large_block_bytes = 128 * 1024;

struct counts
{
    std::uint64_t allocations = 0;  // operator new (all forms), malloc, calloc, realloc, aligned_alloc, ...
    std::uint64_t throws = 0;       // exceptions thrown by code in this binary (__cxa_throw)
    std::uint64_t large_frees = 0;  // free() of a block of large_block_bytes or more, from this binary's code

    counts operator-(const counts& earlier) const
    {
        return {
            allocations - earlier.allocations, throws - earlier.throws, large_frees - earlier.large_frees};
    }
};

// The totals over every counted thread so far.
counts counted();

}  // namespace wsecho::test::alloc
