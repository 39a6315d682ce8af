// File: tests/fuzz/codec_fuzz.cpp — codec::connection (the sans-io server connection) fed arbitrary client bytes
// in pieces the input chooses, with and without permessage-deflate, driven as the server's loop drives it.
//
// Input: byte 0 picks the options (bits 0-2 the cutting, bit 3 deflate, bits 4-5 max_message_bytes, bit 6 our
// own close after the first message, bit 7 a ping after each message); byte 1 tunes the piece sizes (bit 7:
// no context takeover both ways); the rest is what the client sends. Every message is echoed with
// send_message and released with message_done; when direct_read_room() offers room, the next piece is read
// into it. Everything the connection writes is read back frame by frame and checked: well-formed server
// frames, each echo equal to its message (inflated if compressed), nothing after our close frame, states only
// open -> closing -> closed, and once closed, closed for good.
#include <wsecho/codec/connection.hpp>
#include <wsecho/codec/utf8.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "fuzz_check.hpp"

using namespace wsecho::codec;

namespace {

std::uint16_t close_code_of(std::span<const std::byte> payload)
{
    return payload.size() < 2
               ? 0
               : static_cast<std::uint16_t>(
                     std::to_integer<unsigned>(payload[0]) << 8 | std::to_integer<unsigned>(payload[1])
                 );
}

struct server_frame
{
    std::uint8_t b0 = 0;
    std::span<const std::byte> payload;
    std::uint8_t op() const { return b0 & 0x0F; }
    bool rsv1() const { return (b0 & 0x40) != 0; }
};

// Splits `out` into server frames, checking each is well formed: FIN, no RSV2/RSV3, no mask, a known opcode,
// the shortest length form, a control payload of at most 125 bytes, a close payload that a peer may send.
std::vector<server_frame> read_frames(std::span<const std::byte> out, bool deflate)
{
    std::vector<server_frame> frames;
    while (!out.empty())
    {
        WSECHO_FUZZ_CHECK(out.size() >= 2);
        const auto b0 = static_cast<std::uint8_t>(out[0]);
        const auto b1 = static_cast<std::uint8_t>(out[1]);
        const std::uint8_t op = b0 & 0x0F;
        WSECHO_FUZZ_CHECK((b0 & 0x80) != 0 && (b0 & 0x30) == 0 && (b1 & 0x80) == 0);
        WSECHO_FUZZ_CHECK(op == 1 || op == 2 || op == 8 || op == 9 || op == 0xA);
        WSECHO_FUZZ_CHECK((b0 & 0x40) == 0 || (deflate && (op == 1 || op == 2)));
        const std::size_t length_bytes = (b1 & 0x7F) == 126 ? 2 : (b1 & 0x7F) == 127 ? 8 : 0;
        WSECHO_FUZZ_CHECK(out.size() >= 2 + length_bytes);
        std::uint64_t n = b1 & 0x7F;
        if (length_bytes != 0)
        {
            n = 0;
            for (std::size_t i = 0; i < length_bytes; ++i)
                n = n << 8 | static_cast<std::uint8_t>(out[2 + i]);
            WSECHO_FUZZ_CHECK(n > (length_bytes == 2 ? 125u : 0xFFFFu));
        }
        WSECHO_FUZZ_CHECK(out.size() - 2 - length_bytes >= n);
        const auto payload = out.subspan(2 + length_bytes, static_cast<std::size_t>(n));
        if (op >= 8)
            WSECHO_FUZZ_CHECK(n <= max_control_payload);
        if (op == 8)
        {
            WSECHO_FUZZ_CHECK(n != 1);
            if (n >= 2)
            {
                WSECHO_FUZZ_CHECK(is_valid_close_code(close_code_of(payload)));
                WSECHO_FUZZ_CHECK(is_valid_utf8(payload.subspan(2)));
            }
        }
        frames.push_back({b0, payload});
        out = out.subspan(2 + length_bytes + static_cast<std::size_t>(n));
    }
    return frames;
}

// Everything the connection wrote, checked as it comes and then dropped (so memory stays bounded).
struct output_checker
{
    bool deflate;
    message_inflater inflater;
    byte_buffer out;
    byte_buffer inflated;
    bool close_seen = false;
    std::uint16_t close_code = 0;
    std::size_t close_frames = 0;

