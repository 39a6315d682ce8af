// File: unit/config_test.cpp — WSECHO_* variables and --print-config: names, precedence, errors, output.
#include <gtest/gtest.h>

#include <cstdlib>

#include "common/cli.hpp"
#include "common/config.hpp"

using namespace std::chrono_literals;
namespace cli = wsecho::cli;

namespace {

// Sets a variable for one test and removes it again.
class scoped_env
{
public:
    scoped_env(std::string name, const std::string& value) : name_(std::move(name))
    {
        ::setenv(name_.c_str(), value.c_str(), 1);
    }
    ~scoped_env() { ::unsetenv(name_.c_str()); }
    scoped_env(const scoped_env&) = delete;
    scoped_env& operator=(const scoped_env&) = delete;

private:
    std::string name_;
};

// A small program with the kinds of options both real ones have.
struct test_program
{
    CLI::App app{"test", "wsecho-test"};
    std::chrono::milliseconds interval = 1s;
    std::string url = "ws://localhost:8080/socket";
    unsigned threads = 1;
    bool binary = false;
    std::vector<std::string> origins;
    std::string probe;
    std::vector<const CLI::Option*> from_env;

    test_program()
    {
        cli::add_duration_option(app, "--interval", interval, "between messages");
        app.add_option("--url", url, "where")->capture_default_str();
        app.add_option("--threads", threads, "how many")->capture_default_str()->check(CLI::Range(1u, 256u));
        app.add_flag("--binary", binary, "binary frames");
        app.add_option("--allow-origin", origins, "origins")->take_all()->delimiter(',');
        app.set_version_flag("--version", "wsecho-test 0");
        app.add_option("--probe", probe, "an action, like wsecho-client's");
    }

    // Parses the command line, then the environment, as parse_flags does.
    void parse(std::vector<std::string> args)
    {
        args.insert(args.begin(), "wsecho-test");
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        app.parse(static_cast<int>(argv.size()), argv.data());
        from_env = cli::apply_environment(app);
    }

    std::string parse_error(std::vector<std::string> args)
    {
        try
        {
            parse(std::move(args));
        }
        catch (const CLI::ParseError& e)
        {
            return e.what();
        }
        return "no error";
    }
};

}  // namespace

// A long flag's name becomes the variable's: upper case, dashes to underscores, WSECHO_ in front.
TEST(config, env_names_follow_the_long_flag)
{
    EXPECT_EQ(cli::env_name("max-message-bytes"), "WSECHO_MAX_MESSAGE_BYTES");
    EXPECT_EQ(cli::env_name("url"), "WSECHO_URL");
    EXPECT_EQ(cli::env_name("log-format"), "WSECHO_LOG_FORMAT");
}

// Actions (--help, --version, --probe) are not settings; everything else is.
TEST(config, settings_leave_out_actions)
{
    test_program p;
    std::vector<std::string> names;
    for (auto* opt : cli::settings(p.app))
        names.push_back(opt->get_lnames().front());
    EXPECT_EQ(names, (std::vector<std::string>{"interval", "url", "threads", "binary", "allow-origin"}));
}

// A WSECHO_PROBE left in a container's environment must not turn every client run into a health check.
TEST(config, no_variable_for_the_probe_action)
{
    scoped_env probe("WSECHO_PROBE", "http://127.0.0.1:1/healthz");
    test_program p;
    p.parse({});
    EXPECT_EQ(p.probe, "");
    EXPECT_TRUE(p.from_env.empty());
}

