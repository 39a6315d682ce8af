// File: integration/conformance_utf8_test.cpp — RFC 6455 text messages must be UTF-8: a code point split
// across fragments is echoed intact, invalid UTF-8 gets close 1007.
#include "integration/conformance.hpp"

using namespace wsecho;
using namespace wsecho::test::rfc6455;

// A valid 3-byte code point (€) split across two fragments is echoed intact.
TEST_F(conformance, echoes_a_code_point_split_across_fragments)
{
    auto got = test::run_coro(
        ioc,
        send_and_read(
            endpoint, frame(opcode::text, "price: \xe2\x82", false) + frame(opcode::cont, "\xac 5"), 1
        )
    );
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].opcode, opcode::text);
    EXPECT_EQ(got[0].payload, "price: \xe2\x82\xac 5");
}

// Invalid UTF-8 in a text message, whole or split across fragments, or cut inside a code point, gets close 1007.
TEST_F(conformance, fails_invalid_utf8_with_1007)
{
    expect_close_codes({
        {"byte 0xff", frame(opcode::text, "bad \xff byte"), 1007},
        {"overlong encoding of '/'", frame(opcode::text, "\xc0\xaf"), 1007},
        {"UTF-16 surrogate U+D800", frame(opcode::text, "\xed\xa0\x80"), 1007},
        {"code point above U+10FFFF", frame(opcode::text, "\xf4\x90\x80\x80"), 1007},
        {"invalid sequence split across fragments",
         frame(opcode::text, "a\xe2\x82", false) + frame(opcode::cont, "("),
         1007},
        {"final fragment ends inside a code point",
         frame(opcode::text, "a\xe2", false) + frame(opcode::cont, "\x82"),
         1007},
        {"single frame ends inside a code point", frame(opcode::text, "a\xe2\x82"), 1007},
    });
}
