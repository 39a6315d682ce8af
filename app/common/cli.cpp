// File: common/cli.cpp — flag parsing helpers and logging setup shared by wsecho-server and wsecho-client.
#include "common/cli.hpp"

#include <wsecho/duration.hpp>
#include <wsecho/version.hpp>

#include <boost/version.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <charconv>
#include <cstdio>
#include <utility>

#include "common/config.hpp"
#include "common/duration.hpp"
#include "common/json_log.hpp"

namespace wsecho::cli {

namespace {

constexpr std::array<std::string_view, 7> level_names{
    "trace", "debug", "info", "warn", "error", "critical", "off"};

// Set by setup_logging: errors after that go through the logger, so JSON logs stay JSON to the last line.
bool json_logging = false;

std::string level_list()
{
    std::string out;
    for (auto name : level_names)
        out += (out.empty() ? "" : ", ") + std::string(name);
    return out;
}

}  // namespace

listen_address parse_listen_address(std::string_view text)
{
    auto fail = [&](const std::string& why) {
        return CLI::ValidationError(
            "--listen",
            "invalid address '" + std::string(text) + "': " + why +
                " (expected HOST:PORT, e.g. localhost:8080 or [::1]:8080)"
        );
    };
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
        throw fail("missing port");
    std::string_view host = text.substr(0, colon);
    std::string_view port = text.substr(colon + 1);
    if (host.starts_with('[') != host.ends_with(']'))
        throw fail("unbalanced brackets");
    if (host.starts_with('['))
        host = host.substr(1, host.size() - 2);
    else if (host.find(':') != std::string_view::npos)
        throw fail("IPv6 addresses go in brackets");
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value > 65535)
        throw fail("port must be a number from 0 to 65535");
    return {std::string(host), static_cast<std::uint16_t>(value)};
}

spdlog::level::level_enum parse_log_level(std::string_view text)
{
    for (std::size_t i = 0; i < level_names.size(); ++i)
        if (text == level_names[i])
            return static_cast<spdlog::level::level_enum>(i);
    throw CLI::ValidationError(
        "--log-level", "unknown level '" + std::string(text) + "' (use one of " + level_list() + ")"
    );
}

std::function<std::string(const std::string&)> check_by_parsing(std::function<void(const std::string&)> parse)
{
    return [parse = std::move(parse)](const std::string& text) -> std::string {
        try
        {
            parse(text);
            return {};
        }
        catch (const CLI::ValidationError& e)
        {
            std::string why = e.what();
            if (auto colon = why.find(": "); why.starts_with("--") && colon != std::string::npos)
                why.erase(0, colon + 2);
            return why;
        }
    };
}

CLI::Option* add_duration_option(
    CLI::App& app,
    const std::string& name,
    std::chrono::milliseconds& target,
    const std::string& description,
    bool allow_zero
)
{
    auto* option = app.add_option_function<std::string>(
        name,
        [&target, name, allow_zero](const std::string& text) {
            auto parsed = parse_duration(text);
            if (!parsed)
                throw CLI::ValidationError(name, parsed.error);
            if (!allow_zero && parsed.value.count() == 0)
                throw CLI::ValidationError(name, "must be greater than zero");
            target = std::chrono::ceil<std::chrono::milliseconds>(parsed.value);
        },
        description
    );
    option->default_str(format_duration(target));
    option->type_name("DURATION");
    return option;
}

std::string format_size(std::uint64_t bytes)
{
    constexpr std::pair<std::uint64_t, std::string_view> units[] = {
        {1ull << 30, "GiB"}, {1ull << 20, "MiB"}, {1ull << 10, "KiB"}};
    for (auto [size, name] : units)
        if (bytes != 0 && bytes % size == 0)
            return std::to_string(bytes / size) + std::string(name);
    return std::to_string(bytes);
}

