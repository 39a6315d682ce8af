// File: common/line_reader.cpp — reading lines from a descriptor with Asio (see line_reader.hpp).
#include "common/line_reader.hpp"

#include <boost/asio/read_until.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace wsecho::cli {

namespace {

int duplicate(int fd)
{
    int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0)
        throw std::system_error(
            errno, std::generic_category(), "cannot read descriptor " + std::to_string(fd)
        );
    return copy;
}

}  // namespace

line_reader::line_reader(const net::any_io_executor& ex, int fd, std::size_t max_line_bytes)
    : input_(ex, duplicate(fd)), max_line_bytes_(max_line_bytes)
{
    original_flags_ = ::fcntl(input_.native_handle(), F_GETFL);
}

line_reader::~line_reader()
{
    if (original_flags_ >= 0)
        ::fcntl(input_.native_handle(), F_SETFL, original_flags_);
}

net::awaitable<std::optional<std::string>> line_reader::next_line()
{
    if (at_end_)
        co_return std::nullopt;
    auto [ec, size] = co_await net::async_read_until(
        input_, net::dynamic_buffer(buffer_, max_line_bytes_), '\n', use_nothrow_awaitable
    );
    if (ec == net::error::operation_aborted)
        co_return std::nullopt;  // cancelled: buffer_ keeps what was read
    if (ec && !(ec == net::error::eof && !buffer_.empty()))
    {
        at_end_ = true;
        if (ec != net::error::eof)
            error_ = ec == net::error::not_found ? make_error_code(boost::system::errc::message_size) : ec;
        co_return std::nullopt;
    }
    if (ec)  // end of input after a last line without "\n"
    {
        at_end_ = true;
        size = buffer_.size();
    }
    std::string line = buffer_.substr(0, size);
    buffer_.erase(0, size);
    if (line.ends_with('\n'))
        line.pop_back();
    if (line.ends_with('\r'))
        line.pop_back();
    co_return line;
}

}  // namespace wsecho::cli
