// File: wsecho/detail/handler_memory.hpp — one reusable block for the memory of one asynchronous operation
// at a time, and the allocator that binds it to a completion token (Asio's "allocation" example, in small).
#pragma once

#include <cstddef>
#include <new>

namespace wsecho::detail {

// Asio keeps freed operation memory in a per-thread cache, but only blocks up to 1020 bytes (Asio 1.81:
// thread_info_base's chunk_size * UCHAR_MAX). The socket operation under a Beast WebSocket write is
// ~1.2 KiB (it carries 64 buffer descriptors), so each echo's write went to malloc, and the cached block it
// displaced cost another. A stream has at most one write in flight, so one block per writer is enough;
// anything else that asks (a larger or a second operation) falls back to the heap.
//
// Asio frees an operation's memory before it runs or destroys the completion handler, so the block is free
// again before the coroutine that owns it can end.
class handler_memory
{
public:
    handler_memory() = default;
    handler_memory(const handler_memory&) = delete;
    handler_memory& operator=(const handler_memory&) = delete;

    void* allocate(std::size_t size)
    {
        if (!in_use_ && size <= sizeof(storage_))
        {
            in_use_ = true;
            return storage_;
        }
        return ::operator new(size);
    }

    void deallocate(void* pointer) noexcept
    {
        if (pointer == storage_)
            in_use_ = false;
        else
            ::operator delete(pointer);
    }

private:
    alignas(std::max_align_t) unsigned char storage_[2048];
    bool in_use_ = false;
};

// Bind it with net::bind_allocator(handler_allocator<void>(memory), token); Beast and Asio pass it down to
// the operations they start.
template <class T>
class handler_allocator
{
public:
    using value_type = T;

    explicit handler_allocator(handler_memory& memory) noexcept : memory_(&memory) {}

    template <class U>
    handler_allocator(const handler_allocator<U>& other) noexcept : memory_(other.memory_)
    {
    }

    T* allocate(std::size_t n) { return static_cast<T*>(memory_->allocate(sizeof(T) * n)); }

    void deallocate(T* pointer, std::size_t) noexcept { memory_->deallocate(pointer); }

    template <class U>
    bool operator==(const handler_allocator<U>& other) const noexcept
    {
        return memory_ == other.memory_;
    }

private:
    template <class>
    friend class handler_allocator;

    handler_memory* memory_;
};

}  // namespace wsecho::detail