// A variable sets what the command line left out, through the flag's own parsing (units, flags, lists).
TEST(config, variables_fill_in_flags_not_given)
{
    scoped_env interval("WSECHO_INTERVAL", "250ms");
    scoped_env binary("WSECHO_BINARY", "true");
    scoped_env origins("WSECHO_ALLOW_ORIGIN", "https://a.example,https://b.example");
    test_program p;
    p.parse({});
    EXPECT_EQ(p.interval, 250ms);
    EXPECT_TRUE(p.binary);
    EXPECT_EQ(p.origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
    EXPECT_EQ(p.from_env.size(), 3u);
}

// The flag wins over its variable, even when the variable's value is invalid; an empty variable is unset.
TEST(config, flags_win_and_empty_variables_are_unset)
{
    scoped_env interval("WSECHO_INTERVAL", "not a duration");
    scoped_env url("WSECHO_URL", "");
    test_program p;
    p.parse({"--interval", "2s"});
    EXPECT_EQ(p.interval, 2s);
    EXPECT_EQ(p.url, "ws://localhost:8080/socket");
    EXPECT_TRUE(p.from_env.empty());
}

// A bad value from the environment names the variable, the flag and the reason.
TEST(config, bad_variables_name_the_variable_and_the_flag)
{
    {
        scoped_env interval("WSECHO_INTERVAL", "5");
        auto what = test_program().parse_error({});
        EXPECT_NE(what.find("WSECHO_INTERVAL"), std::string::npos) << what;
        EXPECT_NE(what.find("--interval"), std::string::npos) << what;
        EXPECT_NE(what.find("missing unit"), std::string::npos) << what;
    }
    {
        scoped_env threads("WSECHO_THREADS", "1000");
        auto what = test_program().parse_error({});
        EXPECT_NE(what.find("WSECHO_THREADS (for --threads)"), std::string::npos) << what;
        EXPECT_NE(what.find("256"), std::string::npos) << what;
    }
}

// The same bad value on the command line is the flag's error, with no variable mentioned.
TEST(config, bad_flags_do_not_mention_variables)
{
    auto what = test_program().parse_error({"--interval", "5"});
    EXPECT_NE(what.find("--interval"), std::string::npos) << what;
    EXPECT_EQ(what.find("WSECHO_"), std::string::npos) << what;
}

// --print-config's text: one line per setting, in order, typed, each saying where its value came from.
TEST(config, config_text_shows_values_and_sources)
{
    scoped_env url("WSECHO_URL", "ws://127.0.0.1:9/say \"hi\"");
    test_program p;
    p.parse({"--threads", "4", "--allow-origin", "https://a.example", "--allow-origin", "*"});
    EXPECT_EQ(
        cli::config_text(p.app, p.from_env),
        "# wsecho-test configuration: a flag wins over its WSECHO_ variable, which wins over the default\n"
        "interval = \"1s\"  # default\n"
        "url = \"ws://127.0.0.1:9/say \\\"hi\\\"\"  # from WSECHO_URL\n"
        "threads = 4  # from --threads\n"
        "binary = false  # default\n"
        "allow-origin = [\"https://a.example\", \"*\"]  # from --allow-origin\n"
    );
}

// parse_flags adds --print-config, which ends the program with 0 after the flags and variables are checked.
TEST(config, print_config_exits_zero_after_validation)
{
    scoped_env binary("WSECHO_BINARY", "yes");
    test_program p;
    char prog[] = "wsecho-test", flag[] = "--print-config";
    char* argv[] = {prog, flag};
    testing::internal::CaptureStdout();
    auto exit_code = cli::parse_flags(p.app, 2, argv);
    auto printed = testing::internal::GetCapturedStdout();
    EXPECT_EQ(exit_code, 0);
    EXPECT_NE(printed.find("binary = true  # from WSECHO_BINARY\n"), std::string::npos) << printed;
    EXPECT_EQ(printed.find("print-config"), std::string::npos) << printed;
}

// --help's footer says that flags win and how each repeatable option's variable separates its values.
TEST(config, help_footer_explains_lists)
{
    test_program p;
    p.app.add_option("--header", p.origins, "headers")->delimiter('\n');
    EXPECT_EQ(
        cli::environment_help(p.app),
        "Every option can also be set with its WSECHO_ variable (Env above); the flag wins.\n"
        "Several values in one variable: WSECHO_ALLOW_ORIGIN: separated by ',', WSECHO_HEADER: one per line."
    );
}
