// File: unit/codec_deflate_test.cpp — permessage-deflate's inflater and deflater against each other and
// against zlib itself, decompression bombs and bad data included (the offers: codec_deflate_negotiation_test).
#include <wsecho/codec/deflate.hpp>

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <string>
#include <vector>

#include "support/payloads.hpp"

using namespace wsecho::codec;
using wsecho::test::compressible_text;
using wsecho::test::random_bytes;

namespace {

constexpr std::size_t no_limit = std::size_t{64} << 20;

std::span<const std::byte> as_bytes(std::string_view s)
{
    return std::as_bytes(std::span(s.data(), s.size()));
}

std::string to_string(const byte_buffer& b)
{
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

deflate_settings ours(int max_window_bits = 15, bool no_context_takeover = false)
{
    return {max_window_bits, no_context_takeover, 6, 4};
}

std::string deflate_message(message_deflater& d, std::string_view message)
{
    byte_buffer out;
    d.deflate(as_bytes(message), out);
    return to_string(out);
}

// Feeds `payload` as one message in parts of `part` bytes (0: a single part), flagging the last one.
inflate_status inflate_message(
    message_inflater& inf,
    std::string_view payload,
    byte_buffer& out,
    std::size_t limit = no_limit,
    std::size_t part = 0
)
{
    auto bytes = as_bytes(payload);
    for (;;)
    {
        const auto n = std::min(part == 0 ? bytes.size() : part, bytes.size());
        const bool last = n == bytes.size();
        if (const auto status = inf.inflate(bytes.first(n), last, out, limit);
            status != inflate_status::ok || last)
            return status;
        bytes = bytes.subspan(n);
    }
}

std::string inflate_to_string(message_inflater& inf, std::string_view payload, std::size_t part = 0)
{
    byte_buffer out;
    EXPECT_EQ(inflate_message(inf, payload, out, no_limit, part), inflate_status::ok);
    return to_string(out);
}

// Raw DEFLATE straight from zlib, as another implementation sends it, one message after the other. Z_SYNC_FLUSH
// (tail stripped) or Z_FINISH: a BFINAL block, then the context carried on by a dictionary (RFC 7692 §7.2.3.4).
std::vector<std::string> zlib_compress(const std::vector<std::string>& messages, int window_bits, int flush)
{
    z_stream zs{};
    EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, -window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::vector<std::string> payloads;
    std::string history;
    for (const auto& m : messages)
    {
        if (flush == Z_FINISH && !history.empty())
        {
            deflateReset(&zs);
            const auto window = std::min(history.size(), std::size_t{1} << window_bits);
            deflateSetDictionary(
                &zs,
                reinterpret_cast<const Bytef*>(history.data() + history.size() - window),
                static_cast<uInt>(window)
            );
        }
        std::string out(deflateBound(&zs, m.size()) + 64, '\0');
        zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(m.data()));
        zs.avail_in = static_cast<uInt>(m.size());
        zs.next_out = reinterpret_cast<Bytef*>(out.data());
        zs.avail_out = static_cast<uInt>(out.size());
        const int rc = deflate(&zs, flush);
        out.resize(out.size() - zs.avail_out);
        if (flush == Z_SYNC_FLUSH &&
            rc == Z_BUF_ERROR)  // an empty message right after a flush: zlib writes nothing
            EXPECT_TRUE(m.empty() && out.empty());
        else if (flush == Z_SYNC_FLUSH)
        {
            EXPECT_EQ(rc, Z_OK);
            EXPECT_TRUE(out.ends_with(std::string("\0\0\xff\xff", 4)));
            out.resize(out.size() - 4);
        }
        else
        {
            EXPECT_EQ(rc, Z_STREAM_END);
            out +=
                '\0';  // §7.2.1: the empty stored block appended after the final one, less its last 4 bytes
        }
        payloads.push_back(out);
        history += m;
    }
    deflateEnd(&zs);
    return payloads;
}

}  // namespace

