// File: support/ws_peer.cpp — Beast-based peers for the tests (see ws_peer.hpp).
#include "support/ws_peer.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <stdexcept>

namespace wsecho::test {

using net::use_awaitable;
using ws_stream = websocket::stream<beast::tcp_stream>;

struct ws_peer::impl
{
    ws_stream ws;
    beast::flat_buffer buffer;
    explicit impl(const net::any_io_executor& ex) : ws(ex) {}
};

ws_peer::ws_peer(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
ws_peer::ws_peer(ws_peer&&) noexcept = default;
ws_peer& ws_peer::operator=(ws_peer&&) noexcept = default;
ws_peer::~ws_peer() = default;

net::awaitable<ws_peer> ws_peer::connect(tcp::endpoint server, std::string target)
{
    auto p = std::make_unique<impl>(co_await net::this_coro::executor);
    co_await beast::get_lowest_layer(p->ws).async_connect(server, use_awaitable);
    p->ws.read_message_max(64u << 20);
    co_await p->ws.async_handshake(server.address().to_string(), target, use_awaitable);
    co_return ws_peer(std::move(p));
}

net::awaitable<void> ws_peer::send(std::string_view payload, bool text)
{
    impl_->ws.text(text);
    co_await impl_->ws.async_write(net::buffer(payload), use_awaitable);
}

net::awaitable<ws_message> ws_peer::receive()
{
    impl_->buffer.clear();
    co_await impl_->ws.async_read(impl_->buffer, use_awaitable);
    co_return ws_message{beast::buffers_to_string(impl_->buffer.cdata()), impl_->ws.got_text()};
}

net::awaitable<std::uint16_t> ws_peer::close(std::uint16_t code, std::string reason)
{
    co_await impl_->ws.async_close(
        websocket::close_reason(static_cast<websocket::close_code>(code), reason), use_awaitable
    );
    co_return static_cast<std::uint16_t>(impl_->ws.reason().code);
}

net::awaitable<std::vector<ws_message>> ws_peer::receive_until_close()
{
    std::vector<ws_message> messages;
    for (;;)
    {
        impl_->buffer.clear();
        auto [ec, size] = co_await impl_->ws.async_read(impl_->buffer, use_nothrow_awaitable);
        if (ec == websocket::error::closed)
            co_return messages;
        if (ec)
            throw boost::system::system_error(ec, "receive_until_close");
        messages.push_back({beast::buffers_to_string(impl_->buffer.cdata()), impl_->ws.got_text()});
    }
}

net::awaitable<http::response<http::string_body>>
http_exchange(tcp::endpoint server, http::verb method, std::string target)
{
    beast::tcp_stream stream(co_await net::this_coro::executor);
    co_await stream.async_connect(server, use_awaitable);
    http::request<http::empty_body> req{method, target, 11};
    req.set(http::field::host, server.address().to_string());
    req.keep_alive(false);
    co_await http::async_write(stream, req, use_awaitable);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.skip(method == http::verb::head);  // a HEAD response has Content-Length but no body
    co_await http::async_read(stream, buffer, parser, use_awaitable);
    co_return parser.release();
}

net::awaitable<std::string> raw_exchange(tcp::endpoint server, std::string bytes)
{
    tcp::socket socket(co_await net::this_coro::executor);
    co_await socket.async_connect(server, use_awaitable);
    co_await net::async_write(socket, net::buffer(bytes), use_awaitable);
    std::string received;
    auto [ec, size] = co_await net::async_read(socket, net::dynamic_buffer(received), use_nothrow_awaitable);
    if (ec && ec != net::error::eof && ec != net::error::connection_reset)
        throw boost::system::system_error(ec, "raw_exchange");
    co_return received;
}

std::string encode_client_frame(std::uint8_t opcode, std::string_view payload)
{
    if (payload.size() > 0xffff)
        throw std::invalid_argument("encode_client_frame: payload over 64 KiB");
    std::string frame;
    frame += static_cast<char>(0x80 | opcode);  // FIN + opcode
    if (payload.size() < 126)
        frame += static_cast<char>(0x80 | payload.size());  // MASK bit + length
    else
    {
        frame += static_cast<char>(0x80 | 126);
        frame += static_cast<char>(payload.size() >> 8);
        frame += static_cast<char>(payload.size() & 0xff);
    }
    const char key[4] = {0x12, 0x34, 0x56, 0x78};
    frame.append(key, 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        frame += static_cast<char>(payload[i] ^ key[i % 4]);
    return frame;
}

std::string close_payload(std::uint16_t code, std::string_view reason)
{
    std::string payload;
    payload += static_cast<char>(code >> 8);
    payload += static_cast<char>(code & 0xff);
    payload += reason;
    return payload;
}

std::vector<raw_frame> decode_server_frames(std::string_view bytes)
{
    std::vector<raw_frame> frames;
    auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes.at(i)); };
    std::size_t pos = 0;
    while (pos < bytes.size())
    {
        raw_frame f;
        f.opcode = byte(pos) & 0x0f;
        std::uint64_t length = byte(pos + 1) & 0x7f;
        pos += 2;
        if (length == 126)
        {
            length = (std::uint64_t{byte(pos)} << 8) | byte(pos + 1);
            pos += 2;
        }
        else if (length == 127)
        {
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | byte(pos + static_cast<std::size_t>(i));
            pos += 8;
        }
        if (pos + length > bytes.size())
            throw std::runtime_error("decode_server_frames: truncated frame");
        f.payload = std::string(bytes.substr(pos, length));
        pos += length;
        frames.push_back(std::move(f));
    }
    return frames;
}

net::awaitable<std::string> raw_ws_exchange(tcp::endpoint server, std::string frames)
{
    tcp::socket socket(co_await net::this_coro::executor);
    co_await socket.async_connect(server, use_awaitable);
    std::string upgrade =
        "GET /socket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    co_await net::async_write(socket, net::buffer(upgrade), use_awaitable);
    std::string received;
    auto header_end =
        co_await net::async_read_until(socket, net::dynamic_buffer(received), "\r\n\r\n", use_awaitable);
    if (received.rfind("HTTP/1.1 101", 0) != 0)
        throw std::runtime_error("raw_ws_exchange: no upgrade: " + received);
    received.erase(0, header_end);
    co_await net::async_write(socket, net::buffer(frames), use_awaitable);
    auto [ec, size] = co_await net::async_read(socket, net::dynamic_buffer(received), use_nothrow_awaitable);
    if (ec && ec != net::error::eof && ec != net::error::connection_reset)
        throw boost::system::system_error(ec, "raw_ws_exchange");
    co_return received;
}

struct silent_ws_server::impl
{
    tcp::acceptor acceptor;
    std::unique_ptr<ws_stream> held;  // kept open and unread until the test ends
    impl(const net::any_io_executor& ex, std::uint16_t port)
        : acceptor(ex, tcp::endpoint(net::ip::address_v4::loopback(), port))
    {}
};

silent_ws_server::silent_ws_server(const net::any_io_executor& ex, std::uint16_t port)
    : impl_(std::make_unique<impl>(ex, port))
{}
silent_ws_server::~silent_ws_server() = default;

tcp::endpoint silent_ws_server::endpoint() const
{
    return impl_->acceptor.local_endpoint();
}

net::awaitable<void> silent_ws_server::accept_and_go_silent()
{
    auto socket = co_await impl_->acceptor.async_accept(use_awaitable);
    impl_->held = std::make_unique<ws_stream>(std::move(socket));
    co_await impl_->held->async_accept(use_awaitable);
}

net::awaitable<void> silent_ws_server::accept_and_close(std::uint16_t code)
{
    co_await accept_and_go_silent();
    co_await impl_->held->async_close(
        websocket::close_reason(static_cast<websocket::close_code>(code), "test server leaving"),
        use_awaitable
    );
}

void silent_ws_server::vanish()
{
    error_code ignored;
    if (impl_->held)
        beast::get_lowest_layer(*impl_->held).socket().close(ignored);
    impl_->acceptor.close(ignored);
}

}  // namespace wsecho::test
