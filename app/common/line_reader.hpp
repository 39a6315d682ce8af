// File: common/line_reader.hpp — lines read from a file descriptor (the client's stdin) without blocking the
// io_context: the message source behind `wsecho-client --stdin`.
#pragma once

#include <wsecho/net.hpp>

#include <boost/asio/posix/stream_descriptor.hpp>

#include <cstddef>
#include <optional>
#include <string>

namespace wsecho::cli {

// Reads a duplicate of the descriptor, so the original (fd 0) stays open when the reader goes. Pipes,
// terminals and sockets are waited for through epoll; a regular file or /dev/null, which epoll refuses,
// is read directly, which is fine because reading them never blocks (Asio accepts such descriptors and
// reads them speculatively).
//
// Reading sets O_NONBLOCK on the open file, which the duplicate shares with the original and with
// whatever process handed it over (a shell's terminal): the destructor restores the original flags.
//
// @par Thread Safety
// One next_line() at a time, on the executor given to the constructor.
class line_reader
{
public:
    // Throws std::system_error when `fd` is not an open descriptor.
    line_reader(const net::any_io_executor& ex, int fd, std::size_t max_line_bytes = 16u << 20);
    ~line_reader();
    line_reader(const line_reader&) = delete;
    line_reader& operator=(const line_reader&) = delete;

    // The next line without its "\n" (or "\r\n"); a last line without a newline counts too. nullopt at the
    // end of the input, on a read error or a line longer than max_line_bytes (error() tells), and when the
    // wait is cancelled (then a later call goes on where this one stopped; nothing read is lost).
    net::awaitable<std::optional<std::string>> next_line();

    bool at_end() const noexcept { return at_end_; }
    const error_code& error() const noexcept { return error_; }

private:
    net::posix::stream_descriptor input_;
    int original_flags_ = -1;
    std::size_t max_line_bytes_;
    std::string buffer_;  // read but not yet returned
    bool at_end_ = false;
    error_code error_;
};

}  // namespace wsecho::cli
