// File: codec/deflate.cpp — permessage-deflate's zlib streams, which inflate and deflate messages (RFC 7692
// §7.2). The offer and its answer are in deflate_negotiation.cpp.
#include <wsecho/codec/deflate.hpp>

#define ZLIB_CONST  // next_in points to const: a payload is never written through it
#include <zlib.h>

#include <algorithm>
#include <array>
#include <new>
#include <stdexcept>
#include <utility>
#include <vector>

namespace wsecho::codec {

namespace {

// avail_in and avail_out are uInt (32 bits): a larger span goes to zlib in pieces of at most this.
constexpr std::size_t max_zlib_piece = std::size_t{1} << 30;
// Output room per zlib call: few calls, no swollen buffer for a short message, over the 6 bytes a flush needs.
constexpr std::size_t min_room = std::size_t{16} << 10;
constexpr std::size_t max_room = std::size_t{256} << 10;
// The tail of every Z_SYNC_FLUSH, which RFC 7692 §7.2.1 strips and §7.2.2 puts back.
constexpr std::array<std::byte, 4> sync_tail{
    std::byte{0x00}, std::byte{0x00}, std::byte{0xFF}, std::byte{0xFF}};
// 15 inflates whatever window the client uses, even one larger than agreed (zlib clients told 8 use 9).
constexpr int inflate_window_bits = 15;

// Makes the zlib stream on first use. Only an initialised stream reaches `stream`, whose deleter calls *End().
template <class Deleter, class Init>
z_stream& lazy_stream(std::unique_ptr<z_stream_s, Deleter>& stream, Init init)
{
    if (stream)
        return *stream;
    auto zs = std::make_unique<z_stream>();         // zalloc, zfree, opaque null: zlib's own allocator
    if (const int rc = init(zs.get()); rc != Z_OK)  // Z_MEM_ERROR (-4), or a zlib we were not built for
        throw std::runtime_error("zlib: cannot initialise a stream, error " + std::to_string(rc));
    stream.reset(zs.release());
    return *stream;
}

}  // namespace

template <bool Inflate>
void detail::zlib_stream_deleter<Inflate>::operator()(z_stream_s* stream) const noexcept
{
    static_cast<void>(Inflate ? inflateEnd(stream) : deflateEnd(stream));
    delete stream;
}
template struct detail::zlib_stream_deleter<true>;
template struct detail::zlib_stream_deleter<false>;

inflate_status message_inflater::inflate(
    std::span<const std::byte> part, bool last, byte_buffer& out, std::size_t max_message_bytes
)
{
    if (failure_ != inflate_status::ok)
        return failure_;
    message_has_input_ = message_has_input_ || !part.empty();
    auto status = part.empty() ? inflate_status::ok : feed(part, out, max_message_bytes);
    // An empty payload holds no DEFLATE data (§7.2.3.6): the tail alone would leave zlib inside a stored block.
    if (status == inflate_status::ok && last && message_has_input_)
        status = feed(sync_tail, out, max_message_bytes);
    if (status != inflate_status::ok)
        failure_ = status;
    else if (last)
        end_message();
    return status;
}

inflate_status
message_inflater::feed(std::span<const std::byte> input, byte_buffer& out, std::size_t max_message_bytes)
{
    auto& zs = lazy_stream(stream_, [](z_stream* s) { return inflateInit2(s, -inflate_window_bits); });
    // After a BFINAL block the rest of the message is padding and our tail (§7.2.3.4), not DEFLATE data.
    while (!stream_ended_)
    {
        const auto piece = std::min(input.size(), max_zlib_piece);
        // Room up to the limit and no further; at the limit, a one-byte probe tells whether more would come.
        const std::size_t allowed =
            message_bytes_ < max_message_bytes ? max_message_bytes - message_bytes_ : 0;
        std::byte probe{};
        const auto room = allowed == 0
                              ? std::span<std::byte>(&probe, 1)
                              : out.prepare(std::min(allowed, std::clamp(piece * 4, min_room, max_room)));
        zs.next_in = reinterpret_cast<const Bytef*>(input.data());
        zs.avail_in = static_cast<uInt>(piece);
        zs.next_out = reinterpret_cast<Bytef*>(room.data());
        zs.avail_out = static_cast<uInt>(room.size());
        const int rc = ::inflate(&zs, Z_SYNC_FLUSH);
        const std::size_t used = piece - zs.avail_in;
        const std::size_t produced = room.size() - zs.avail_out;
        if (allowed == 0 && produced > 0)
            return inflate_status::too_big;
        out.commit(produced);  // nothing when the probe was used
        message_bytes_ += produced;
        input = input.subspan(used);
        if (rc == Z_MEM_ERROR)
            throw std::bad_alloc();
        if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END)
            return inflate_status::corrupt;  // Z_DATA_ERROR, or Z_NEED_DICT
        stream_ended_ = rc == Z_STREAM_END;
        if (input.empty() && zs.avail_out != 0)
            break;  // all consumed, and nothing more pending inside zlib
        if (used == 0 && produced == 0 && !stream_ended_)
            return inflate_status::
                corrupt;  // no progress with room on both sides: should not happen; never spin
    }
    return inflate_status::ok;
}

