// File: unit/http_header_test.cpp — the client's -H and --subprotocol values: what is accepted, and why not.
#include <wsecho/http_header.hpp>

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include "client/tool_flags.hpp"

using wsecho::http_header;

namespace {

// Parses `args` with the client's tool flags; returns the options or the error.
struct tool_parse
{
    wsecho::client_options opts;
    std::string error;
};

tool_parse parse_tool_flags(std::vector<std::string> args)
{
    tool_parse result;
    CLI::App app("test");
    wsecho::cli::tool_flags flags;
    wsecho::cli::add_tool_flags(app, result.opts, flags);
    args.insert(args.begin(), "prog");
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    try
    {
        app.parse(static_cast<int>(argv.size()), argv.data());
    }
    catch (const CLI::ParseError& e)
    {
        result.error = e.what();
    }
    return result;
}

}  // namespace

// curl's form: the name up to the first colon, the value trimmed; an empty value is allowed.
TEST(http_header, parses_name_colon_value)
{
    EXPECT_EQ(
        wsecho::parse_http_header("Authorization: Bearer a:b").header,
        (http_header{"Authorization", "Bearer a:b"})
    );
    EXPECT_EQ(wsecho::parse_http_header("X-Empty:").header, (http_header{"X-Empty", ""}));
    EXPECT_EQ(
        wsecho::parse_http_header("Origin:\thttp://x.example  ").header,
        (http_header{"Origin", "http://x.example"})
    );
}

// Malformed lines and headers the handshake owns are refused with the reason.
TEST(http_header, refuses_malformed_and_reserved_headers)
{
    const std::pair<std::string, std::string> cases[] = {
        {"no colon", "expected 'Name: value'"},
        {": value", "the name is empty"},
        {"Bad Name: x", "characters a header name cannot have"},
        {"X-Split: a\r\nInjected: b", "control character"},
        {"upgrade: h2c", "Upgrade is set by the WebSocket handshake"},
        {"Sec-WebSocket-Key: x", "set by the WebSocket handshake"},
        {"Sec-WebSocket-Protocol: chat", "set by --subprotocol"},
    };
    for (const auto& [line, reason] : cases)
    {
        auto parsed = wsecho::parse_http_header(line);
        EXPECT_FALSE(parsed) << line;
        EXPECT_NE(parsed.error.find(reason), std::string::npos) << line << " → " << parsed.error;
    }
}

// Subprotocol names are tokens.
TEST(http_header, subprotocols_must_be_tokens)
{
    EXPECT_EQ(wsecho::check_subprotocol("chat.v2"), "");
    EXPECT_NE(wsecho::check_subprotocol("two words"), "");
    EXPECT_NE(wsecho::check_subprotocol(""), "");
    EXPECT_NE(wsecho::check_subprotocol("a,b"), "");
}

// -H is repeatable and fills client_options::headers in order; a bad one is an error naming --header.
TEST(http_header, header_flag_fills_options_and_names_itself_in_errors)
{
    auto ok = parse_tool_flags({"-H", "Origin: http://a.example", "--header", "X-Id: 7"});
    EXPECT_EQ(ok.error, "");
    EXPECT_EQ(ok.opts.headers, (std::vector<http_header>{{"Origin", "http://a.example"}, {"X-Id", "7"}}));
    auto bad = parse_tool_flags({"-H", "Connection: close"});
    EXPECT_NE(bad.error.find("--header"), std::string::npos) << bad.error;
    EXPECT_NE(bad.error.find("Connection is set by the WebSocket handshake"), std::string::npos) << bad.error;
}

// --subprotocol is repeatable (or comma-separated) and checked.
TEST(http_header, subprotocol_flag_takes_a_list)
{
    auto ok = parse_tool_flags({"--subprotocol", "chat.v2,chat", "--subprotocol", "json"});
    EXPECT_EQ(ok.error, "");
    EXPECT_EQ(ok.opts.subprotocols, (std::vector<std::string>{"chat.v2", "chat", "json"}));
    auto bad = parse_tool_flags({"--subprotocol", "no spaces"});
    EXPECT_NE(bad.error.find("--subprotocol"), std::string::npos) << bad.error;
}

// The client refuses headers it was given directly (not through -H) that cannot go into a request.
TEST(http_header, client_constructor_checks_headers)
{
    wsecho::net::io_context ioc;
    wsecho::client_options opts;
    opts.headers = {{"Bad Name", "x"}};
    EXPECT_THROW(wsecho::client(ioc.get_executor(), opts), std::invalid_argument);
    opts.headers.clear();
    opts.subprotocols = {"a b"};
    EXPECT_THROW(wsecho::client(ioc.get_executor(), opts), std::invalid_argument);
}
