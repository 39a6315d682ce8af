// File: client_connection.cpp — the connected client's coroutines (detail/client_connection.hpp), compiled
// here once for ws:// and wss://, and the two of them that are not templates.
#include <wsecho/detail/client_connection.hpp>

namespace wsecho::detail {

using namespace net::experimental::awaitable_operators;

template net::awaitable<void> receive_loop<ws_stream>(ws_stream&, client_state&, client_report&);
template net::awaitable<void> receive_loop<wss_stream>(wss_stream&, client_state&, client_report&);
template net::awaitable<void> converse<ws_stream>(ws_stream&, client_state&, client_report&);
template net::awaitable<void> converse<wss_stream>(wss_stream&, client_state&, client_report&);

net::awaitable<void> replies_caught_up(client_state& s, const client_report& report)
{
    while (report.received - s.received_before < report.sent - s.sent_before)
        co_await s.reply_arrived.wait();
}

net::awaitable<void> finish_sending(client_state& s, client_report& report)
{
    report.messages_finished = true;
    enum : std::size_t
    {
        caught_up,
        stopped,
        connection_ended,
        timed_out
    };  // the operands, in order
    auto finished = co_await (
        replies_caught_up(s, report) || s.stop_requested.wait() || s.receiver_done.wait() ||
        timeout(s.opts.close_timeout)
    );
    if (finished.index() == timed_out)
        s.log->warn(
            "{} of {} replies still missing after {}; closing anyway",
            (report.sent - s.sent_before) - (report.received - s.received_before),
            report.sent - s.sent_before,
            format_duration(s.opts.close_timeout)
        );
    s.sending_done.set();
}

}  // namespace wsecho::detail
