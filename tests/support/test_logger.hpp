// File: support/test_logger.hpp — one logger for the library under test; ctest shows it when a test fails.
#pragma once

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>

namespace wsecho::test {

inline std::shared_ptr<spdlog::logger> test_logger()
{
    static auto logger = [] {
        auto l = spdlog::stderr_color_mt("wsecho-test");
        l->set_level(spdlog::level::info);
        return l;
    }();
    return logger;
}

}  // namespace wsecho::test
