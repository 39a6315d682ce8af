// File: codec/mask.cpp — unmasking a machine word at a time.
#include <wsecho/codec/mask.hpp>

#include <cstring>

namespace wsecho::codec {

void unmask(std::byte* data, std::size_t size, const mask_key& key, std::size_t offset) noexcept
{
    // The key repeated and turned to start at `offset`: XOR with it eight bytes at a time, then the rest
    // byte by byte. memcpy loads and stores are single unaligned moves on the machines we run on, and the
    // plain loop lets the compiler use vector registers.
    std::byte pattern[8];
    for (std::size_t i = 0; i < 8; ++i)
        pattern[i] = key[(offset + i) % 4];
    std::uint64_t word_key = 0;
    std::memcpy(&word_key, pattern, 8);

    // 32 bytes a round, as four independent words, which the compiler turns into two or one vector XORs.
    std::size_t i = 0;
    for (; i + 32 <= size; i += 32)
    {
        std::uint64_t words[4];
        std::memcpy(words, data + i, 32);
        for (auto& word : words)
            word ^= word_key;
        std::memcpy(data + i, words, 32);
    }
    for (; i + 8 <= size; i += 8)
    {
        std::uint64_t word = 0;
        std::memcpy(&word, data + i, 8);
        word ^= word_key;
        std::memcpy(data + i, &word, 8);
    }
    for (; i < size; ++i)
        data[i] ^= pattern[i % 8];
}

}  // namespace wsecho::codec
