// File: wsecho/detail/coalescing_stream.hpp — the layer under a server WebSocket that sends the echoes of
// pipelined messages in one write.
//
// A peer that pipelines small messages gets many of them into Beast's read buffer at once, and echoing each
// with Beast's async_write costs a write operation, a posted completion and a sendmsg per message (on
// loopback the sendmsg also runs the peer's TCP receive path). Here the echo loop frames a small echo itself
// (a server frame is a 2-10 byte header and the payload, unmasked) and appends it to a pending buffer, with no
// asynchronous operation at all. The pending frames go out in one write when Beast next needs bytes from the
// peer (async_read_some), which is exactly when the messages it already held are used up.
//
// Beast's own writes (the 101 response, pings, pongs, close frames, and echoes too big to copy) pass through
// this layer in order: each goes out after whatever is pending, and the echo loop's frames never land inside
// one of them (each write Beast hands down is written completely before the next).
//
// Memory stays bounded: past `max_pending_bytes` the echo loop waits until the socket has taken the frames
// (a peer that stops reading stalls its own session, as before).
#pragma once

#include <wsecho/detail/op_block_cache.hpp>
#include <wsecho/net.hpp>

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <memory>
#include <utility>

namespace wsecho::detail {

// Appends one unmasked, final WebSocket frame (RFC 6455 §5.2) carrying `payload` as text or binary.
void append_frame(beast::flat_buffer& out, bool text, net::const_buffer payload);

// Completes `handler` from outside the initiating call, as Asio requires, on its own executor.
template <class Executor, class Handler, class... Args>
void post_completion(const Executor& ex, Handler handler, Args... args)
{
    net::post(ex, beast::bind_front_handler(std::move(handler), args...));
}

// A move-only `void(error_code)` callable: what waits for the write in flight to finish. (Asio 1.81's
// any_completion_handler recurses without end when it is constructed from another one.)
class flush_waiter
{
public:
    flush_waiter() = default;
    template <class F>
    explicit flush_waiter(F f) : op_(std::make_unique<op<F>>(std::move(f)))
    {
    }

    explicit operator bool() const noexcept { return op_ != nullptr; }

    // Runs once, and empties this waiter first (the callable may install a new one).
    void operator()(error_code ec)
    {
        auto running = std::move(op_);
        running->run(ec);
    }

private:
    struct op_base
    {
        virtual ~op_base() = default;
        virtual void run(error_code ec) = 0;
    };
    template <class F>
    struct op : op_base
    {
        explicit op(F callable) : f(std::move(callable)) {}
        void run(error_code ec) override { std::move(f)(ec); }
        F f;
    };
    std::unique_ptr<op_base> op_;
};

template <class NextLayer>
class coalescing_stream
{
public:
    using next_layer_type = NextLayer;
    using executor_type = typename NextLayer::executor_type;

    // Echoes up to this size are framed and copied here; larger ones go through Beast without a copy.
    static constexpr std::size_t max_framed_bytes = 16 * 1024;
    static constexpr std::size_t max_pending_bytes = 64 * 1024;

    explicit coalescing_stream(NextLayer next) : next_(std::move(next)), state_(std::make_shared<state>())
    {
        state_->next = &next_;
    }
    coalescing_stream(coalescing_stream&& other) noexcept
        : next_(std::move(other.next_)), state_(std::move(other.state_))
    {
        if (state_)
            state_->next = &next_;
    }
    coalescing_stream& operator=(coalescing_stream&&) = delete;
    ~coalescing_stream()
    {
        if (state_)
            state_->next = nullptr;  // a write still in flight completes without us
    }

    NextLayer& next_layer() noexcept { return next_; }
    const NextLayer& next_layer() const noexcept { return next_; }
    executor_type get_executor() noexcept { return next_.get_executor(); }

    // The echo loop: queues `payload` as one frame, to go out with the next flush. False, queueing nothing,
    // when the queue is full (a write through Beast then waits for room) or an earlier write failed (one
    // through Beast then reports it).
    bool append_echo(bool text, net::const_buffer payload)
    {
        auto& s = *state_;
        if (s.failed || s.pending.size() + payload.size() > max_pending_bytes)
            return false;
        append_frame(s.pending, text, payload);
        return true;
    }

    template <class MutableBufferSequence, class ReadToken>
    auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token)
    {
        // Beast needs the peer's next bytes: what we hold must reach the peer first (the peer may be waiting
        // for it before it sends more).
        flush();
        return next_.async_read_some(buffers, std::forward<ReadToken>(token));
    }

