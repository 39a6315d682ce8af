// File: tests/fuzz/fuzz_support.hpp — what both fuzz targets share: a logger that formats everything and
// writes nothing, and running an io_context until a coroutine is done, aborting on a hang.
#pragma once

#include <wsecho/net.hpp>

#include <boost/asio/io_context.hpp>

#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "fuzz_check.hpp"

namespace wsecho::fuzz {

// Level trace, so every log call of the code under test formats its arguments (arbitrary peer bytes
// included), and a null sink drops the result: the logging code is fuzzed too, nothing is printed.
// WSECHO_FUZZ_LOG=1 in the environment prints it to stderr instead: for reading what one input does.
inline std::shared_ptr<spdlog::logger> fuzz_logger()
{
    static const auto logger = [] {
        const char* verbose = std::getenv("WSECHO_FUZZ_LOG");
        spdlog::sink_ptr sink;
        if (verbose && *verbose && std::string_view(verbose) != "0")
            sink = std::make_shared<spdlog::sinks::stderr_sink_st>();
        else
            sink = std::make_shared<spdlog::sinks::null_sink_st>();
        auto l = std::make_shared<spdlog::logger>("fuzz", std::move(sink));
        l->set_level(spdlog::level::trace);
        return l;
    }();
    return logger;
}

// The input ends in EOF, so everything must finish without any timer firing; 5 s is far beyond that.
inline constexpr auto hang_limit = std::chrono::seconds(5);

// Runs `ioc` until `done` is true. A run that is not done within `hang_limit`, or that runs out of work
// before it is done (nothing could ever finish it), aborts: libFuzzer then reports the input as a crash.
inline void run_until_done(net::io_context& ioc, const bool& done, const char* what)
{
    const auto deadline = std::chrono::steady_clock::now() + hang_limit;
    ioc.restart();
    while (!done)
    {
        if (std::chrono::steady_clock::now() >= deadline)
        {
            std::fprintf(
                stderr,
                "fuzz: %s did not finish within %lld s: hang\n",
                what,
                static_cast<long long>(hang_limit.count())
            );
            std::abort();
        }
        if (ioc.run_one_until(deadline) == 0 && ioc.stopped())
        {
            std::fprintf(stderr, "fuzz: %s cannot finish: the io_context ran out of work\n", what);
            std::abort();
        }
    }
}

}  // namespace wsecho::fuzz