void message_inflater::end_message()
{
    // After a BFINAL block zlib reads nothing more until reset. With context takeover the peer's next message
    // may still refer to this one, so the window is carried over that reset.
    const bool keep_window = stream_ended_ && !params_.client_no_context_takeover;
    std::vector<Bytef> window(keep_window ? std::size_t{1} << inflate_window_bits : 0);
    auto window_size = static_cast<uInt>(window.size());
    if (keep_window)
        inflateGetDictionary(stream_.get(), window.data(), &window_size);
    if (stream_ && (stream_ended_ || params_.client_no_context_takeover))
        inflateReset(stream_.get());
    if (keep_window)
        inflateSetDictionary(stream_.get(), window.data(), window_size);
    message_bytes_ = 0;
    message_has_input_ = false;
    stream_ended_ = false;
}

message_deflater::message_deflater(const deflate_params& params, const deflate_settings& ours)
    : params_(params), level_(std::clamp(ours.level, 0, 9)), mem_level_(std::clamp(ours.mem_level, 1, 9))
{}

void message_deflater::deflate(std::span<const std::byte> message, byte_buffer& out)
{
    // zlib writes nothing for a sync flush that follows another with no input between. 00 opens an empty
    // stored block whose length the peer's appended tail supplies (§7.2.3.6); our stream is untouched.
    if (message.empty())
        return out.append(std::array{std::byte{0x00}});
    auto& zs = lazy_stream(stream_, [this](z_stream* s) {
        const int bits =
            std::clamp(params_.server_max_window_bits, 9, 15);  // zlib cannot do 8 (see answer())
        return deflateInit2(s, level_, Z_DEFLATED, -bits, mem_level_, Z_DEFAULT_STRATEGY);
    });
    // The last four bytes written so far stay uncommitted (copied in `held`, put back at the start of the next
    // room): at the end they are the sync tail, stripped by never committing it; byte_buffer cannot uncommit.
    std::array<std::byte, 4> held{};
    std::size_t held_size = 0;
    while (!message.empty())
    {
        const auto piece = std::min(message.size(), max_zlib_piece);
        zs.next_in = reinterpret_cast<const Bytef*>(message.data());
        zs.avail_in = static_cast<uInt>(piece);
        message = message.subspan(piece);
        const int flush = message.empty() ? Z_SYNC_FLUSH : Z_NO_FLUSH;
        do
        {
            const auto room = out.prepare(held_size + std::clamp(piece, min_room, max_room));
            std::copy_n(held.begin(), held_size, room.begin());
            zs.next_out = reinterpret_cast<Bytef*>(room.data() + held_size);
            zs.avail_out = static_cast<uInt>(room.size() - held_size);
            const int rc = ::deflate(&zs, flush);
            if (rc != Z_OK && rc != Z_BUF_ERROR)  // Z_BUF_ERROR: nothing left to do, not an error
                throw std::logic_error("zlib: deflate failed, error " + std::to_string(rc));
            const std::size_t written = room.size() - zs.avail_out;
            held_size = std::min(written, held.size());
            std::copy_n(
                room.begin() + static_cast<std::ptrdiff_t>(written - held_size), held_size, held.begin()
            );
            out.commit(written - held_size);
        } while (zs.avail_out == 0);
    }
    if (held_size != held.size() || held != sync_tail)
        out.append(held.data(), held_size);  // not the tail (never seen): data, keep it
    if (params_.server_no_context_takeover)
        deflateReset(&zs);
}

}  // namespace wsecho::codec
