// File: wsecho/detail/echo_slot.hpp — the hand-over point between a session's reader and writer coroutines.
#pragma once

#include <wsecho/detail/wakeup.hpp>
#include <wsecho/net.hpp>

#include <utility>

namespace wsecho::detail {

// What the writer does next.
enum class writer_step
{
    echo,      // a message was handed over: write it now
    go_away,   // shutdown: echo what take_held() still gives, then close with 1001
    finish,    // the reader has finished and nothing is left
};

// Holds at most one message on its way from the reader to the writer, so the reader can read message
// n+1 while the writer echoes message n, and a peer that stops reading stalls us after two messages
// instead of growing memory without bound. Buffers are swapped, never copied: the three buffers
// (reader's, slot's, writer's) circulate and keep their capacity, so steady state allocates nothing.
//
// Ordering: the reader waits after put() until the writer has taken the message, and the writer starts
// its write before it next yields. So the reader's next read (which is where Beast answers a peer's close
// frame) cannot send a close reply ahead of an echo we already owe.
//
// The waits are loops in the reader and writer themselves, around wakeups that are plain timer
// operations: no coroutine frame is allocated per message (with 64 busy connections, per-message frames
// overflowed Asio's per-thread recycling cache and went to malloc).
class echo_slot
{
public:
    explicit echo_slot(const net::any_io_executor& ex) : reader_wakeup_(ex), writer_wakeup_(ex), writer_finished_(ex) {}

    // Reader: moves `message` into the slot (getting an empty buffer back) and wakes the writer. Then
    //     while (slot.held_for_writer()) co_await slot.reader_wait();
    // and the message was handed over unless writer_has_finished().
    void put(beast::flat_buffer& message, bool text)
    {
        std::swap(message, buffer_);
        text_ = text;
        full_ = true;
        writer_wakeup_.notify_all();
    }

    bool held_for_writer() const noexcept { return full_ && !writer_finished_.is_set(); }
    auto reader_wait() { return reader_wakeup_.wait(); }

    // Writer: `while (slot.nothing_for_writer()) co_await slot.writer_wait();` then take().
    bool nothing_for_writer() const noexcept { return !full_ && !reader_finished_ && !going_away_; }
    auto writer_wait() { return writer_wakeup_.wait(); }

    // Writer, once nothing_for_writer() is false: swaps the next message into `out` (which must be empty).
    // On writer_step::echo the caller must start writing `out` before its next co_await of anything else
    // (see the ordering note above).
    writer_step take(beast::flat_buffer& out, bool& text)
    {
        if (reader_finished_ && !full_)
            return writer_step::finish;
        if (going_away_)
            return writer_step::go_away;
        hand_over(out, text);
        return writer_step::echo;
    }

    // Writer, going away: the message the reader read before it stopped, if any. Same ordering rule.
    bool take_held(beast::flat_buffer& out, bool& text)
    {
        if (!full_)
            return false;
        hand_over(out, text);
        return true;
    }

    // Graceful shutdown. The reader starts no new read once its current message is handed over, so the
    // writer has a bounded amount left to echo (at most two messages) before its close 1001, however
    // fast the peer sends.
    void request_going_away()
    {
        going_away_ = true;
        writer_wakeup_.notify_all();
    }

    bool going_away() const noexcept { return going_away_; }

    void reader_finished()
    {
        reader_finished_ = true;
        writer_wakeup_.notify_all();
    }

    void writer_finished()
    {
        writer_finished_.set();
        reader_wakeup_.notify_all();
    }

    bool writer_has_finished() const noexcept { return writer_finished_.is_set(); }

    // Completes when the writer has finished (or early, when a `||` cancels it).
    net::awaitable<void> wait_writer_finished() { return writer_finished_.wait(); }

private:
    void hand_over(beast::flat_buffer& out, bool& text)
    {
        std::swap(out, buffer_);
        text = text_;
        full_ = false;
        reader_wakeup_.notify_all();
    }

    beast::flat_buffer buffer_;
    bool text_ = false;
    bool full_ = false;
    bool reader_finished_ = false;
    bool going_away_ = false;
    wakeup reader_wakeup_;
    wakeup writer_wakeup_;
    event writer_finished_;
};

}  // namespace wsecho::detail
