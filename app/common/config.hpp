// File: common/config.hpp — configuration from the environment and --print-config, for every flag of every
// program: --max-message-bytes can also be given as WSECHO_MAX_MESSAGE_BYTES; a flag on the command line wins.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace wsecho::cli {

// "max-message-bytes" (a long flag's name) → "WSECHO_MAX_MESSAGE_BYTES".
std::string env_name(std::string_view long_name);

// The options that configure the program: all but --help, --version, --print-config and --probe, which act. An option
// without a long name has no variable.
std::vector<CLI::Option*> settings(CLI::App& app);

// After the command line is parsed: every setting it did not give takes its variable's value, when that is
// set and not empty, validated exactly as the flag's value would be. A repeatable option splits the value at
// its delimiter (',' for --allow-origin, a newline for --header). Returns the settings taken from the
// environment. A bad value throws CLI::ValidationError naming the variable and the flag.
std::vector<const CLI::Option*> apply_environment(CLI::App& app);

// The --help footer about the variables: that flags win, and how a repeatable option's variable separates
// its values ("WSECHO_HEADER: one per line").
std::string environment_help(CLI::App& app);

// Lets --help show each setting's variable ("(Env:WSECHO_URL)"). Call only after parsing: CLI11 would
// otherwise read the variables itself, before any validation could name them.
void show_env_names_in_help(CLI::App& app);

// The effective configuration, one `name = value` line per setting in declaration order, TOML-like: text
// quoted (JSON escapes), numeric options and true/false bare, repeatable settings as lists; each line ends
// with where the value came from ("# from --url", "# from WSECHO_URL" or "# default"). Values are shown as
// given ("1m30s" stays "1m30s").
std::string config_text(CLI::App& app, const std::vector<const CLI::Option*>& from_environment);

}  // namespace wsecho::cli
