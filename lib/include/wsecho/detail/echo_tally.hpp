// File: wsecho/detail/echo_tally.hpp — echoes framed but not yet written, counted once they reach the socket
// (a message counts as echoed when its bytes were written, not when it was queued), with the time they took
// since the first byte of the oldest of them was read (the turnaround histogram).
#pragma once

#include <wsecho/detail/session_context.hpp>

#include <array>
#include <chrono>
#include <cstdint>

namespace wsecho::detail {

class echo_tally
{
public:
    void add(bool text, std::size_t bytes) noexcept
    {
        messages_[text ? 0 : 1] += 1;
        bytes_[text ? 0 : 1] += bytes;
    }

    // A read brought the first byte of a message (the loop calls this when the codec was between messages).
    // Only the oldest echo owed is timed, so the clock is read only when none is owed yet.
    void first_byte_read() noexcept
    {
        if (messages_[0] + messages_[1] == 0)
            first_byte_at_ = std::chrono::steady_clock::now();
    }

    // The write of everything added so far completed.
    void count_written(session_context& ctx) noexcept
    {
        const std::uint64_t written = messages_[0] + messages_[1];
        if (written == 0)
            return;
        server_stats* stats = ctx.config->stats.get();
        if (stats)
            stats->turnaround.observe(std::chrono::steady_clock::now() - first_byte_at_, written);
        for (std::size_t kind = 0; kind < 2; ++kind)
        {
            ctx.summary.messages += messages_[kind];
            ctx.summary.bytes += bytes_[kind];
            if (stats && messages_[kind] != 0)
                stats->traffic.sent_many(kind == 0, messages_[kind], bytes_[kind]);
            messages_[kind] = bytes_[kind] = 0;
        }
    }

private:
    std::array<std::uint64_t, 2> messages_{};  // [0] text, [1] binary
    std::array<std::uint64_t, 2> bytes_{};
    std::chrono::steady_clock::time_point first_byte_at_{};
};

}  // namespace wsecho::detail
