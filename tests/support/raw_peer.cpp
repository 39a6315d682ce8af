// File: support/raw_peer.cpp — the raw-frame WebSocket test peer (see raw_peer.hpp).
#include "support/raw_peer.hpp"

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <random>
#include <stdexcept>

namespace wsecho::test {

namespace {

// Frames larger than this from the server mean a broken header, not a real echo (the server's limit is 16 MiB).
constexpr std::uint64_t max_server_frame_bytes = 64u << 20;

std::array<std::uint8_t, 4> next_mask_key()
{
    // A fixed seed: keys vary from frame to frame, yet every run sends the same bytes.
    static std::mt19937 rng(0x6455);
    std::array<std::uint8_t, 4> key{};
    for (auto& k : key)
        k = static_cast<std::uint8_t>(rng() & 0xff);
    return key;
}

void append_big_endian(std::string& out, std::uint64_t value, int bytes)
{
    for (int i = bytes - 1; i >= 0; --i)
        out += static_cast<char>((value >> (8 * i)) & 0xff);
}

}  // namespace

std::string encode_frame(const frame_spec& frame)
{
    if (frame.opcode > 0xf)
        throw std::invalid_argument("encode_frame: opcode over 15");
    const std::uint64_t size = frame.payload.size();
    const int bits = frame.length == length_encoding::bits7    ? 7
                     : frame.length == length_encoding::bits16 ? 16
                     : frame.length == length_encoding::bits64 ? 64
                                                               : minimal_length_bits(frame.payload.size());
    if ((bits == 7 && size > 125) || (bits == 16 && size > 0xffff))
        throw std::invalid_argument("encode_frame: length encoding too small for the payload");

    std::string out;
    out.reserve(frame.payload.size() + 14);
    out += static_cast<char>(
        (frame.fin ? 0x80 : 0) | (frame.rsv1 ? 0x40 : 0) | (frame.rsv2 ? 0x20 : 0) | (frame.rsv3 ? 0x10 : 0) |
        frame.opcode
    );
    const int mask_bit = frame.masked ? 0x80 : 0;
    if (bits == 7)
        out += static_cast<char>(mask_bit | static_cast<int>(size));
    else if (bits == 16)
    {
        out += static_cast<char>(mask_bit | 126);
        append_big_endian(out, size, 2);
    }
    else
    {
        out += static_cast<char>(mask_bit | 127);
        append_big_endian(out, size, 8);
    }
    if (!frame.masked)
        return out + frame.payload;

    const auto key = frame.mask_key ? *frame.mask_key : next_mask_key();
    out.append(reinterpret_cast<const char*>(key.data()), key.size());
    const std::size_t start = out.size();
    out += frame.payload;
    for (std::size_t i = 0; i < frame.payload.size(); ++i)
        out[start + i] = static_cast<char>(static_cast<std::uint8_t>(out[start + i]) ^ key[i % 4]);
    return out;
}

std::string close_frame_payload(std::uint16_t code, std::string_view reason)
{
    std::string payload;
    append_big_endian(payload, code, 2);
    payload += reason;
    return payload;
}

int minimal_length_bits(std::size_t size)
{
    return size <= 125 ? 7 : size <= 0xffff ? 16 : 64;
}

raw_peer::raw_peer(tcp::socket socket) : socket_(std::move(socket)) {}

net::awaitable<raw_peer> raw_peer::connect(tcp::endpoint server)
{
    tcp::socket socket(co_await net::this_coro::executor);
    co_await socket.async_connect(server, net::use_awaitable);
    socket.set_option(tcp::no_delay(true));
    co_return raw_peer(std::move(socket));
}

net::awaitable<raw_peer> raw_peer::open(tcp::endpoint server, std::string target)
{
    auto peer = co_await connect(server);
    co_await peer.upgrade(std::move(target));
    co_return peer;
}

net::awaitable<void> raw_peer::upgrade(std::string target)
{
    co_await send(
        "GET " + target +
        " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: " +
        std::string(sample_key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    auto res = co_await read_http_response();
    if (res.result() != http::status::switching_protocols)
        throw std::runtime_error(
            "raw_peer::upgrade: got " + std::to_string(res.result_int()) + ": " + res.body()
        );
    if (!beast::iequals(res[http::field::upgrade], "websocket"))
        throw std::runtime_error(
            "raw_peer::upgrade: Upgrade is '" + std::string(res[http::field::upgrade]) + "'"
        );
    if (!http::token_list{res[http::field::connection]}.exists("upgrade"))
        throw std::runtime_error(
            "raw_peer::upgrade: Connection is '" + std::string(res[http::field::connection]) + "'"
        );
    if (res[http::field::sec_websocket_accept] != sample_accept)
        throw std::runtime_error(
            "raw_peer::upgrade: Sec-WebSocket-Accept is '" +
            std::string(res[http::field::sec_websocket_accept]) + "'"
        );
}

net::awaitable<http::response<http::string_body>> raw_peer::read_http_response()
{
    http::response_parser<http::string_body> parser;
    co_await http::async_read(socket_, buffer_, parser, net::use_awaitable);
    co_return parser.release();
}

net::awaitable<void> raw_peer::send(std::string bytes, write_plan plan)
{
    const auto& sizes = plan.chunk_sizes();
    if (std::find(sizes.begin(), sizes.end(), 0u) != sizes.end())
        throw std::invalid_argument("raw_peer::send: a chunk size of 0");
    std::size_t pos = 0;
    std::size_t turn = 0;
    while (pos < bytes.size())
    {
        std::size_t n = bytes.size() - pos;
        if (!sizes.empty())
            n = std::min(n, sizes[turn++ % sizes.size()]);
        co_await net::async_write(socket_, net::buffer(bytes.data() + pos, n), net::use_awaitable);
        pos += n;
    }
}

net::awaitable<void> raw_peer::send(const frame_spec& frame, write_plan plan)
{
    return send(encode_frame(frame), std::move(plan));  // not a coroutine: `frame` need not outlive the call
}

net::awaitable<bool> raw_peer::fill(std::size_t n)
{
    while (buffer_.size() < n)
    {
        if (ended_)
            co_return false;
        const std::size_t want = std::max<std::size_t>(n - buffer_.size(), 64u << 10);
        auto [ec, got] = co_await socket_.async_read_some(buffer_.prepare(want), use_nothrow_awaitable);
        buffer_.commit(got);
        if (ec == net::error::eof)
            ended_ = tcp_end::eof;
        else if (ec == net::error::connection_reset)
            ended_ = tcp_end::reset;
        else if (ec)
            throw boost::system::system_error(ec, "raw_peer: read");
    }
    co_return true;
}

net::awaitable<std::optional<server_frame>> raw_peer::read_frame()
{
    if (!co_await fill(2))
    {
        if (buffer_.size() == 0)
            co_return std::nullopt;
        throw std::runtime_error("raw_peer: the connection ended inside a frame header");
    }
    auto byte = [this](std::size_t i) { return static_cast<const std::uint8_t*>(buffer_.data().data())[i]; };
    server_frame f;
    f.fin = (byte(0) & 0x80) != 0;
    f.rsv1 = (byte(0) & 0x40) != 0;
    f.rsv2 = (byte(0) & 0x20) != 0;
    f.rsv3 = (byte(0) & 0x10) != 0;
    f.opcode = byte(0) & 0x0f;
    if ((byte(1) & 0x80) != 0)
        throw std::runtime_error("raw_peer: the server sent a masked frame (RFC 6455 §5.1 forbids it)");
    std::uint64_t length = byte(1) & 0x7f;
    std::size_t header = 2;
    if (length == 126)
    {
        f.length_bits = 16;
        header += 2;
    }
    else if (length == 127)
    {
        f.length_bits = 64;
        header += 8;
    }
    if (!co_await fill(header))
        throw std::runtime_error("raw_peer: the connection ended inside a frame header");
    if (f.length_bits != 7)
    {
        length = 0;
        for (std::size_t i = 2; i < header; ++i)
            length = (length << 8) | byte(i);
    }
    if (f.length_bits == 64 && (length >> 63) != 0)
        throw std::runtime_error("raw_peer: a 64-bit frame length with the top bit set");
    if (length > max_server_frame_bytes)
        throw std::runtime_error("raw_peer: a server frame of " + std::to_string(length) + " bytes");
    const auto size = static_cast<std::size_t>(length);
    if (!co_await fill(header + size))
        throw std::runtime_error("raw_peer: the connection ended inside a frame's payload");
    f.payload.assign(static_cast<const char*>(buffer_.data().data()) + header, size);
    buffer_.consume(header + size);
    co_return f;
}

net::awaitable<server_frame> raw_peer::expect_frame()
{
    auto f = co_await read_frame();
    if (!f)
        throw std::runtime_error("raw_peer: the connection ended where a frame was expected");
    co_return std::move(*f);
}

net::awaitable<closing> raw_peer::read_until_close()
{
    closing result;
    while (auto f = co_await read_frame())
    {
        if (f->opcode != opcode::close)
        {
            result.frames.push_back(std::move(*f));
            continue;
        }
        close_info info;
        if (f->payload.size() == 1)
            throw std::runtime_error("raw_peer: the server sent a 1-byte close payload");
        if (f->payload.size() >= 2)
        {
            info.code = static_cast<std::uint16_t>(
                (static_cast<std::uint8_t>(f->payload[0]) << 8) | static_cast<std::uint8_t>(f->payload[1])
            );
            info.reason = f->payload.substr(2);
        }
        result.close = std::move(info);
        break;
    }
    co_return result;
}

net::awaitable<tcp_end> raw_peer::expect_tcp_end()
{
    if (!ended_ && buffer_.size() == 0)
        co_await fill(1);
    if (buffer_.size() != 0)
        throw std::runtime_error(
            "raw_peer: expected the connection to end, got " + std::to_string(buffer_.size()) + " more bytes"
        );
    co_return *ended_;
}

net::awaitable<closing> raw_peer::close(std::uint16_t code, std::string reason)
{
    const frame_spec close_frame{.opcode = opcode::close, .payload = close_frame_payload(code, reason)};
    co_await send(close_frame);
    auto result = co_await read_until_close();
    if (!result.close)
        throw std::runtime_error("raw_peer::close: the connection ended without a close reply");
    co_await expect_tcp_end();
    co_return result;
}

}  // namespace wsecho::test