// Every size, compressible or not, with and without context takeover and at both window extremes, comes back
// intact over several messages; with takeover a repeated message compresses to less, without it to the same.
TEST(codec_deflate, round_trips_every_size)
{
    std::mt19937 rng(7);
    for (const bool no_takeover : {false, true})
        for (const int bits : {9, 15})
        {
            const deflate_params params{bits, bits, no_takeover, no_takeover};
            message_deflater deflater(params, ours(bits));
            message_inflater inflater(params);
            for (const std::size_t size : {0u, 1u, 100u, 64u << 10, 1u << 20})
                for (const bool text : {true, false})
                {
                    SCOPED_TRACE(
                        testing::Message() << "size " << size << (text ? " text" : " random") << " bits "
                                           << bits << (no_takeover ? " no takeover" : "")
                    );
                    const auto message = text ? compressible_text(size) : random_bytes(size, rng);
                    std::vector<std::string> payloads;
                    for (int i = 0; i < 3; ++i)
                    {
                        payloads.push_back(deflate_message(deflater, message));
                        EXPECT_EQ(inflate_to_string(inflater, payloads.back()), message);
                    }
                    if (no_takeover || (text && size == 100))
                    {
                        EXPECT_EQ(payloads[1] == payloads[0], no_takeover);
                        EXPECT_EQ(payloads[1].size() < payloads[0].size() / 2, !no_takeover);
                    }
                }
        }
}

// A message may reach the inflater in any cut: one byte at a time, or odd pieces, with an empty last part.
TEST(codec_deflate, inflates_a_message_in_any_pieces)
{
    std::mt19937 rng(11);
    const auto message = compressible_text(40000) + random_bytes(3000, rng) + compressible_text(20000);
    message_deflater deflater({}, ours());
    const auto payload = deflate_message(deflater, message);
    for (const std::size_t part : {std::size_t{1}, std::size_t{3}, std::size_t{7}, std::size_t{4097}})
    {
        SCOPED_TRACE(part);
        message_inflater inflater({});
        EXPECT_EQ(inflate_to_string(inflater, payload, part), message);
    }
    message_inflater inflater({});
    byte_buffer out;
    out.append(as_bytes("kept"));  // appends: what was in `out` stays
    EXPECT_EQ(inflater.inflate(as_bytes(payload), false, out, no_limit), inflate_status::ok);
    EXPECT_EQ(inflater.inflate({}, true, out, no_limit), inflate_status::ok);
    EXPECT_EQ(to_string(out), "kept" + message);
}

// 8 MiB of zeros deflate to a few KiB; a 2 MiB limit stops inflating there, and `out` never grows past it.
TEST(codec_deflate, stops_a_decompression_bomb_at_the_limit)
{
    deflate_settings best = ours();
    best.level = 9;
    message_deflater deflater({}, best);
    const auto bomb = deflate_message(deflater, std::string(8u << 20, '\0'));
    EXPECT_LT(bomb.size(), 64u << 10);
    for (const std::size_t part : {std::size_t{0}, std::size_t{100}})
    {
        message_inflater inflater({});
        byte_buffer out;
        EXPECT_EQ(inflate_message(inflater, bomb, out, 2u << 20, part), inflate_status::too_big);
        EXPECT_LE(out.size(), 2u << 20);
        EXPECT_LT(out.capacity(), 4u << 20);
        // The stream is now unusable; the connection must be failed.
        EXPECT_EQ(inflater.inflate(as_bytes("x"), true, out, 2u << 20), inflate_status::too_big);
    }
}

// The limit counts inflated bytes of one message: exactly the limit passes, one byte more does not.
TEST(codec_deflate, limit_is_per_message_and_exact)
{
    const auto message = compressible_text(100000);
    message_deflater deflater({}, ours());
    const auto payload = deflate_message(deflater, message);
    message_inflater inflater({});
    for (int i = 0; i < 3; ++i)  // context takeover: each payload only decodes after the ones before it
    {
        byte_buffer out;
        EXPECT_EQ(
            inflate_message(
                inflater, i == 0 ? payload : deflate_message(deflater, message), out, message.size(), 1000
            ),
            inflate_status::ok
        );
    }
    message_inflater strict({});
    byte_buffer out;
    EXPECT_EQ(inflate_message(strict, payload, out, message.size() - 1), inflate_status::too_big);
    EXPECT_EQ(out.size(), message.size() - 1);
}

// Data zlib rejects is corrupt, and stays so: garbage, a zlib-wrapped (not raw) stream, a cut-off back reference.
TEST(codec_deflate, reports_corrupt_data)
{
    std::string wrapped(256, '\0');
    auto wrapped_size = static_cast<uLongf>(wrapped.size());
    const std::string text = compressible_text(1000);
    ASSERT_EQ(
        compress(
            reinterpret_cast<Bytef*>(wrapped.data()),
            &wrapped_size,
            reinterpret_cast<const Bytef*>(text.data()),
            text.size()
        ),
        Z_OK
    );
    wrapped.resize(wrapped_size);
    message_deflater deflater({}, ours());
    const auto first = deflate_message(deflater, text);
    const auto refers_back =
        deflate_message(deflater, text);  // meaningless to an inflater that missed message 1
    for (const auto& payload : {std::string("\xff\xff\xff\xff\xff", 5), wrapped, refers_back})
    {
        message_inflater inflater({});
        byte_buffer out;
        EXPECT_EQ(inflate_message(inflater, payload, out), inflate_status::corrupt);
        EXPECT_EQ(
            inflater.inflate(as_bytes(deflate_message(deflater, "fine")), true, out, no_limit),
            inflate_status::corrupt
        );
    }
    // With client_no_context_takeover agreed the inflater resets after each message, so a reference back fails.
    message_inflater resetting({15, 15, false, true});
    byte_buffer out;
    EXPECT_EQ(inflate_message(resetting, first, out), inflate_status::ok);
    EXPECT_EQ(inflate_message(resetting, refers_back, out), inflate_status::corrupt);
}

