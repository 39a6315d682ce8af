// File: codec/deflate.cpp — permessage-deflate: parsing and answering the client's offers (RFC 7692 §5, §7.1),
// and the zlib streams that inflate and deflate messages (§7.2).
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

std::optional<deflate_negotiation> negotiate_deflate(std::string_view offers, const deflate_settings& ours)
{
    for (const auto element : split(offers, ','))
        if (auto result = answer(element, ours))
            return result;
    return std::nullopt;
}

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
