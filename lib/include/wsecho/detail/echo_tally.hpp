// File: wsecho/detail/echo_tally.hpp — echoes framed but not yet written, counted once they reach the socket
// (a message counts as echoed when its bytes were written, not when it was queued).
#pragma once

#include <wsecho/detail/session_context.hpp>

#include <array>
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

    // The write of everything added so far completed.
    void count_written(session_context& ctx) noexcept
    {
        for (std::size_t kind = 0; kind < 2; ++kind)
        {
            if (messages_[kind] == 0)
                continue;
            ctx.summary.messages += messages_[kind];
            ctx.summary.bytes += bytes_[kind];
            if (ctx.config->stats)
                ctx.config->stats->traffic.sent_many(kind == 0, messages_[kind], bytes_[kind]);
            messages_[kind] = bytes_[kind] = 0;
        }
    }

private:
    std::array<std::uint64_t, 2> messages_{};  // [0] text, [1] binary
    std::array<std::uint64_t, 2> bytes_{};
};

}  // namespace wsecho::detail
