// File: unit/url_test.cpp — the ws:// URLs the client accepts, and the errors for those it does not.
#include <wsecho/client.hpp>
#include <wsecho/url.hpp>

#include <gtest/gtest.h>

using wsecho::parse_ws_url;

// The original's URL splits into host, port and target, and prints back unchanged.
TEST(url, parses_the_default_url)
{
    auto r = parse_ws_url("ws://localhost:8080/socket");
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.url.host, "localhost");
    EXPECT_EQ(r.url.port, "8080");
    EXPECT_EQ(r.url.target, "/socket");
    EXPECT_EQ(r.url.host_header(), "localhost:8080");
    EXPECT_EQ(r.url.to_string(), "ws://localhost:8080/socket");
}

// Port 80 is implied and left out of the Host header; a bare host gets target "/".
TEST(url, defaults_port_and_target)
{
    auto r = parse_ws_url("ws://example.test");
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.url.port, "80");
    EXPECT_EQ(r.url.target, "/");
    EXPECT_EQ(r.url.host_header(), "example.test");
}

// wss:// implies port 443, which the Host header then leaves out; another port stays in.
TEST(url, parses_wss_with_its_default_port)
{
    auto r = parse_ws_url("wss://example.test/socket");
    ASSERT_TRUE(r) << r.error;
    EXPECT_TRUE(r.url.secure());
    EXPECT_EQ(r.url.port, "443");
    EXPECT_EQ(r.url.host_header(), "example.test");
    EXPECT_EQ(r.url.to_string(), "wss://example.test/socket");

    auto other = parse_ws_url("wss://example.test:80/");
    ASSERT_TRUE(other) << other.error;
    EXPECT_EQ(other.url.host_header(), "example.test:80");
    EXPECT_FALSE(parse_ws_url("ws://example.test/").url.secure());
}

// IPv6 literals lose their brackets for resolving and get them back in the Host header.
TEST(url, handles_ipv6_and_query)
{
    auto r = parse_ws_url("ws://[::1]:9000/socket?room=a#frag");
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.url.host, "::1");
    EXPECT_EQ(r.url.port, "9000");
    EXPECT_EQ(r.url.target, "/socket?room=a");
    EXPECT_EQ(r.url.host_header(), "[::1]:9000");

    auto q = parse_ws_url("ws://h:1?x=1");
    ASSERT_TRUE(q) << q.error;
    EXPECT_EQ(q.url.target, "/?x=1");
}

// Each kind of bad URL gets a reason a user can act on.
TEST(url, rejects_with_reasons)
{
    struct
    {
        const char* text;
        const char* reason;
    } cases[] = {
        {"localhost:8080", "expected ws://"},
        {"http://localhost/", "unsupported scheme 'http'"},
        {"ws://localhost:99999/", "port must be"},
        {"ws://localhost:/", "port must be"},
        {"ws://:8080/", "missing host"},
        {"ws://[::1/", "unterminated"},
        {"ws://user@host/", "user info"},
    };
    for (const auto& c : cases)
    {
        auto r = parse_ws_url(c.text);
        EXPECT_FALSE(r) << c.text;
        EXPECT_NE(r.error.find(c.reason), std::string::npos) << c.text << " -> " << r.error;
    }
}

// "{n}" becomes the sequence number wherever it appears; other braces stay.
TEST(url, message_pattern_numbers_messages)
{
    EXPECT_EQ(wsecho::format_message("hello #{n}", 3), "hello #3");
    EXPECT_EQ(wsecho::format_message("{n}-{n} {x}", 12), "12-12 {x}");
    EXPECT_EQ(wsecho::format_message("plain", 1), "plain");
}

// IPv6 hosts get brackets wherever a port follows; names and IPv4 addresses stay as they are.
TEST(url, brackets_only_ipv6_hosts)
{
    EXPECT_EQ(wsecho::bracketed_host("::1"), "[::1]");
    EXPECT_EQ(wsecho::bracketed_host("127.0.0.1"), "127.0.0.1");
    EXPECT_EQ(wsecho::bracketed_host("localhost"), "localhost");
}
