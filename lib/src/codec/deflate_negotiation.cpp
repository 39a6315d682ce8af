// File: codec/deflate_negotiation.cpp — permessage-deflate's handshake: parsing the client's offers and
// choosing our answer (RFC 7692 §5, §7.1).
#include <wsecho/codec/deflate.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsecho::codec {

namespace {

// 1*tchar (RFC 7230 §3.2.6)
bool is_token(std::string_view s) noexcept
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c != '\0' && std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos);
    });
}

bool iequals(std::string_view a, std::string_view b) noexcept
{
    constexpr auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [&](char x, char y) {
        return lower(x) == lower(y);
    });
}

std::string_view trim(std::string_view s) noexcept
{
    const auto first = s.find_first_not_of(" \t");
    return first == s.npos ? std::string_view() : s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// Cuts `s` at each `separator` outside a quoted string, so a quoted ',' or ';' stays in its value.
std::vector<std::string_view> split(std::string_view s, char separator)
{
    std::vector<std::string_view> parts;
    bool quoted = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i < s.size(); ++i)
    {
        if (quoted && s[i] == '\\')
            ++i;
        else if (s[i] == '"')
            quoted = !quoted;
        else if (s[i] == separator && !quoted)
        {
            parts.push_back(trim(s.substr(start, i - start)));
            start = i + 1;
        }
    }
    parts.push_back(trim(s.substr(std::min(start, s.size()))));
    return parts;
}

// A parameter value: a token, or a quoted string that is a token once unescaped (RFC 6455 §9.1).
std::optional<std::string> parse_value(std::string_view v)
{
    const bool quoted = v.size() >= 2 && v.front() == '"' && v.back() == '"';
    std::string value(quoted ? "" : v);
    for (std::size_t i = 1; quoted && i + 1 < v.size(); ++i)
    {
        if (v[i] == '"' || (v[i] == '\\' && ++i + 1 == v.size()))
            return std::nullopt;  // a bare quote inside, or an escape of the closing quote
        value += v[i];
    }
    return is_token(value) ? std::optional(value) : std::nullopt;
}

// RFC 7692 §7.1.2: "a decimal integer value without leading zeroes between 8 to 15, inclusive".
std::optional<int> parse_window_bits(std::string_view value)
{
    static constexpr std::array<std::string_view, 8> valid{"8", "9", "10", "11", "12", "13", "14", "15"};
    const auto it = std::find(valid.begin(), valid.end(), value);
    return it == valid.end() ? std::nullopt : std::optional(static_cast<int>(it - valid.begin()) + 8);
}

// Our answer to one element of the list, or nothing if it is another extension, malformed, has an unknown,
// duplicate or invalid parameter, or asks for what we cannot do.
std::optional<deflate_negotiation> answer(std::string_view element, const deflate_settings& ours)
{
    const auto parts = split(element, ';');
    if (!iequals(parts[0], "permessage-deflate"))
        return std::nullopt;
    std::optional<int> server_bits;  // the client's limit on our window
    std::optional<int> client_bits;  // the value of client_max_window_bits, when it has one
    bool client_bits_offered = false;
    bool server_nct = false, client_nct = false;  // *_no_context_takeover
    for (std::size_t i = 1; i < parts.size(); ++i)
    {
        const auto eq = parts[i].find('=');
        const auto name = trim(parts[i].substr(0, eq));
        std::optional<std::string> value;
        if (eq != std::string_view::npos && !(value = parse_value(trim(parts[i].substr(eq + 1)))))
            return std::nullopt;
        const bool server_side = iequals(name, "server_no_context_takeover");
        if (server_side || iequals(name, "client_no_context_takeover"))
        {
            if (std::exchange(server_side ? server_nct : client_nct, true) || value)
                return std::nullopt;  // a duplicate, or a value: these parameters have none (§7.1.1)
        }
        else if (iequals(name, "server_max_window_bits"))
        {
            if (server_bits || !value || !(server_bits = parse_window_bits(*value)))
                return std::nullopt;  // a duplicate, or a missing or invalid value (§7.1.2.1)
        }
        else if (!iequals(name, "client_max_window_bits") || std::exchange(client_bits_offered, true) || (value && !(client_bits = parse_window_bits(*value))))
            return std::
                nullopt;  // unknown or empty (";;"), or a duplicate or invalid client window (§7.1.2.2)
    }
    // zlib refuses a raw deflate stream with a 256-byte window (since 1.2.9), so we cannot promise 8.
    if (server_bits == 8)
        return std::nullopt;
    const int our_bits = std::clamp(ours.max_window_bits, 9, 15);
    deflate_negotiation result;
    auto& params = result.params;
    params.server_max_window_bits = std::min(our_bits, server_bits.value_or(15));
    // A client window may be stated only if the client offered the parameter (§7.1.2.2).
    const bool state_client_bits = client_bits_offered && (our_bits < 15 || client_bits);
    params.client_max_window_bits = state_client_bits ? std::min(our_bits, client_bits.value_or(15)) : 15;
    params.server_no_context_takeover = server_nct || ours.no_context_takeover;
    params.client_no_context_takeover = client_nct || ours.no_context_takeover;
    result.response = std::string("permessage-deflate") +
                      (params.server_no_context_takeover ? "; server_no_context_takeover" : "") +
                      (params.client_no_context_takeover ? "; client_no_context_takeover" : "");
    if (server_bits || our_bits < 15)  // once offered, an acceptance must state it (§7.1.2.1)
        result.response += "; server_max_window_bits=" + std::to_string(params.server_max_window_bits);
    if (state_client_bits)
        result.response += "; client_max_window_bits=" + std::to_string(params.client_max_window_bits);
    return result;
}

}  // namespace

std::optional<deflate_negotiation> negotiate_deflate(std::string_view offers, const deflate_settings& ours)
{
    for (const auto element : split(offers, ','))
        if (auto result = answer(element, ours))
            return result;
    return std::nullopt;
}

}  // namespace wsecho::codec
