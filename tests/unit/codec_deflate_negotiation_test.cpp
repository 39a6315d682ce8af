// File: unit/codec_deflate_negotiation_test.cpp — permessage-deflate's handshake: which offers we accept and
// what we answer (RFC 7692 §5, §7.1), as one table.
#include <wsecho/codec/deflate.hpp>

#include <gtest/gtest.h>

#include <string>

using namespace wsecho::codec;

namespace {

deflate_settings ours(int max_window_bits = 15, bool no_context_takeover = false)
{
    return {max_window_bits, no_context_takeover, 6, 4};
}

}  // namespace

// Each row: the client's Sec-WebSocket-Extensions, our settings, and our answer (nullptr: declined).
TEST(codec_deflate, negotiation_follows_rfc_7692)
{
    struct
    {
        const char* name;
        const char* offers;
        deflate_settings ours;
        const char* response;
        deflate_params params;  // server bits, client bits, server nct, client nct
    } cases[] = {
        {"plain offer", "permessage-deflate", ours(), "permessage-deflate", {15, 15, false, false}},
        {"chrome",
         "permessage-deflate; client_max_window_bits",
         ours(),
         "permessage-deflate",
         {15, 15, false, false}},
        {"server window offered",
         "permessage-deflate; server_max_window_bits=10",
         ours(),
         "permessage-deflate; server_max_window_bits=10",
         {10, 15, false, false}},
        {"offered window below ours",
         "permessage-deflate; server_max_window_bits=10",
         ours(12),
         "permessage-deflate; server_max_window_bits=10",
         {10, 15, false, false}},
        {"ours below offered window",
         "permessage-deflate; server_max_window_bits=14",
         ours(12),
         "permessage-deflate; server_max_window_bits=12",
         {12, 15, false, false}},
        {"ours below 15 is stated",
         "permessage-deflate",
         ours(10),
         "permessage-deflate; server_max_window_bits=10",
         {10, 15, false, false}},
        {"client window without value",
         "permessage-deflate; client_max_window_bits",
         ours(11),
         "permessage-deflate; server_max_window_bits=11; client_max_window_bits=11",
         {11, 11, false, false}},
        {"client window with value",
         "permessage-deflate; client_max_window_bits=12",
         ours(),
         "permessage-deflate; client_max_window_bits=12",
         {15, 12, false, false}},
        {"client window capped by ours",
         "permessage-deflate; client_max_window_bits=12",
         ours(10),
         "permessage-deflate; server_max_window_bits=10; client_max_window_bits=10",
         {10, 10, false, false}},
        {"client window 8",
         "permessage-deflate; client_max_window_bits=8",
         ours(),
         "permessage-deflate; client_max_window_bits=8",
         {15, 8, false, false}},
        {"no client window unless offered",
         "permessage-deflate; server_max_window_bits=12",
         ours(9),
         "permessage-deflate; server_max_window_bits=9",
         {9, 15, false, false}},
        {"no context takeover offered",
         "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
         ours(),
         "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
         {15, 15, true, true}},
        {"no context takeover ours",
         "permessage-deflate",
         ours(15, true),
         "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
         {15, 15, true, true}},
        {"beast client, window 10, no takeover",
         "permessage-deflate; server_max_window_bits=10; client_max_window_bits=10; "
         "server_no_context_takeover; "
         "client_no_context_takeover",
         ours(),
         "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
         "server_max_window_bits=10; client_max_window_bits=10",
         {10, 10, true, true}},
        {"duplicate parameter",
         "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
         ours(),
         nullptr,
         {}},
        {"duplicate flag",
         "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
         ours(),
         nullptr,
         {}},
        {"duplicate client window",
         "permessage-deflate; client_max_window_bits; client_max_window_bits=9",
         ours(),
         nullptr,
         {}},
        {"unknown parameter", "permessage-deflate; foo", ours(), nullptr, {}},
        {"second offer after a declined one",
         "permessage-deflate; foo=1, permessage-deflate; client_max_window_bits",
         ours(),
         "permessage-deflate",
         {15, 15, false, false}},
        {"window 8 declined", "permessage-deflate; server_max_window_bits=8", ours(), nullptr, {}},
        {"window 8, then a fallback",
         "permessage-deflate; server_max_window_bits=8, permessage-deflate",
         ours(12),
         "permessage-deflate; server_max_window_bits=12",
         {12, 15, false, false}},
        {"window 16", "permessage-deflate; server_max_window_bits=16", ours(), nullptr, {}},
        {"window 7", "permessage-deflate; client_max_window_bits=7", ours(), nullptr, {}},
        {"leading zero", "permessage-deflate; server_max_window_bits=09", ours(), nullptr, {}},
        {"server window needs a value", "permessage-deflate; server_max_window_bits", ours(), nullptr, {}},
        {"value on a flag", "permessage-deflate; server_no_context_takeover=1", ours(), nullptr, {}},
        {"empty value on a flag", "permessage-deflate; client_no_context_takeover=\"\"", ours(), nullptr, {}},
        {"x-webkit-deflate-frame skipped",
         "x-webkit-deflate-frame, permessage-deflate; client_no_context_takeover",
         ours(),
         "permessage-deflate; client_no_context_takeover",
         {15, 15, false, true}},
        {"only other extensions", "x-webkit-deflate-frame, foo; bar=1", ours(), nullptr, {}},
        {"nothing offered", "", ours(), nullptr, {}},
        {"quoted values",
         "permessage-deflate; server_max_window_bits=\"10\"; client_max_window_bits=\"1\\1\"",
         ours(),
         "permessage-deflate; server_max_window_bits=10; client_max_window_bits=11",
         {10, 11, false, false}},
        {"unterminated quote", "permessage-deflate; server_max_window_bits=\"10", ours(), nullptr, {}},
        {"quoted separators in another extension",
         "foo; bar=\"a,b;c\", permessage-deflate",
         ours(),
         "permessage-deflate",
         {15, 15, false, false}},
        {"case-insensitive",
         "PerMessage-Deflate; Server_Max_Window_Bits=11; CLIENT_NO_CONTEXT_TAKEOVER",
         ours(),
         "permessage-deflate; client_no_context_takeover; server_max_window_bits=11",
         {11, 15, false, true}},
        {"whitespace and empty elements",
         " ,\t, permessage-deflate ;\tserver_max_window_bits = 12 ;"
         " client_max_window_bits ,",
         ours(),
         "permessage-deflate; server_max_window_bits=12",
         {12, 15, false, false}},
        {"trailing semicolon", "permessage-deflate;", ours(), nullptr, {}},
    };
    for (const auto& c : cases)
    {
        SCOPED_TRACE(c.name);
        const auto result = negotiate_deflate(c.offers, c.ours);
        ASSERT_EQ(result.has_value(), c.response != nullptr) << (result ? result->response : "");
        if (!result)
            continue;
        EXPECT_EQ(result->response, c.response);
        EXPECT_EQ(result->params, c.params);
    }
}
