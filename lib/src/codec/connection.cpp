// File: codec/connection.cpp — the server side of one WebSocket connection, bytes in, bytes out.
#include <wsecho/codec/connection.hpp>

#include <algorithm>

namespace wsecho::codec {

namespace {

// A data frame with at least this much payload still to come is read straight into the message's place.
constexpr std::uint64_t direct_read_min_bytes = 4096;

std::span<const std::byte> as_bytes(std::string_view s)
{
    return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

}  // namespace

connection::connection(const connection_options& options)
    : options_(options),
      parser_(frame_parser::limits{
          .max_message_bytes = options.max_message_bytes, .compression = options.deflate.has_value()})
{}

connection::~connection() = default;
connection::connection(connection&&) noexcept = default;
connection& connection::operator=(connection&&) noexcept = default;

std::string_view connection::peer_close_reason() const noexcept
{
    auto reason = parser_.close_reason();
    return {reinterpret_cast<const char*>(reason.data()), reason.size()};
}

connection::event connection::next(std::span<std::byte> input, byte_buffer& out)
{
    if (state_ == state::closed)
        return {.what = event::closed};
    std::size_t used = 0;
    for (;;)
    {
        const auto r = parser_.next(input.subspan(used));
        used += r.consumed;
        switch (r.what)
        {
        case frame_parser::event::need_more: return {.what = event::need_more, .consumed = used};
        case frame_parser::event::data:
            if (auto e = on_data(r, out); e.what != event::need_more)
            {
                e.consumed = used;
                return e;
            }
            break;
        case frame_parser::event::ping:
            // After our close frame nothing more may go out, pongs included (RFC 6455 §5.5.1).
            if (state_ == state::open)
                append_frame(out, opcode::pong, parser_.control_payload());
            break;
        case frame_parser::event::pong: break;
        case frame_parser::event::close:
            peer_close_code_ = parser_.close_code();
            if (state_ == state::open)
            {
                // Echo the peer's code (RFC 6455 §5.5.1); an empty close is answered with 1000, never empty.
                close_sent_ =
                    *peer_close_code_ == close_codes::no_status ? close_codes::normal : *peer_close_code_;
                append_close_frame(out, close_sent_);
            }
            state_ = state::closed;
            return {.what = event::closed, .consumed = used};
        case frame_parser::event::error:
            // A close frame with a forbidden code or a reason that is not UTF-8 still says what the peer sent.
            if (parser_.error() == violation::invalid_close_code ||
                parser_.error() == violation::invalid_close_reason)
                peer_close_code_ = parser_.close_code();
            return fail(parser_.error(), used, out);
        }
    }
}

connection::event connection::on_data(const frame_parser::result& r, byte_buffer& out)
{
    const bool text = parser_.text();
    if (!parser_.compressed())
    {
        // The common case: a whole message in one input, echoed from where it lies.
        if (r.last && !assembling_)
            return {.what = event::message, .payload = r.payload, .text = text};
        if (!assembling_)
            begin_message();
        // Bytes read through direct_read_room() are already in place.
        if (r.payload.data() == message_.data() + message_.size())
            message_.commit(r.payload.size());
        else
            message_.append(r.payload);
    }
    else
    {
        if (!assembling_)
        {
            begin_message();
            inflated_utf8_.reset();
        }
        if (!inflater_)
            inflater_ = std::make_unique<message_inflater>(*options_.deflate);
        const std::size_t before = message_.size();
        switch (inflater_->inflate(r.payload, r.last, message_, options_.max_message_bytes))
        {
        case inflate_status::too_big: return fail(violation::message_too_big, 0, out);
        case inflate_status::corrupt: return fail(violation::corrupt_compressed_data, 0, out);
        case inflate_status::ok: break;
        }
        if (text && !inflated_utf8_.feed(message_.bytes().subspan(before)))
            return fail(violation::invalid_utf8, 0, out);
        if (r.last && text && !inflated_utf8_.complete())
            return fail(violation::truncated_utf8, 0, out);
    }
    if (!r.last)
        return {.what = event::need_more};
    assembling_ = false;
    return {.what = event::message, .payload = message_.bytes(), .text = text};
}

connection::event connection::fail(violation v, std::size_t consumed, byte_buffer& out)
{
    error_ = v;
    if (state_ == state::open)
    {
        close_sent_ = close_code_for(v);
        append_close_frame(out, close_sent_, as_bytes(violation_category().message(static_cast<int>(v))));
    }
    state_ = state::closed;
    return {.what = event::closed, .consumed = consumed};
}

std::span<const std::byte>
connection::send_message(bool text, std::span<const std::byte> payload, byte_buffer& out)
{
    if (state_ != state::open)
        return {};
    const opcode op = text ? opcode::text : opcode::binary;
    if (options_.deflate && payload.size() >= options_.min_compressed_bytes)
    {
        if (!deflater_)
            deflater_ = std::make_unique<message_deflater>(*options_.deflate, options_.compression);
        // Compressed first, then framed: the header needs the compressed size.
        thread_local byte_buffer compressed;
        compressed.clear();
        deflater_->deflate(payload, compressed);
        append_frame(out, op, compressed.bytes(), true);
        compressed.clear();  // release_if_larger() frees only an empty buffer
        compressed.release_if_larger(retained_message_bytes);
        return {};
    }
    if (payload.size() > copied_payload_bytes)
    {
        append_frame_header(out, op, payload.size());
        return payload;
    }
    append_frame(out, op, payload);
    return {};
}

void connection::message_done()
{
    message_.clear();
}

void connection::release_idle_memory() noexcept
{
    if (!assembling_)
        message_.release_if_larger(0);
}

void connection::begin_message() noexcept
{
    message_.clear();
    assembling_ = true;
    kept_room_ = message_.capacity();
}

void connection::send_ping(byte_buffer& out)
{
    if (state_ == state::open)
        append_frame(out, opcode::ping, {});
}

void connection::send_close(std::uint16_t code, std::string_view reason, byte_buffer& out)
{
    if (state_ != state::open)
        return;
    append_close_frame(out, code, as_bytes(reason));
    close_sent_ = code;
    state_ = state::closing;
}

std::span<std::byte> connection::direct_read_room()
{
    const std::uint64_t left = parser_.data_payload_left();
    if (state_ == state::closed || left < direct_read_min_bytes || parser_.compressed())
        return {};
    if (!assembling_)
        begin_message();
    // Room for the rest of the frame, but never more than the message already holds (at least 64 KiB) or
    // the room the connection kept from earlier messages: a peer announcing 16 MiB must send it before we
    // hold it.
    const std::size_t held = message_.size();
    const std::uint64_t earned =
        std::max({held, std::size_t{64 * 1024}, kept_room_ > held ? kept_room_ - held : 0});
    const std::uint64_t room = std::min<std::uint64_t>(left, earned);
    return message_.prepare(static_cast<std::size_t>(room));
}

}  // namespace wsecho::codec
