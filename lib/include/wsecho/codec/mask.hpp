// File: wsecho/codec/mask.hpp — the XOR mask every client frame carries (RFC 6455 §5.3), removed in place.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace wsecho::codec {

using mask_key = std::array<std::byte, 4>;

// XORs `size` bytes at `data` with `key`, starting at key byte `offset % 4` (a payload arrives in pieces, and
// each piece continues where the last one stopped in the key). Works a machine word at a time: Beast's loop
// goes byte by byte, which was half the instructions of a 1 MiB echo.
void unmask(std::byte* data, std::size_t size, const mask_key& key, std::size_t offset) noexcept;

}  // namespace wsecho::codec