    // Frames that next() or send_* may write on their own: pongs, pings, one close; nothing after the close.
    void take_control()
    {
        for (const auto& f : read_frames(out.bytes(), deflate))
        {
            WSECHO_FUZZ_CHECK(!close_seen);
            WSECHO_FUZZ_CHECK(f.op() >= 8);
            if (f.op() == 8)
            {
                close_seen = true;
                ++close_frames;
                close_code = close_code_of(f.payload);
            }
        }
        out.clear();
    }

    // What send_message wrote (and returned, as if written next): one data frame carrying `message`.
    void take_echo(bool text, std::span<const std::byte> message)
    {
        const auto frames = read_frames(out.bytes(), deflate);
        WSECHO_FUZZ_CHECK(frames.size() == 1);
        WSECHO_FUZZ_CHECK(!close_seen);
        const auto& f = frames[0];
        WSECHO_FUZZ_CHECK(f.op() == (text ? 1 : 2));
        auto echoed = f.payload;
        if (f.rsv1())
        {
            inflated.clear();
            WSECHO_FUZZ_CHECK(
                inflater.inflate(f.payload, true, inflated, message.size() + 1) == inflate_status::ok
            );
            echoed = inflated.bytes();
        }
        WSECHO_FUZZ_CHECK(echoed.size() == message.size());
        WSECHO_FUZZ_CHECK(message.empty() || std::memcmp(echoed.data(), message.data(), message.size()) == 0);
        out.clear();
        inflated.clear();
        inflated.release_if_larger(connection::retained_message_bytes);
    }
};

int rank(connection::state s)
{
    return s == connection::state::open ? 0 : s == connection::state::closing ? 1 : 2;
}

// How many bytes the i-th piece takes (0: all that is left).
std::size_t piece_size(unsigned pattern, unsigned k, std::size_t i, std::span<const std::byte> wire)
{
    static constexpr std::array<std::size_t, 4> odd{1, 3, 7, 13};
    switch (pattern)
    {
    case 0: return 0;
    case 1: return 1;
    case 2: return odd[i % odd.size()];
    case 3: return k + 1;
    case 4: return std::array<std::size_t, 3>{k + 1, 1, 2 * k + 3}[i % 3];
    case 5: return wire.empty() ? 1 : static_cast<std::size_t>(wire[i % wire.size()]) % 32 + 1;
    case 6: return 4096 + k;
    default: return i % 2 == 0 ? 14 : k + 1;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 2)
        return 0;
    const unsigned flags = data[0];
    const unsigned tune = data[1];
    const unsigned pattern = flags & 7;
    const bool deflate = (flags & 8) != 0;
    static constexpr std::array<std::uint64_t, 4> max_bytes{1u << 20, 125, 4096, 65537};
    const std::uint64_t max_message_bytes = max_bytes[(flags >> 4) & 3];
    const bool close_after_first = (flags & 0x40) != 0;
    const bool ping_after_each = (flags & 0x80) != 0;
    const bool no_takeover = (tune & 0x80) != 0;
    const unsigned k = tune & 0x7F;

    // The codec unmasks in place: it gets a copy.
    const auto* bytes = reinterpret_cast<const std::byte*>(data);
    std::vector<std::byte> wire(bytes + 2, bytes + size);

    deflate_params params{
        .server_no_context_takeover = no_takeover, .client_no_context_takeover = no_takeover};
    connection c(
        deflate ? connection_options{.max_message_bytes = max_message_bytes, .deflate = params}
                : connection_options{.max_message_bytes = max_message_bytes}
    );
    // Our frames are inflated as a client would: the server's takeover setting is the "peer's" one here.
    output_checker check{
        deflate, message_inflater(deflate_params{.client_no_context_takeover = no_takeover}), {}, {}};
    auto last_state = c.current_state();
    bool we_closed = false;
    bool closed = false;

    auto observe_state = [&] {
        const auto s = c.current_state();
        WSECHO_FUZZ_CHECK(rank(s) >= rank(last_state));
        WSECHO_FUZZ_CHECK(s != connection::state::closing || we_closed);
        last_state = s;
    };

    std::size_t pos = 0;
    for (std::size_t i = 0; pos < wire.size() && !closed; ++i)
    {
        const std::size_t want = piece_size(pattern, k, i, wire);
        const std::size_t left = wire.size() - pos;
        std::span<std::byte> in;
        const auto room = c.direct_read_room();
        const bool direct = !room.empty();
        if (direct)
        {
            in = room.first(std::min({room.size(), want == 0 ? left : want, left}));
            std::memcpy(in.data(), wire.data() + pos, in.size());
        }
        else
            in = std::span(wire).subspan(pos, want == 0 ? left : std::min(want, left));
        pos += in.size();

        if (i % 4 == 3)
        {
            // An empty input (a null span) anywhere uses nothing and completes nothing.
            const auto e = c.next(std::span<std::byte>(), check.out);
            WSECHO_FUZZ_CHECK(e.consumed == 0 && e.what != connection::event::message);
            observe_state();
            check.take_control();
        }
        for (;;)
        {
            const auto e = c.next(in, check.out);
            WSECHO_FUZZ_CHECK(e.consumed <= in.size());
            in = in.subspan(e.consumed);
            observe_state();
            check.take_control();
            if (e.what == connection::event::need_more)
            {
                WSECHO_FUZZ_CHECK(in.empty());
                break;
            }
            if (e.what == connection::event::closed)
            {
                WSECHO_FUZZ_CHECK(c.current_state() == connection::state::closed);
                WSECHO_FUZZ_CHECK(c.failed() || c.peer_close_code().has_value());
                closed = true;
                break;
            }
            // A message: within the limit, UTF-8 if text; echoed whole while open, not at all after our close.
            WSECHO_FUZZ_CHECK(e.payload.size() <= max_message_bytes);
            WSECHO_FUZZ_CHECK(!e.text || is_valid_utf8(e.payload));
            const bool open = c.current_state() == connection::state::open;
            const auto tail = c.send_message(e.text, e.payload, check.out);
            check.out.append(tail);
            if (open)
                check.take_echo(e.text, e.payload);
            else
                WSECHO_FUZZ_CHECK(check.out.empty() && tail.empty());
            c.message_done();
            if (close_after_first && !we_closed)
            {
                we_closed = true;
                c.send_close(close_codes::going_away, "fuzz", check.out);
                observe_state();
                check.take_control();
                WSECHO_FUZZ_CHECK(check.close_seen && check.close_code == close_codes::going_away);
            }
            if (ping_after_each)
            {
                c.send_ping(check.out);
                check.take_control();
            }
        }
        if (direct && !closed)
            WSECHO_FUZZ_CHECK(in.empty());  // the room never reaches past the frame being read
    }

    // Once closed, closed for good: nothing more is used, reported or written.
    if (closed)
    {
        WSECHO_FUZZ_CHECK(check.close_frames == 1);
        WSECHO_FUZZ_CHECK(check.close_code == c.close_code_sent());
        if (c.failed() && !we_closed)
            WSECHO_FUZZ_CHECK(c.close_code_sent() == close_code_for(c.error()));
        for (int round = 0; round < 2; ++round)
        {
            const auto e = c.next(std::span(wire).subspan(std::min(pos, wire.size())), check.out);
            WSECHO_FUZZ_CHECK(e.what == connection::event::closed && e.consumed == 0);
        }
        const std::array<std::byte, 3> payload{};
        WSECHO_FUZZ_CHECK(c.send_message(false, payload, check.out).empty());
        c.send_ping(check.out);
        c.send_close(close_codes::normal, "again", check.out);
        WSECHO_FUZZ_CHECK(check.out.empty());
        WSECHO_FUZZ_CHECK(c.direct_read_room().empty());
        WSECHO_FUZZ_CHECK(c.current_state() == connection::state::closed);
    }
    else
        WSECHO_FUZZ_CHECK(check.close_frames == (we_closed ? 1u : 0u));
    return 0;
}
