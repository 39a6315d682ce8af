// File: alloc/counting_allocator.cpp — the global allocation hooks behind counting_allocator.hpp.
//
// Two layers, because neither alone sees everything:
// - operator new/delete are replaced here, so every new in the process (libstdc++, spdlog, Beast's buffers,
//   std::function, coroutine frames that miss Asio's cache) is counted;
// - malloc, calloc, realloc, aligned_alloc, posix_memalign and free are wrapped with `ld --wrap` (see
//   tests/CMakeLists.txt), which catches the direct calls compiled into this binary and libwsecho.a: Asio's
//   recycling allocator falls back to std::aligned_alloc. Calls from inside shared libraries are not seen,
//   but those libraries' C++ allocations still go through the operator new above.
// The replacements call the real allocator (under ASan: ASan's), so sanitizers still check the memory.
#include "alloc/counting_allocator.hpp"

#include <malloc.h>

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

extern "C" {
void* __real_malloc(std::size_t size);
void* __real_calloc(std::size_t count, std::size_t size);
void* __real_realloc(void* ptr, std::size_t size);
void* __real_aligned_alloc(std::size_t align, std::size_t size);
int __real_posix_memalign(void** ptr, std::size_t align, std::size_t size);
void __real_free(void* ptr);
[[noreturn]] void __real___cxa_throw(void* exception, void* type, void (*destroy)(void*));
}

namespace wsecho::test::alloc {

namespace {

// Atomics: a multi-threaded server has two counted threads; relaxed is enough, the reader only needs
// totals, and it synchronises with the server through the socket anyway.
std::atomic<std::uint64_t> allocations{0};
std::atomic<std::uint64_t> throws{0};
std::atomic<std::uint64_t> large_frees{0};
// constinit: no dynamic initialisation, so it is safe to read from an allocation made before main().
constinit thread_local bool counting = false;

void note_allocation() noexcept
{
    if (counting)
        allocations.fetch_add(1, std::memory_order_relaxed);
}

void* allocate(std::size_t size)
{
    note_allocation();
    if (void* p = __real_malloc(size == 0 ? 1 : size))
        return p;
    throw std::bad_alloc();
}

void* allocate_aligned(std::size_t size, std::align_val_t align)
{
    note_allocation();
    auto alignment = static_cast<std::size_t>(align);
    size = (size + alignment - 1) / alignment * alignment;  // aligned_alloc wants a multiple of the alignment
    if (void* p = __real_aligned_alloc(alignment, size == 0 ? alignment : size))
        return p;
    throw std::bad_alloc();
}

}  // namespace

void count_this_thread()
{
    counting = true;
}

counts counted()
{
    return {
        allocations.load(std::memory_order_relaxed),
        throws.load(std::memory_order_relaxed),
        large_frees.load(std::memory_order_relaxed)};
}

}  // namespace wsecho::test::alloc

using wsecho::test::alloc::allocate;
using wsecho::test::alloc::allocate_aligned;
using wsecho::test::alloc::note_allocation;

extern "C" {

void* __wrap_malloc(std::size_t size)
{
    note_allocation();
    return __real_malloc(size);
}

void* __wrap_calloc(std::size_t count, std::size_t size)
{
    note_allocation();
    return __real_calloc(count, size);
}

void* __wrap_realloc(void* ptr, std::size_t size)
{
    note_allocation();
    return __real_realloc(ptr, size);
}

void* __wrap_aligned_alloc(std::size_t align, std::size_t size)
{
    note_allocation();
    return __real_aligned_alloc(align, size);
}

int __wrap_posix_memalign(void** ptr, std::size_t align, std::size_t size)
{
    note_allocation();
    return __real_posix_memalign(ptr, align, size);
}

void __wrap_free(void* ptr)
{
    if (wsecho::test::alloc::counting && ptr &&
        malloc_usable_size(ptr) >= wsecho::test::alloc::large_block_bytes)
        wsecho::test::alloc::large_frees.fetch_add(1, std::memory_order_relaxed);
    __real_free(ptr);
}

[[noreturn]] void __wrap___cxa_throw(void* exception, void* type, void (*destroy)(void*))
{
    if (wsecho::test::alloc::counting)
        wsecho::test::alloc::throws.fetch_add(1, std::memory_order_relaxed);
    __real___cxa_throw(exception, type, destroy);
}

}  // extern "C"

// The replaceable global allocation functions ([new.delete]); the nothrow and array forms must be
// replaced too, or libstdc++'s defaults would pair them with a different allocator.
void* operator new(std::size_t size)
{
    return allocate(size);
}

void* operator new[](std::size_t size)
{
    return allocate(size);
}

void* operator new(std::size_t size, const std::nothrow_t&) noexcept
{
    note_allocation();
    return __real_malloc(size == 0 ? 1 : size);
}

void* operator new[](std::size_t size, const std::nothrow_t&) noexcept
{
    note_allocation();
    return __real_malloc(size == 0 ? 1 : size);
}

void* operator new(std::size_t size, std::align_val_t align)
{
    return allocate_aligned(size, align);
}

void* operator new[](std::size_t size, std::align_val_t align)
{
    return allocate_aligned(size, align);
}

void* operator new(std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept
{
    note_allocation();
    auto alignment = static_cast<std::size_t>(align);
    size = (size + alignment - 1) / alignment * alignment;
    return __real_aligned_alloc(alignment, size == 0 ? alignment : size);
}

void* operator new[](std::size_t size, std::align_val_t align, const std::nothrow_t& tag) noexcept
{
    return operator new(size, align, tag);
}

void operator delete(void* p) noexcept
{
    std::free(p);
}

void operator delete[](void* p) noexcept
{
    std::free(p);
}

void operator delete(void* p, std::size_t) noexcept
{
    std::free(p);
}

void operator delete[](void* p, std::size_t) noexcept
{
    std::free(p);
}

void operator delete(void* p, const std::nothrow_t&) noexcept
{
    std::free(p);
}

void operator delete[](void* p, const std::nothrow_t&) noexcept
{
    std::free(p);
}

void operator delete(void* p, std::align_val_t) noexcept
{
    std::free(p);
}

void operator delete[](void* p, std::align_val_t) noexcept
{
    std::free(p);
}

void operator delete(void* p, std::size_t, std::align_val_t) noexcept
{
    std::free(p);
}

void operator delete[](void* p, std::size_t, std::align_val_t) noexcept
{
    std::free(p);
}

void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept
{
    std::free(p);
}

void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept
{
    std::free(p);
}
