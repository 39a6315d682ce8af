// File: http_header.cpp — parsing and checking the client's extra upgrade headers and subprotocol names.
#include <wsecho/http_header.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace wsecho {

namespace {

// tchar (RFC 9110 §5.6.2): letters, digits and these.
bool is_token_char(char c)
{
    constexpr std::string_view others = "!#$%&'*+-.^_`|~";
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || others.find(c) != std::string_view::npos;
}

bool is_token(std::string_view text)
{
    return !text.empty() && std::all_of(text.begin(), text.end(), is_token_char);
}

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim_blanks(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

}  // namespace

http_header_result parse_http_header(std::string_view line)
{
    auto colon = line.find(':');
    if (colon == std::string_view::npos)
        return {{}, "invalid header '" + std::string(line) + "': expected 'Name: value'"};
    http_header header{std::string(line.substr(0, colon)), std::string(trim_blanks(line.substr(colon + 1)))};
    if (auto why = check_http_header(header); !why.empty())
        return {{}, "invalid header '" + std::string(line) + "': " + why};
    return {std::move(header), {}};
}

std::string check_http_header(const http_header& header)
{
    if (header.name.empty())
        return "the name is empty";
    if (!is_token(header.name))
        return "the name '" + header.name + "' has characters a header name cannot have";
    // The handshake's own headers: replacing them would break the upgrade or contradict what the client does.
    constexpr std::array<std::string_view, 6> reserved{
        "Upgrade",
        "Connection",
        "Sec-WebSocket-Key",
        "Sec-WebSocket-Version",
        "Sec-WebSocket-Extensions",
        "Sec-WebSocket-Protocol"};
    for (auto name : reserved)
        if (iequals(header.name, name))
            return name == "Sec-WebSocket-Protocol"
                       ? "Sec-WebSocket-Protocol is set by --subprotocol"
                       : std::string(name) + " is set by the WebSocket handshake";
    auto is_control = [](char c) { return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f; };
    if (std::any_of(header.value.begin(), header.value.end(), is_control))
        return "the value contains a control character";
    return {};
}

std::string check_subprotocol(std::string_view name)
{
    if (!is_token(name))
        return "invalid subprotocol '" + std::string(name) +
               "': it must be a token (letters, digits, !#$%&'*+-.^_`|~)";
    return {};
}

}  // namespace wsecho
