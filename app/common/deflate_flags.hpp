// File: common/deflate_flags.hpp — the permessage-deflate flags, the same for the server and the client.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace wsecho {
struct deflate_options;
}

namespace wsecho::cli {

// --deflate (described by `what`, since offering and asking differ), --deflate-window-bits,
// --deflate-no-context-takeover and --deflate-level, each bounded at parse time.
void add_deflate_flags(CLI::App& app, deflate_options& target, const std::string& what);

}  // namespace wsecho::cli
