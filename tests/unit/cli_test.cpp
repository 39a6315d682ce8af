// File: unit/cli_test.cpp — flag parsing shared by both programs: every error names its flag.
#include <wsecho/version.hpp>

#include <gtest/gtest.h>

#include "common/cli.hpp"

using namespace std::chrono_literals;
namespace cli = wsecho::cli;

namespace {

// Parses `args` with one --interval option, the way the client declares it.
std::chrono::milliseconds parse_interval(std::vector<std::string> args)
{
    CLI::App app("test");
    std::chrono::milliseconds interval = 1s;
    cli::add_duration_option(app, "--interval", interval, "between messages");
    args.insert(args.begin(), "prog");
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    app.parse(static_cast<int>(argv.size()), argv.data());
    return interval;
}

std::string parse_error(std::vector<std::string> args)
{
    try
    {
        parse_interval(std::move(args));
    }
    catch (const CLI::ParseError& e)
    {
        return e.what();
    }
    return "no error";
}

}  // namespace

// Host and port split, with the IPv6 and every-interface spellings.
TEST(cli, parses_listen_addresses)
{
    auto a = cli::parse_listen_address("localhost:8080");
    EXPECT_EQ(a.host, "localhost");
    EXPECT_EQ(a.port, 8080);
    auto b = cli::parse_listen_address("[::1]:0");
    EXPECT_EQ(b.host, "::1");
    EXPECT_EQ(b.port, 0);
    auto c = cli::parse_listen_address(":9000");
    EXPECT_EQ(c.host, "");
    EXPECT_EQ(c.port, 9000);
}

// Bad addresses are flag errors that name --listen and the input.
TEST(cli, rejects_bad_listen_addresses)
{
    for (const char* text : {"localhost", "localhost:", "localhost:http", "host:65536", "::1:80", "[::1:80"})
    {
        try
        {
            cli::parse_listen_address(text);
            ADD_FAILURE() << text << " was accepted";
        }
        catch (const CLI::ValidationError& e)
        {
            EXPECT_NE(std::string(e.what()).find("--listen"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
        }
    }
}

// The seven spdlog levels by name; anything else names --log-level and lists the choices.
TEST(cli, parses_log_levels)
{
    EXPECT_EQ(cli::parse_log_level("trace"), spdlog::level::trace);
    EXPECT_EQ(cli::parse_log_level("info"), spdlog::level::info);
    EXPECT_EQ(cli::parse_log_level("off"), spdlog::level::off);
    try
    {
        cli::parse_log_level("loud");
        ADD_FAILURE() << "loud was accepted";
    }
    catch (const CLI::ValidationError& e)
    {
        std::string what = e.what();
        EXPECT_NE(what.find("--log-level"), std::string::npos) << what;
        EXPECT_NE(what.find("critical"), std::string::npos) << what;
    }
}

// A duration flag takes units, rounds sub-millisecond values up, and refuses zero.
TEST(cli, duration_flag_takes_units)
{
    EXPECT_EQ(parse_interval({"--interval", "250ms"}), 250ms);
    EXPECT_EQ(parse_interval({"--interval=2m"}), 2min);
    EXPECT_EQ(parse_interval({"--interval", "1us"}), 1ms);
    EXPECT_EQ(parse_interval({}), 1s);
}

// A malformed or zero duration is an error naming the flag and the reason.
TEST(cli, duration_flag_errors_name_the_flag)
{
    auto missing_unit = parse_error({"--interval", "5"});
    EXPECT_NE(missing_unit.find("--interval"), std::string::npos) << missing_unit;
    EXPECT_NE(missing_unit.find("missing unit"), std::string::npos) << missing_unit;
    auto zero = parse_error({"--interval", "0"});
    EXPECT_NE(zero.find("--interval"), std::string::npos) << zero;
    EXPECT_NE(zero.find("greater than zero"), std::string::npos) << zero;
}

// --version prints the program, our version and the Boost it was built with.
TEST(cli, version_line_names_versions)
{
    auto line = cli::version_line("wsecho-server");
    EXPECT_EQ(line.rfind(std::string("wsecho-server ") + wsecho::version, 0), 0u) << line;
    EXPECT_NE(line.find("Boost 1."), std::string::npos) << line;
}

namespace {

std::uint64_t parse_size(const std::string& text)
{
    CLI::App app("test");
    std::uint64_t size = 16u << 20;
    cli::add_size_option(app, "--max-message-bytes", size, "limit", 1, std::uint64_t{1} << 32);
    std::string flag = "--max-message-bytes=" + text;
    char prog[] = "prog";
    char* argv[] = {prog, flag.data()};
    app.parse(2, argv);
    return size;
}

}  // namespace

// Sizes take plain bytes or binary units, and print back in the largest exact unit.
TEST(cli, size_flag_takes_binary_units)
{
    EXPECT_EQ(parse_size("65536"), 65536u);
    EXPECT_EQ(parse_size("64KiB"), 64u << 10);
    EXPECT_EQ(parse_size("16MiB"), 16u << 20);
    EXPECT_EQ(parse_size("1GiB"), 1u << 30);
    EXPECT_EQ(cli::format_size(16u << 20), "16MiB");
    EXPECT_EQ(cli::format_size(1000), "1000");
}

// Bad sizes name the flag and say what is wrong.
TEST(cli, size_flag_errors_name_the_flag)
{
    for (auto [text, reason] :
         {std::pair{"16MB", "unknown unit"},
          std::pair{"MiB", "expected a number"},
          std::pair{"0", "at least 1"},
          std::pair{"8GiB", "at most 4GiB"}})
    {
        try
        {
            parse_size(text);
            ADD_FAILURE() << text << " was accepted";
        }
        catch (const CLI::ParseError& e)
        {
            std::string what = e.what();
            EXPECT_NE(what.find("--max-message-bytes"), std::string::npos) << what;
            EXPECT_NE(what.find(reason), std::string::npos) << what;
        }
    }
}

// A checked flag's error names the flag once: "--log-level: unknown level ...", not "--log-level: --log-level: ...".
TEST(cli, checked_flag_errors_name_the_flag_once)
{
    CLI::App app("test");
    std::string level = "info";
    cli::add_log_level_option(app, level);
    char prog[] = "prog", flag[] = "--log-level=loud";
    char* argv[] = {prog, flag};
    try
    {
        app.parse(2, argv);
        ADD_FAILURE() << "loud was accepted";
    }
    catch (const CLI::ParseError& e)
    {
        std::string what = e.what();
        EXPECT_EQ(what.rfind("--log-level: unknown level 'loud'", 0), 0u) << what;
        EXPECT_EQ(what.find("--log-level", 1), std::string::npos) << what;
    }
}
