// File: integration/conformance_framing_test.cpp — RFC 6455 framing seen through raw frames on 127.0.0.1:
// every length encoding however the bytes arrive, fragmentation, and the frames that break the protocol
// (close 1002).
#include "integration/conformance.hpp"

using namespace std::chrono_literals;
using namespace wsecho;
using namespace wsecho::test::rfc6455;
using test::write_plan;

namespace {

struct length_class
{
    std::size_t size;
    int length_bits;  // the minimal encoding: 7-bit, 126 + 16-bit, 127 + 64-bit
};

constexpr length_class length_classes[] = {{0, 7}, {125, 7}, {126, 16}, {127, 16}, {65535, 16}, {65536, 64}};
constexpr std::size_t four_mib = 4u << 20;
constexpr std::array<std::uint8_t, 4> fixed_key = {0x37, 0xfa, 0x21, 0x3d};

}  // namespace

// ---- Framing -------------------------------------------------------------------------------------------

// Every length class (7-, 16- and 64-bit) up to 4 MiB, written at once, comes back identical in one minimal frame.
TEST_F(conformance, echoes_every_length_class_written_at_once)
{
    for (const auto& c : length_classes)
        expect_binary_echo(c.size, c.length_bits, write_plan::whole(), fixed_key);
    expect_binary_echo(four_mib, 64, write_plan::whole(), fixed_key);
}

// The same frames delivered one byte per write (so every header and payload arrives in pieces) are echoed alike.
TEST_F(conformance, echoes_every_length_class_written_byte_by_byte)
{
    for (const auto& c : length_classes)
        expect_binary_echo(c.size, c.length_bits, write_plan::byte_by_byte(), std::nullopt, 20s);
}

// The same frames delivered in odd-sized writes (1, 3, 7, 13, 31, 61, 127 bytes, cyclically) are echoed alike.
TEST_F(conformance, echoes_every_length_class_written_in_odd_chunks)
{
    for (const auto& c : length_classes)
        expect_binary_echo(c.size, c.length_bits, write_plan::odd_chunks());
}

// A 4 MiB frame written as 64 KiB writes alternating with odd small ones is echoed identically.
TEST_F(conformance, echoes_4_mib_written_in_64_kib_and_odd_chunks)
{
    expect_binary_echo(four_mib, 64, write_plan({65536, 1, 65536, 3, 65536, 7, 65536, 13}));
}

// ---- Fragmentation --------------------------------------------------------------------------------------

// A text message in 3 fragments comes back as one final text frame with the concatenated payload.
TEST_F(conformance, joins_three_fragments_into_one_echo)
{
    auto got = test::run_coro(
        ioc,
        send_and_read(
            endpoint,
            frame(opcode::text, "Hello", false) + frame(opcode::cont, ", ", false) +
                frame(opcode::cont, "world"),
            1
        )
    );
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(got[0].fin);
    EXPECT_EQ(got[0].opcode, opcode::text);
    EXPECT_EQ(got[0].payload, "Hello, world");
}

// A ping between two fragments is answered at once, and the message is still echoed whole after the pong.
TEST_F(conformance, answers_a_ping_between_fragments)
{
    auto got = test::run_coro(
        ioc,
        send_and_read(
            endpoint,
            frame(opcode::text, "first half, ", false) + frame(opcode::ping, "mid") +
                frame(opcode::cont, "second half"),
            2
        )
    );
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].opcode, opcode::pong);
    EXPECT_EQ(got[0].payload, "mid");
    EXPECT_EQ(got[1].opcode, opcode::text);
    EXPECT_TRUE(got[1].fin);
    EXPECT_EQ(got[1].payload, "first half, second half");
}

// ---- Protocol errors: close 1002 ------------------------------------------------------------------------

// Oversized or fragmented control frames, reserved bits and opcodes, unmasked frames, broken fragmentation,
// non-minimal lengths and a 1-byte close payload each fail the connection with close 1002.
TEST_F(conformance, fails_protocol_errors_with_1002)
{
    std::vector<failing_case> cases = {
        {"ping with a 126-byte payload", frame(opcode::ping, std::string(126, 'p')), 1002},
        {"RSV1 without an extension", test::encode_frame({.payload = "rsv1", .rsv1 = true}), 1002},
        {"RSV2 without an extension", test::encode_frame({.payload = "rsv2", .rsv2 = true}), 1002},
        {"RSV3 without an extension", test::encode_frame({.payload = "rsv3", .rsv3 = true}), 1002},
        {"RSV1 on a ping", test::encode_frame({.opcode = opcode::ping, .payload = "p", .rsv1 = true}), 1002},
        {"unmasked text frame", test::encode_frame({.payload = "unmasked", .masked = false}), 1002},
        {"continuation without a start", frame(opcode::cont, "orphan"), 1002},
        {"text frame inside a fragmented message",
         frame(opcode::text, "one", false) + frame(opcode::text, "two"),
         1002},
        {"binary frame inside a fragmented message",
         frame(opcode::binary, "one", false) + frame(opcode::binary, "two"),
         1002},
        {"fragmented ping (FIN=0)", frame(opcode::ping, "half", false) + frame(opcode::cont, "rest"), 1002},
        {"1-byte close payload", frame(opcode::close, "\x03"), 1002},
        {"5 bytes with a 16-bit length",
         test::encode_frame({.payload = "short", .length = test::length_encoding::bits16}),
         1002},
        {"200 bytes with a 64-bit length",
         test::encode_frame({.payload = std::string(200, 'x'), .length = test::length_encoding::bits64}),
         1002},
    };
    for (std::uint8_t op : std::initializer_list<std::uint8_t>{3, 4, 5, 6, 7, 11, 12, 13, 14, 15})
        cases.push_back({"reserved opcode " + std::to_string(op), frame(op, "x"), 1002});
    expect_close_codes(cases);
}
