// File: wsecho/codec/byte_buffer.hpp — a growable run of bytes: what the codec reads from and appends to.
//
// The codec is sans-io: it never owns a socket, so every byte it takes or gives passes through a buffer like
// this one. A plain class (no Beast, no Asio) so the codec builds and tests on its own.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <span>
#include <utility>

namespace wsecho::codec {

// Bytes [0, size()) are the content; prepare(n) makes room for n more after them without touching them.
// Unlike std::vector, growing does not zero the new room, and clear() keeps the capacity for the next use.
class byte_buffer
{
public:
    byte_buffer() = default;
    byte_buffer(const byte_buffer&) = delete;
    byte_buffer& operator=(const byte_buffer&) = delete;
    byte_buffer(byte_buffer&& other) noexcept
        : data_(std::exchange(other.data_, nullptr)),
          size_(std::exchange(other.size_, 0)),
          capacity_(std::exchange(other.capacity_, 0))
    {}
    byte_buffer& operator=(byte_buffer&& other) noexcept
    {
        std::swap(data_, other.data_);
        std::swap(size_, other.size_);
        std::swap(capacity_, other.capacity_);
        return *this;
    }
    ~byte_buffer() { std::free(data_); }

    std::byte* data() noexcept { return data_; }
    const std::byte* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return capacity_; }
    bool empty() const noexcept { return size_ == 0; }
    std::span<std::byte> bytes() noexcept { return {data_, size_}; }
    std::span<const std::byte> bytes() const noexcept { return {data_, size_}; }

    // Room for `n` more bytes after the content; fill it, then commit() what was written.
    std::span<std::byte> prepare(std::size_t n)
    {
        if (capacity_ - size_ < n)
            grow(size_ + n);
        return {data_ + size_, n};
    }
    void commit(std::size_t n) noexcept { size_ += n; }

    void append(const void* bytes, std::size_t n)
    {
        if (n == 0)
            return;
        std::memcpy(prepare(n).data(), bytes, n);
        commit(n);
    }
    void append(std::span<const std::byte> bytes) { append(bytes.data(), bytes.size()); }

    // Drops the first `n` bytes (the rest moves to the front).
    void consume(std::size_t n) noexcept
    {
        if (n >= size_)
        {
            size_ = 0;
            return;
        }
        std::memmove(data_, data_ + n, size_ - n);
        size_ -= n;
    }
    void clear() noexcept { size_ = 0; }

    // Gives the memory back when it is empty and holds more than `keep` bytes: a connection that once
    // carried a large message must not hold its room while it waits.
    void release_if_larger(std::size_t keep) noexcept
    {
        if (size_ == 0 && capacity_ > keep)
        {
            std::free(std::exchange(data_, nullptr));
            capacity_ = 0;
        }
    }

private:
    void grow(std::size_t needed)
    {
        std::size_t capacity = capacity_ < 64 ? 64 : capacity_;
        while (capacity < needed)
            capacity *= 2;
        void* bigger = std::realloc(data_, capacity);
        if (!bigger)
            throw std::bad_alloc();
        data_ = static_cast<std::byte*>(bigger);
        capacity_ = capacity;
    }

    std::byte* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

}  // namespace wsecho::codec
