// File: wsecho/detail/op_block_cache.hpp — a per-thread cache of blocks for operations too big for Asio's
// own recycling, and the allocator that binds it to a completion token.
#pragma once

#include <array>
#include <cstddef>
#include <new>

namespace wsecho::detail {

// Asio keeps freed operation memory in a per-thread cache, but only blocks up to 1020 bytes (Asio 1.81:
// thread_info_base's chunk_size * UCHAR_MAX). The socket operation under a Beast WebSocket write is
// ~1.2 KiB (it carries 64 buffer descriptors), so each echo's write went to malloc, and the cached block it
// displaced cost another.
//
// Per thread, not per connection: a block of its own in every session cost each idle connection 2 KiB.
// The cache holds as many blocks as writes were in flight at once on this thread (a round of echoes
// across many connections), up to `max_cached`; beyond that, blocks go back to the heap.
class op_block_cache
{
public:
    static constexpr std::size_t block_size = 2048;
    static constexpr std::size_t max_cached = 128;  // 256 KiB per thread at most

    static void* allocate(std::size_t size)
    {
        if (size > block_size)
            return ::operator new(size);
        auto& cache = local();
        if (cache.count > 0)
            return cache.blocks[--cache.count];
        return ::operator new(block_size);
    }

    static void deallocate(void* pointer, std::size_t size) noexcept
    {
        if (size <= block_size)
        {
            auto& cache = local();
            if (cache.count < max_cached)
            {
                cache.blocks[cache.count++] = pointer;
                return;
            }
        }
        ::operator delete(pointer);
    }

private:
    struct cache_type
    {
        std::array<void*, max_cached> blocks{};
        std::size_t count = 0;

        cache_type() = default;
        cache_type(const cache_type&) = delete;
        cache_type& operator=(const cache_type&) = delete;
        ~cache_type()
        {
            for (std::size_t i = 0; i < count; ++i)
                ::operator delete(blocks[i]);
        }
    };

    static cache_type& local()
    {
        thread_local cache_type cache;
        return cache;
    }
};

// Bind it with net::bind_allocator(op_block_allocator<std::byte>(), token); Beast and Asio pass it down to
// the operations they start. Stateless: every instance draws from the calling thread's cache.
template <class T>
class op_block_allocator
{
public:
    using value_type = T;

    op_block_allocator() noexcept = default;

    template <class U>
    op_block_allocator(const op_block_allocator<U>&) noexcept
    {
    }

    T* allocate(std::size_t n) { return static_cast<T*>(op_block_cache::allocate(sizeof(T) * n)); }

    void deallocate(T* pointer, std::size_t n) noexcept { op_block_cache::deallocate(pointer, sizeof(T) * n); }

    template <class U>
    bool operator==(const op_block_allocator<U>&) const noexcept
    {
        return true;
    }
};

}  // namespace wsecho::detail
