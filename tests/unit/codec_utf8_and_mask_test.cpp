// File: unit/codec_utf8_and_mask_test.cpp — the codec's two byte-level primitives on their own: the incremental
// UTF-8 validator and unmask().
#include <wsecho/codec/mask.hpp>
#include <wsecho/codec/utf8.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <utility>

using namespace wsecho::codec;

namespace {

std::span<const std::byte> as_bytes(const std::string& s)
{
    return std::as_bytes(std::span(s));
}

}  // namespace

// The validator gives the same verdict fed whole or in two parts cut anywhere.
TEST(codec_utf8, validates_incrementally)
{
    const std::pair<std::string, bool> cases[] = {
        {"", true},
        {"plain ascii, longer than a word", true},
        {"\xC2\x80\xDF\xBF", true},
        {"\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF", true},
        {"\xF0\x90\x80\x80\xF4\x8F\xBF\xBF", true},
        {"\xC0\x80", false},
        {"\xC1\xBF", false},
        {"\xE0\x9F\xBF", false},
        {"\xF0\x8F\xBF\xBF", false},
        {"\xED\xA0\x80", false},
        {"\xED\xBF\xBF", false},
        {"\xF4\x90\x80\x80", false},
        {"\xF5\x80\x80\x80", false},
        {"\x80", false},
        {"\xFF", false},
        {"abcdefgh\xE2\x82", false},
        {"abcdefghijklmno\xF0", false}};
    for (const auto& [s, valid] : cases)
    {
        SCOPED_TRACE(testing::PrintToString(s));
        const auto b = as_bytes(s);
        EXPECT_EQ(is_valid_utf8(b), valid);
        for (std::size_t cut = 0; cut <= b.size(); ++cut)
        {
            utf8_validator v;
            const bool ok = v.feed(b.first(cut)) && v.feed(b.subspan(cut));
            EXPECT_EQ(ok && v.complete(), valid) << "cut at " << cut;
        }
    }
}

// unmask() agrees with a byte-by-byte XOR for every key offset, length 0..40 and alignment.
TEST(codec_mask, matches_bytewise_reference)
{
    const mask_key key{std::byte{0x37}, std::byte{0xFA}, std::byte{0x21}, std::byte{0x3D}};
    std::array<std::byte, 56> original{};
    for (std::size_t i = 0; i < original.size(); ++i)
        original[i] = static_cast<std::byte>(i * 13 + 5);
    for (std::size_t offset = 0; offset < 4; ++offset)
        for (std::size_t n = 0; n <= 40; ++n)
            for (std::size_t align = 0; align < 8; ++align)
            {
                auto data = original, expected = original;
                for (std::size_t i = 0; i < n; ++i)
                    expected[align + i] ^= key[(offset + i) % 4];
                unmask(data.data() + align, n, key, offset);
                EXPECT_EQ(data, expected) << "offset " << offset << " length " << n << " align " << align;
            }
}
