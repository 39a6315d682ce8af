// File: unit/bench_payload_test.cpp — wsecho-bench's echo check: a true echo passes; a flipped byte, a wrong
// sequence number, size or type is caught; and the JSON report adds its errors up.
#include <gtest/gtest.h>

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "bench/payload.hpp"
#include "bench/report.hpp"

using wsecho::bench::echo_verdict;
using wsecho::bench::payload;

namespace {

std::vector<char> message(const payload& p, std::uint64_t sequence)
{
    auto out = p.body();
    p.stamp(out, sequence);
    return out;
}

}  // namespace

// Every byte of a 4 KiB binary message is checked: flipping any one of them is a mismatch.
TEST(bench_payload, any_flipped_byte_is_caught)
{
    payload p(4096, false);
    const auto sent = message(p, 77);
    ASSERT_EQ(p.check(sent, false, 77), echo_verdict::ok);
    for (std::size_t i = 0; i < sent.size(); ++i)
    {
        auto echo = sent;
        echo[i] = static_cast<char>(echo[i] ^ 0x01);
        std::size_t at = 999'999;
        const auto verdict = p.check(echo, false, 77, &at);
        ASSERT_NE(verdict, echo_verdict::ok) << "byte " << i;
        ASSERT_EQ(at, i);
    }
}

// An echo of another message (lost, duplicated or reordered) fails on its stamp, also for short messages.
TEST(bench_payload, wrong_sequence_is_caught)
{
    for (std::size_t size : {1u, 4u, 16u, 32u, 100'000u})
    {
        payload p(size, true);
        EXPECT_EQ(p.check(message(p, 5), true, 5), echo_verdict::ok) << size;
        EXPECT_EQ(p.check(message(p, 6), true, 5), echo_verdict::wrong_sequence) << size;
    }
}

// Size and type are part of the echo.
TEST(bench_payload, wrong_size_or_type_is_caught)
{
    payload p(32, false);
    auto sent = message(p, 1);
    EXPECT_EQ(p.check(sent, true, 1), echo_verdict::wrong_type);
    sent.push_back('x');
    EXPECT_EQ(p.check(sent, false, 1), echo_verdict::wrong_size);
    EXPECT_EQ(p.check(std::span<const char>{}, false, 1), echo_verdict::wrong_size);
    payload empty(0, false);
    EXPECT_EQ(empty.check(std::span<const char>{}, false, 9), echo_verdict::ok);
}

// Text payloads are printable ASCII (valid UTF-8, so a server may not refuse them); binary ones are not.
TEST(bench_payload, text_is_printable_and_binary_covers_every_byte)
{
    payload text(1000, true);
    for (char c : message(text, 12345))
        ASSERT_TRUE(c >= 0x21 && c <= 0x7e) << int(c);
    payload binary(256 + 16, false);
    std::vector<bool> seen(256);
    for (char c : binary.body())
        seen[static_cast<unsigned char>(c)] = true;
    EXPECT_EQ(std::count(seen.begin(), seen.end(), true), 256);
}

// The JSON report names every error kind, and "total" is their sum.
TEST(bench_report, json_errors_add_up)
{
    wsecho::bench::bench_report r;
    r.url = "ws://127.0.0.1:1/\"x\"";
    r.errors.mismatch = 3;
    r.errors.closed_by_server[1009] = 2;
    r.errors.closed_by_server[1001] = 1;
    r.errors.timeout = 1;
    r.errors.connect_failed = 4;
    r.latency_ns.record(1500);
    const auto json = wsecho::bench::format_json(r);
    EXPECT_NE(json.find("\"total\": 11"), std::string::npos) << json;
    EXPECT_NE(json.find("\"closed_by_server\": {\"1001\": 1, \"1009\": 2}"), std::string::npos) << json;
    EXPECT_NE(json.find("\"url\": \"ws://127.0.0.1:1/\\\"x\\\"\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"p50\": 1.500"), std::string::npos) << json;
    EXPECT_NE(wsecho::bench::format_text(r).find("closed by server (1009) 2"), std::string::npos);
}
