// File: common/cli.hpp — what both programs share: flag value types, logging setup, and main()'s error policy.
#pragma once

#include <CLI/CLI.hpp>
#include <spdlog/common.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace wsecho::cli {

struct listen_address
{
    std::string host;  // empty: every interface
    std::uint16_t port = 0;
};

// "localhost:8080", "127.0.0.1:0", "[::1]:8080", ":8080" (every interface). Throws CLI::ValidationError.
listen_address parse_listen_address(std::string_view text);

// trace, debug, info, warn, error, critical, off. Throws CLI::ValidationError.
spdlog::level::level_enum parse_log_level(std::string_view text);

// A CLI11 check() from a parser above, which throws CLI::ValidationError("--flag: reason"): returns just the
// reason, or "" when `parse` accepts the text. (CLI11 puts "--flag: " in front of a check's message itself.)
std::function<std::string(const std::string&)> check_by_parsing(std::function<void(const std::string&)> parse
);

// A duration flag with a unit ("250ms"); bounds are checked at parse time and errors name the flag.
// The value is rounded up to whole milliseconds, so "1us" never becomes zero.
CLI::Option* add_duration_option(
    CLI::App& app,
    const std::string& name,
    std::chrono::milliseconds& target,
    const std::string& description,
    bool allow_zero = false
);

// A byte-size flag: plain bytes or with a binary unit ("65536", "64KiB", "16MiB", "1GiB").
// Values outside [minimum, maximum] are errors naming the flag.
CLI::Option* add_size_option(
    CLI::App& app,
    const std::string& name,
    std::uint64_t& target,
    const std::string& description,
    std::uint64_t minimum,
    std::uint64_t maximum
);

// "16MiB" for 16 << 20, "8KiB", "1000" (bytes) when no unit divides it.
std::string format_size(std::uint64_t bytes);

// --log-level with the list of levels in --help; the level is applied by setup_logging().
CLI::Option* add_log_level_option(CLI::App& app, std::string& target);

// --log-format: "text" (a line per message, local time) or "json" (a JSON object per line, json_log.hpp).
CLI::Option* add_log_format_option(CLI::App& app, std::string& target);

// "wsecho-server 0.1.0 (Boost 1.81.0)".
std::string version_line(std::string_view program);

// Logs go to stderr with millisecond timestamps, like Go's log package in the original; with `format`
// "json" as one JSON object per line instead.
void setup_logging(spdlog::level::level_enum level, std::string_view format = "text");

// Parses the flags, then takes the WSECHO_* variables for the flags not given (config.hpp). Adds
// --print-config, which prints the result and ends the program. Returns an exit code when the program
// should end now (--help, --version, --print-config); other flag errors throw CLI::ParseError for run_main
// to report. Call it after adding every option: each gets its variable.
std::optional<int> parse_flags(CLI::App& app, int argc, char** argv);

// "PROGRAM: message" on stderr, or with JSON logging a JSON line at level error, so a log collector
// parses every line the program writes once logging is set up.
void report_error(std::string_view program, std::string_view message);

// Runs `main_impl`, turning flag errors into "PROGRAM: --flag: reason" with exit code 2 and any other
// exception (setup failures such as a port in use) into "PROGRAM: reason" with exit code 1.
int run_main(std::string_view program, const std::function<int()>& main_impl);

}  // namespace wsecho::cli
