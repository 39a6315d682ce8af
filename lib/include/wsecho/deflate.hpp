// File: wsecho/deflate.hpp — permessage-deflate (RFC 7692) settings, shared by the server and the client.
#pragma once

#include <wsecho/net.hpp>

#include <cstddef>

namespace wsecho {

// Off by default, like gorilla/websocket and Node ws: compression state costs memory per connection
// (about 2^window_bits for the window plus zlib's tables, each direction) and CPU per message.
struct deflate_options
{
    bool enabled = false;
    // 9..15: the LZ77 window, in both directions (512 B .. 32 KiB). Smaller bounds memory per connection.
    int max_window_bits = 15;
    // Reset the dictionary after every message, in both directions: less memory kept between messages,
    // worse compression of similar messages.
    bool no_context_takeover = false;
    // zlib compression level 0..9 (0 stores only) and memory level 1..9 (lower: smaller tables).
    int level = 6;
    int mem_level = 4;
    // Messages smaller than this are sent uncompressed (they rarely shrink).
    std::size_t min_message_bytes = 64;
};

// Beast's option for one side of the connection.
inline websocket::permessage_deflate to_beast_option(const deflate_options& d, bool server)
{
    websocket::permessage_deflate pmd;
    pmd.server_enable = server && d.enabled;
    pmd.client_enable = !server && d.enabled;
    pmd.server_max_window_bits = d.max_window_bits;
    pmd.client_max_window_bits = d.max_window_bits;
    pmd.server_no_context_takeover = d.no_context_takeover;
    pmd.client_no_context_takeover = d.no_context_takeover;
    pmd.compLevel = d.level;
    pmd.memLevel = d.mem_level;
    pmd.msg_size_threshold = d.min_message_bytes;
    return pmd;
}

}  // namespace wsecho