CLI::Option* add_size_option(
    CLI::App& app,
    const std::string& name,
    std::uint64_t& target,
    const std::string& description,
    std::uint64_t minimum,
    std::uint64_t maximum
)
{
    auto* option = app.add_option_function<std::string>(
        name,
        [&target, name, minimum, maximum](const std::string& text) {
            auto fail = [&](const std::string& why) {
                return CLI::ValidationError(name, "invalid size '" + text + "': " + why);
            };
            std::uint64_t value = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (ec != std::errc{} || end == text.data())
                throw fail("expected a number of bytes, e.g. 65536, 64KiB or 16MiB");
            std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
            int shift = unit.empty() || unit == "B" ? 0
                        : unit == "KiB"             ? 10
                        : unit == "MiB"             ? 20
                        : unit == "GiB"             ? 30
                                                    : -1;
            if (shift < 0)
                throw fail("unknown unit '" + std::string(unit) + "' (use B, KiB, MiB or GiB)");
            if (value > (maximum >> shift))
                throw fail("must be at most " + format_size(maximum));
            value <<= shift;
            if (value < minimum)
                throw fail("must be at least " + format_size(minimum));
            target = value;
        },
        description
    );
    option->default_str(format_size(target));
    option->type_name("SIZE");
    return option;
}

CLI::Option* add_log_level_option(CLI::App& app, std::string& target)
{
    return app.add_option("--log-level", target, "one of " + level_list())
        ->type_name("LEVEL")
        ->capture_default_str()
        ->check(check_by_parsing([](const std::string& text) { parse_log_level(text); }));
}

CLI::Option* add_log_format_option(CLI::App& app, std::string& target)
{
    return app.add_option("--log-format", target, "text, or json for one JSON object per line")
        ->type_name("FORMAT")
        ->capture_default_str()
        ->check([](const std::string& text) {
            return text == "text" || text == "json" ? std::string()
                                                    : "unknown format '" + text + "' (use text or json)";
        });
}

std::string version_line(std::string_view program)
{
    return std::string(program) + " " + version + " (Boost " + std::to_string(BOOST_VERSION / 100000) + "." +
           std::to_string(BOOST_VERSION / 100 % 1000) + "." + std::to_string(BOOST_VERSION % 100) + ")";
}

void setup_logging(spdlog::level::level_enum level, std::string_view format)
{
    json_logging = format == "json";
    std::shared_ptr<spdlog::logger> logger;
    if (json_logging)
    {
        logger = spdlog::stderr_logger_mt("wsecho");
        logger->set_formatter(std::make_unique<json_formatter>());
    }
    else
    {
        logger = spdlog::stderr_color_mt("wsecho");
        logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
    }
    logger->set_level(level);
    // A demo watched in a terminal or a pipe (docker logs) should show each line as it happens.
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
}

std::optional<int> parse_flags(CLI::App& app, int argc, char** argv)
{
    auto* print_config =
        app.add_flag("--print-config")
            ->description("print the effective configuration (flags, WSECHO_* variables, defaults) and exit");
    try
    {
        app.parse(argc, argv);
    }
    catch (const CLI::ParseError& e)
    {
        // --help and --version arrive as "errors" whose exit code is success.
        if (e.get_exit_code() != static_cast<int>(CLI::ExitCodes::Success))
            throw;
        show_env_names_in_help(app);
        app.footer(environment_help(app));
        return app.exit(e);
    }
    // The environment comes second, so that flags win and a bad value can be blamed on its variable.
    auto from_environment = apply_environment(app);
    if (print_config->count() > 0)
    {
        std::fputs(config_text(app, from_environment).c_str(), stdout);
        return 0;
    }
    return std::nullopt;
}

void report_error(std::string_view program, std::string_view message)
{
    if (json_logging)
        spdlog::error("{}", message);
    else
        std::fprintf(
            stderr,
            "%.*s: %.*s\n",
            static_cast<int>(program.size()),
            program.data(),
            static_cast<int>(message.size()),
            message.data()
        );
}

int run_main(std::string_view program, const std::function<int()>& main_impl)
{
    try
    {
        return main_impl();
    }
    catch (const CLI::ParseError& e)
    {
        std::fprintf(
            stderr,
            "%.*s: %s\nRun with --help for the options.\n",
            static_cast<int>(program.size()),
            program.data(),
            e.what()
        );
        return 2;
    }
    catch (const std::exception& e)
    {
        report_error(program, e.what());
        return 1;
    }
}

}  // namespace wsecho::cli
