// File: upgrade.cpp — checking an upgrade request and building the 101 (RFC 6455 §4.2.1-2, RFC 7692 §5).
#include <wsecho/detail/upgrade.hpp>

#include <openssl/evp.h>

#include <array>

namespace wsecho::detail {

namespace {

std::string base64(const unsigned char* data, std::size_t size)
{
    static constexpr char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < size; i += 3)
    {
        const std::size_t n = std::min<std::size_t>(3, size - i);
        std::uint32_t group = static_cast<std::uint32_t>(data[i]) << 16;
        if (n > 1)
            group |= static_cast<std::uint32_t>(data[i + 1]) << 8;
        if (n > 2)
            group |= data[i + 2];
        for (std::size_t j = 0; j < 4; ++j)
            out += j <= n ? digits[(group >> (18 - 6 * j)) & 0x3F] : '=';
    }
    return out;
}

http_response
refusal(http::status status, const http_request& req, const session_config& cfg, std::string_view detail)
{
    auto res = make_error_response(status, req.version(), cfg.server_name, detail);
    if (status == http::status::upgrade_required)
        res.set(http::field::sec_websocket_version, "13");
    return res;
}

// RFC 7692 §8: every Sec-WebSocket-Extensions line of the request, as one list.
std::string extension_offers(const http_request& req)
{
    std::string offers;
    for (auto [it, end] = req.equal_range(http::field::sec_websocket_extensions); it != end; ++it)
    {
        if (!offers.empty())
            offers += ", ";
        offers += std::string_view(it->value());
    }
    return offers;
}

codec::deflate_settings compression_settings(const deflate_options& d)
{
    return {
        .max_window_bits = d.max_window_bits,
        .no_context_takeover = d.no_context_takeover,
        .level = d.level,
        .mem_level = d.mem_level};
}

}  // namespace

std::string websocket_accept_key(std::string_view key)
{
    static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    std::string input(key);
    input += guid;
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    EVP_Digest(input.data(), input.size(), digest.data(), &size, EVP_sha1(), nullptr);
    return base64(digest.data(), size);
}

upgrade_decision decide_upgrade(const http_request& req, const session_config& cfg)
{
    // route_request() has checked GET, Connection: Upgrade, Upgrade: websocket, the key's form and the origin.
    auto refuse = [&](http::status status, websocket::error why, std::string_view detail) {
        return upgrade_decision{.refusal = refusal(status, req, cfg, detail), .error = why};
    };
    if (req.version() < 11)
        return refuse(
            http::status::bad_request, websocket::error::bad_http_version, "an upgrade needs HTTP/1.1"
        );
    if (req.find(http::field::host) == req.end())
        return refuse(http::status::bad_request, websocket::error::no_host, "the upgrade has no Host header");
    const std::string_view key = req[http::field::sec_websocket_key];
    if (key.empty())
        return refuse(http::status::bad_request, websocket::error::no_sec_key, "no Sec-WebSocket-Key");
    const std::string_view version = req[http::field::sec_websocket_version];
    if (version.empty())
        return refuse(
            http::status::bad_request, websocket::error::no_sec_version, "no Sec-WebSocket-Version"
        );
    if (version != "13")
        return refuse(
            http::status::upgrade_required,
            websocket::error::bad_sec_version,
            "this server speaks WebSocket version 13 (RFC 6455)"
        );

    upgrade_decision decision;
    decision.options.max_message_bytes = cfg.max_message_bytes;
    decision.options.min_compressed_bytes = cfg.deflate.min_message_bytes;
    std::string extensions;
    if (cfg.deflate.enabled)
    {
        decision.options.compression = compression_settings(cfg.deflate);
        if (auto agreed = codec::negotiate_deflate(extension_offers(req), decision.options.compression))
        {
            decision.options.deflate = agreed->params;
            extensions = std::move(agreed->response);
        }
    }
    decision.accept = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: " +
                      websocket_accept_key(key) + "\r\nServer: " + cfg.server_name + "\r\n";
    if (!extensions.empty())
        decision.accept += "Sec-WebSocket-Extensions: " + extensions + "\r\n";
    decision.accept += "\r\n";
    return decision;
}

}  // namespace wsecho::detail