    template <class ConstBufferSequence, class WriteToken>
    auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token)
    {
        return net::async_initiate<WriteToken, void(error_code, std::size_t)>(
            [self = this](auto handler, const ConstBufferSequence& data) {
                self->write_through(data, std::move(handler));
            },
            token, buffers);
    }

    // Runs `then(ec)` once nothing is pending or in flight (at once if so already), with the first write
    // error; operation_aborted when the stream is gone, and then `then` must not touch it.
    template <class Then>
    void after_flush(Then then)
    {
        flush();
        auto& s = *state_;
        if (!s.in_flight && (s.pending.size() == 0 || s.failed))
        {
            std::move(then)(s.failed);
            return;
        }
        s.waiter = flush_waiter(std::move(then));
    }

private:
    struct state
    {
        NextLayer* next = nullptr;   // null once the stream is gone
        beast::flat_buffer pending;  // frames not yet handed to the socket
        beast::flat_buffer sending;  // the frames of the write in flight
        bool in_flight = false;      // a write of `sending`, or one of Beast's, is under way
        error_code failed;           // the first write error: every later write fails with it
        flush_waiter waiter;         // what waits for the write in flight
    };

    // One of Beast's writes. Written completely before it completes, so nothing of ours lands inside it.
    template <class ConstBufferSequence, class Handler>
    void write_through(const ConstBufferSequence& data, Handler handler)
    {
        auto& s = *state_;
        if (s.failed)
            return post_completion(get_executor(), std::move(handler), s.failed, std::size_t{0});
        if (s.in_flight || s.pending.size() > 0)
        {
            // After what is already queued.
            after_flush([self = this, ex = get_executor(), data, handler = std::move(handler)](error_code ec) mutable {
                if (ec)
                    return post_completion(ex, std::move(handler), ec, std::size_t{0});
                self->write_through(data, std::move(handler));
            });
            return;
        }
        s.in_flight = true;
        auto done = [self = state_, ex = get_executor(), handler = std::move(handler)](error_code ec,
                                                                                      std::size_t size) mutable {
            written(self, ec);
            auto target = net::get_associated_executor(handler, ex);
            net::dispatch(target, beast::bind_front_handler(std::move(handler), ec, size));
        };
        // Beast's operation travels inside ours: too big for Asio's own recycling (see op_block_cache).
        net::async_write(next_, data, net::bind_allocator(op_block_allocator<std::byte>(), std::move(done)));
    }

    void flush() { start_flush(state_); }

    static void start_flush(const std::shared_ptr<state>& self)
    {
        auto& s = *self;
        if (s.in_flight || s.pending.size() == 0 || !s.next || s.failed)
            return;
        if constexpr (requires(NextLayer& next) { next.non_blocking(true); })
        {
            // Usually the socket takes it all at once: a plain non-blocking send, with no operation to allocate
            // and no completion to run. Only what it does not take goes through an asynchronous write.
            error_code ec;
            if (!s.next->non_blocking())
                s.next->non_blocking(true, ec);
            if (!ec)
                s.pending.consume(s.next->write_some(s.pending.cdata(), ec));
            if (ec && ec != net::error::would_block && ec != net::error::try_again)
                s.failed = ec;
            if (s.pending.size() == 0 || s.failed)
                return;
        }
        std::swap(s.pending, s.sending);
        s.in_flight = true;
        net::async_write(*s.next, s.sending.cdata(),
                         net::bind_allocator(op_block_allocator<std::byte>(),
                                             [self](error_code ec, std::size_t) { written(self, ec); }));
    }

    // A write of ours or Beast's has finished: wake what waited for it, and send what queued up meanwhile.
    static void written(const std::shared_ptr<state>& self, error_code ec)
    {
        auto& s = *self;
        s.in_flight = false;
        s.sending.clear();
        if (!s.next && !ec)
            ec = net::error::operation_aborted;
        if (ec && !s.failed)
            s.failed = ec;
        start_flush(self);
        if (s.waiter && !s.in_flight && (s.failed || s.pending.size() == 0))
            s.waiter(s.failed);
    }

    NextLayer next_;
    std::shared_ptr<state> state_;
};

// Beast closes the connection through teardown after the closing handshake: the close frame (and any echo
// before it) must be out first.
template <class NextLayer>
void teardown(beast::role_type role, coalescing_stream<NextLayer>& stream, error_code& ec)
{
    using websocket::teardown;
    teardown(role, stream.next_layer(), ec);
}

template <class NextLayer, class TeardownHandler>
void async_teardown(beast::role_type role, coalescing_stream<NextLayer>& stream, TeardownHandler&& handler)
{
    stream.after_flush([role, &next = stream.next_layer(), ex = stream.get_executor(),
                        handler = std::forward<TeardownHandler>(handler)](error_code ec) mutable {
        if (ec)  // the write failed, or the stream is gone: nothing left to tear down gracefully
            return post_completion(ex, std::move(handler), ec);
        using websocket::async_teardown;
        async_teardown(role, next, std::move(handler));
    });
}

}  // namespace wsecho::detail