// Empty messages: the deflater sends 00 (§7.2.3.6) without zlib, and the inflater takes 00 or an empty payload.
TEST(codec_deflate, empty_messages_and_lazy_zlib_state)
{
    message_deflater deflater({}, ours());
    message_inflater inflater({});
    EXPECT_EQ(deflate_message(deflater, ""), std::string(1, '\0'));
    EXPECT_FALSE(deflater.has_zlib_state());
    EXPECT_EQ(inflate_to_string(inflater, ""), "");
    EXPECT_FALSE(inflater.has_zlib_state());
    for (const std::string message : {"hello", "", "", "hello hello", ""})
        EXPECT_EQ(inflate_to_string(inflater, deflate_message(deflater, message)), message);
    EXPECT_TRUE(deflater.has_zlib_state());
    EXPECT_TRUE(inflater.has_zlib_state());
    EXPECT_EQ(inflate_to_string(inflater, ""), "");  // a peer's empty payload mid-stream leaves it intact
    EXPECT_EQ(inflate_to_string(inflater, deflate_message(deflater, "hello again")), "hello again");
}

// Moving either object mid-conversation keeps its stream (and context) going.
TEST(codec_deflate, moves_keep_the_stream)
{
    message_deflater deflater({}, ours());
    message_inflater inflater({});
    const auto message = compressible_text(5000);
    const auto first = deflate_message(deflater, message);
    byte_buffer out;
    ASSERT_EQ(inflater.inflate(as_bytes(first).first(10), false, out, no_limit), inflate_status::ok);
    message_inflater moved(std::move(inflater));
    ASSERT_EQ(moved.inflate(as_bytes(first).subspan(10), true, out, no_limit), inflate_status::ok);
    EXPECT_EQ(to_string(out), message);
    message_deflater moved_deflater(std::move(deflater));
    EXPECT_EQ(inflate_to_string(moved, deflate_message(moved_deflater, message)), message);
}

// zlib used directly, as other implementations do: sync-flushed messages with shared context at several
// windows, and messages closed by a BFINAL block whose context carries over; and our output read by plain zlib.
TEST(codec_deflate, interoperates_with_zlib)
{
    std::mt19937 rng(3);
    const std::vector<std::string> messages{
        compressible_text(3000),
        compressible_text(70000),
        random_bytes(5000, rng),
        compressible_text(3000),
        ""};
    for (const int flush : {Z_SYNC_FLUSH, Z_FINISH})
        for (const int bits : {9, 12, 15})
        {
            SCOPED_TRACE(testing::Message() << "bits " << bits << (flush == Z_FINISH ? " BFINAL" : " sync"));
            message_inflater inflater({15, bits, false, false});
            const auto payloads = zlib_compress(messages, bits, flush);
            for (std::size_t i = 0; i < messages.size(); ++i)
                EXPECT_EQ(inflate_to_string(inflater, payloads[i], i % 2 == 0 ? 0 : 333), messages[i]) << i;
        }

    message_deflater deflater({10, 15, false, false}, ours());
    z_stream zs{};
    ASSERT_EQ(inflateInit2(&zs, -10), Z_OK);  // exactly the window we agreed to use
    for (const auto& message : messages)
    {
        auto payload = deflate_message(deflater, message) + std::string("\0\0\xff\xff", 4);
        std::string out(message.size() + 16, '\0');
        zs.next_in = reinterpret_cast<Bytef*>(payload.data());
        zs.avail_in = static_cast<uInt>(payload.size());
        zs.next_out = reinterpret_cast<Bytef*>(out.data());
        zs.avail_out = static_cast<uInt>(out.size());
        EXPECT_EQ(inflate(&zs, Z_SYNC_FLUSH), Z_OK);
        EXPECT_EQ(zs.avail_in, 0u);
        out.resize(out.size() - zs.avail_out);
        EXPECT_EQ(out, message);
    }
    inflateEnd(&zs);
}
