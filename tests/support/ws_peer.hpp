// File: support/ws_peer.hpp — the peers the tests talk to: a plain Beast WebSocket client, a one-shot HTTP
// request, and misbehaving servers for the client's error paths. Compiled once (Beast is slow to build).
#pragma once

#include <wsecho/net.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wsecho::test {

struct ws_message
{
    std::string payload;
    bool text = true;
    bool operator==(const ws_message&) const = default;
};

// A WebSocket client that throws on any error (a failing test is what we want then).
class ws_peer
{
public:
    static net::awaitable<ws_peer> connect(tcp::endpoint server, std::string target = "/socket");
    ws_peer(ws_peer&&) noexcept;
    ws_peer& operator=(ws_peer&&) noexcept;
    ~ws_peer();

    net::awaitable<void> send(std::string_view payload, bool text);
    net::awaitable<ws_message> receive();
    // Sends a close frame and reads until the server's close reply; returns the code the server sent.
    net::awaitable<std::uint16_t> close(std::uint16_t code, std::string reason = {});
    // Reads messages until the server's close frame; returns them.
    net::awaitable<std::vector<ws_message>> receive_until_close();

private:
    struct impl;
    explicit ws_peer(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

// One request on a fresh connection (Connection: close); the response as the server sent it.
net::awaitable<http::response<http::string_body>>
http_exchange(tcp::endpoint server, http::verb method, std::string target);

// Writes raw bytes and returns everything the server sends until it closes the connection.
net::awaitable<std::string> raw_exchange(tcp::endpoint server, std::string bytes);

// Raw WebSocket frames, for peers that must do what Beast's client will not (e.g. close without draining).
struct raw_frame
{
    std::uint8_t opcode = 0;  // 1 text, 2 binary, 8 close, 9 ping, 10 pong
    std::string payload;
};
// One final, masked client frame (payloads up to 64 KiB).
std::string encode_client_frame(std::uint8_t opcode, std::string_view payload);
// A close frame's payload: the code in network order, then the reason.
std::string close_payload(std::uint16_t code, std::string_view reason = {});
// Splits unmasked server frames; throws if the bytes end inside a frame.
std::vector<raw_frame> decode_server_frames(std::string_view bytes);
// Upgrades with a fixed key, writes `frames` in one go, and returns every byte the server sends after
// its 101 response until it closes the connection.
net::awaitable<std::string> raw_ws_exchange(tcp::endpoint server, std::string frames);

// Accepts one connection, completes the WebSocket handshake and then never reads again, like a hung peer.
class silent_ws_server
{
public:
    // Listens on 127.0.0.1:`port` (0: a free one).
    explicit silent_ws_server(const net::any_io_executor& ex, std::uint16_t port = 0);
    ~silent_ws_server();
    tcp::endpoint endpoint() const;
    // Completes once the handshake with the client is done.
    net::awaitable<void> accept_and_go_silent();
    // Accepts one connection, completes the handshake and closes it with `code`.
    net::awaitable<void> accept_and_close(std::uint16_t code);
    // Goes away like a crashed server: closes the held connection (no close frame) and the listener.
    void vanish();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace wsecho::test
