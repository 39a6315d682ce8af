// File: integration/line_reader_test.cpp — --stdin's line reader over real descriptors: a pipe (through
// epoll), a regular file and /dev/null (which epoll refuses), cancellation, and the descriptor left as found.
#include <wsecho/wakeup.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/line_reader.hpp"
#include "support/run_coro.hpp"

using namespace std::chrono_literals;
using namespace wsecho;
using wsecho::cli::line_reader;
using namespace net::experimental::awaitable_operators;

namespace {

// Both ends of a pipe, closed when the test ends.
struct pipe_fds
{
    int read_end = -1;
    int write_end = -1;
    pipe_fds()
    {
        int fds[2];
        if (::pipe(fds) != 0)
            throw std::runtime_error("pipe failed");
        read_end = fds[0];
        write_end = fds[1];
    }
    ~pipe_fds()
    {
        close_write();
        ::close(read_end);
    }
    void write(std::string_view text) const
    {
        ASSERT_EQ(::write(write_end, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    }
    void close_write()
    {
        if (write_end >= 0)
            ::close(write_end);
        write_end = -1;
    }
};

// Every line until the end of the input.
net::awaitable<std::vector<std::string>> read_all(line_reader& reader)
{
    std::vector<std::string> lines;
    while (auto line = co_await reader.next_line())
        lines.push_back(std::move(*line));
    co_return lines;
}

// 0 when a line came first, 1 when the timeout did (and cancelled the read).
net::awaitable<std::size_t> line_or_timeout(line_reader& reader, std::chrono::milliseconds limit)
{
    auto raced = co_await (reader.next_line() || wsecho::timeout(limit));
    co_return raced.index();
}

}  // namespace

// Lines lose their "\n" or "\r\n"; a last line without a newline still counts; an empty line is a line.
TEST(line_reader, reads_lines_from_a_pipe)
{
    net::io_context ioc;
    pipe_fds p;
    p.write("one\ntwo\r\n\nlast");
    p.close_write();
    line_reader reader(ioc.get_executor(), p.read_end);

    auto lines = test::run_coro(ioc, read_all(reader));

    EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "", "last"}));
    EXPECT_TRUE(reader.at_end());
    EXPECT_FALSE(reader.error());
}

// A regular file cannot be registered with epoll; the reader still reads it (a redirected `< file`).
TEST(line_reader, reads_a_regular_file)
{
    net::io_context ioc;
    auto path = std::filesystem::temp_directory_path() / ("wsecho_line_reader_" + std::to_string(::getpid()));
    std::ofstream(path) << "alpha\nbeta\n";
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    std::filesystem::remove(path);  // the open descriptor keeps the contents
    std::vector<std::string> lines;
    {
        line_reader reader(ioc.get_executor(), fd);
        lines = test::run_coro(ioc, read_all(reader));
        EXPECT_FALSE(reader.error());
    }
    ::close(fd);
    EXPECT_EQ(lines, (std::vector<std::string>{"alpha", "beta"}));
}

// /dev/null (also refused by epoll) is an empty input: the end, at once.
TEST(line_reader, dev_null_is_an_empty_input)
{
    net::io_context ioc;
    int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    {
        line_reader reader(ioc.get_executor(), fd);
        EXPECT_TRUE(test::run_coro(ioc, read_all(reader)).empty());
        EXPECT_TRUE(reader.at_end());
    }
    ::close(fd);
}

// A wait for a line is cancellable (the client's stop() does that), and a cancelled wait loses nothing:
// the line written afterwards, and the partial one before, come with the next call.
TEST(line_reader, a_cancelled_wait_loses_nothing)
{
    net::io_context ioc;
    pipe_fds p;
    line_reader reader(ioc.get_executor(), p.read_end);
    p.write("par");

    EXPECT_EQ(test::run_coro(ioc, line_or_timeout(reader, 50ms)), 1u)
        << "no complete line yet: the timeout wins";
    EXPECT_FALSE(reader.at_end());

    p.write("tial\nnext\n");
    auto line = test::run_coro(ioc, reader.next_line());
    EXPECT_EQ(line, "partial");
    EXPECT_EQ(test::run_coro(ioc, reader.next_line()), "next");
}

// A line longer than the limit ends the input with an error instead of growing without bound.
TEST(line_reader, a_line_over_the_limit_is_an_error)
{
    net::io_context ioc;
    pipe_fds p;
    p.write(std::string(100, 'x') + "\n");
    p.close_write();
    line_reader reader(ioc.get_executor(), p.read_end, 64);

    auto lines = test::run_coro(ioc, read_all(reader));

    EXPECT_TRUE(lines.empty());
    EXPECT_EQ(reader.error(), boost::system::errc::message_size);
}

// Reading switches the shared open file to non-blocking; the reader switches it back when it goes, so a
// shell that handed over its terminal or pipe finds it as it was.
TEST(line_reader, leaves_the_descriptor_blocking_as_found)
{
    net::io_context ioc;
    pipe_fds p;
    const int before = ::fcntl(p.read_end, F_GETFL);
    ASSERT_EQ(before & O_NONBLOCK, 0);
    {
        line_reader reader(ioc.get_executor(), p.read_end);
        p.write("x\n");
        EXPECT_EQ(test::run_coro(ioc, reader.next_line()), "x");
        EXPECT_NE(::fcntl(p.read_end, F_GETFL) & O_NONBLOCK, 0) << "Asio reads without blocking";
    }
    EXPECT_EQ(::fcntl(p.read_end, F_GETFL), before);
}
