// File: common/config.cpp — WSECHO_* variables and the --print-config text (see config.hpp).
#include "common/config.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "common/json_log.hpp"

namespace wsecho::cli {

namespace {

bool is_flag(const CLI::Option& opt)
{
    return opt.get_items_expected_max() == 0;
}

bool is_repeatable(const CLI::Option& opt)
{
    return opt.get_items_expected_max() > 1;
}

bool is_whole_number(const std::string& text)
{
    return !text.empty() && text.size() < 19 && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
}

// Numbers bare only for numeric options (CLI11's INT/UINT types, or ours named N): --message 123 is text.
bool is_numeric(const CLI::Option& opt)
{
    const auto type = opt.get_type_name();
    return type.find("INT") != std::string::npos || type == "N" || type.starts_with("N:");
}

std::string scalar_text(const CLI::Option& opt, const std::string& value)
{
    if (is_numeric(opt) && is_whole_number(value))
        return value;
    std::string quoted;
    append_json_string(quoted, value);
    return quoted;
}

std::string value_text(CLI::Option& opt)
{
    if (is_flag(opt))
        return opt.count() > 0 && opt.as<bool>() ? "true" : "false";
    if (is_repeatable(opt))
    {
        std::string list = "[";
        for (const auto& item : opt.results())
            list += (list.size() > 1 ? ", " : "") + scalar_text(opt, item);
        return list + "]";
    }
    return scalar_text(opt, opt.count() > 0 ? opt.results().back() : opt.get_default_str());
}

}  // namespace

std::string env_name(std::string_view long_name)
{
    std::string name = "WSECHO_";
    for (char c : long_name)
        name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
}

std::vector<CLI::Option*> settings(CLI::App& app)
{
    const CLI::Option* version = app.get_option_no_throw("--version");
    const CLI::Option* print_config = app.get_option_no_throw("--print-config");
    // Actions, not settings: a WSECHO_PROBE in a container's environment would turn every run into a probe.
    const CLI::Option* probe = app.get_option_no_throw("--probe");
    return app.get_options([&](const CLI::Option* opt) {
        return opt != app.get_help_ptr() && opt != app.get_help_all_ptr() && opt != version &&
               opt != print_config && opt != probe && !opt->get_lnames().empty();
    });
}

std::vector<const CLI::Option*> apply_environment(CLI::App& app)
{
    std::vector<const CLI::Option*> applied;
    for (auto* opt : settings(app))
    {
        const auto variable = env_name(opt->get_lnames().front());
        const char* value = std::getenv(variable.c_str());
        if (opt->count() > 0 || value == nullptr || *value == '\0')
            continue;  // the flag wins; an empty variable counts as unset
        try
        {
            opt->add_result(std::string(value));
            opt->run_callback();
        }
        catch (const CLI::ParseError& e)
        {
            // The flag's own error says "--flag: reason"; keep the reason, name where the value came from.
            std::string why = e.what();
            const auto flag = "--" + opt->get_lnames().front();
            if (why.starts_with(flag + ": "))
                why.erase(0, flag.size() + 2);
            throw CLI::ValidationError(variable + " (for " + flag + ")", why);
        }
        applied.push_back(opt);
    }
    return applied;
}

std::string environment_help(CLI::App& app)
{
    std::string text = "Every option can also be set with its WSECHO_ variable (Env above); the flag wins.";
    std::string lists;
    for (auto* opt : settings(app))
        if (is_repeatable(*opt) && opt->get_delimiter() != '\0')
        {
            const auto separator = opt->get_delimiter() == '\n'
                                       ? std::string("one per line")
                                       : std::string("separated by '") + opt->get_delimiter() + "'";
            lists += (lists.empty() ? "" : ", ") + env_name(opt->get_lnames().front()) + ": " + separator;
        }
    if (!lists.empty())
        text += "\nSeveral values in one variable: " + lists + ".";
    return text;
}

void show_env_names_in_help(CLI::App& app)
{
    for (auto* opt : settings(app))
        opt->envname(env_name(opt->get_lnames().front()));
}

std::string config_text(CLI::App& app, const std::vector<const CLI::Option*>& from_environment)
{
    std::string text = "# " + app.get_name() +
                       " configuration: a flag wins over its WSECHO_ variable, which wins over the default\n";
    for (auto* opt : settings(app))
    {
        const auto& name = opt->get_lnames().front();
        std::string source = "default";
        if (std::find(from_environment.begin(), from_environment.end(), opt) != from_environment.end())
            source = "from " + env_name(name);
        else if (opt->count() > 0)
            source = "from --" + name;
        text += name + " = " + value_text(*opt) + "  # " + source + "\n";
    }
    return text;
}

}  // namespace wsecho::cli
