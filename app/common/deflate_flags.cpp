// File: common/deflate_flags.cpp — the permessage-deflate flags (see deflate_flags.hpp).
#include "common/deflate_flags.hpp"

#include <wsecho/deflate.hpp>

namespace wsecho::cli {

void add_deflate_flags(CLI::App& app, deflate_options& target, const std::string& what)
{
    app.add_flag("--deflate", target.enabled, what);
    app.add_option(
           "--deflate-window-bits",
           target.max_window_bits,
           "with --deflate: LZ77 window, 2^N bytes per direction and connection"
    )
        ->capture_default_str()
        ->check(CLI::Range(9, 15))
        ->type_name("N");
    app.add_flag(
        "--deflate-no-context-takeover",
        target.no_context_takeover,
        "with --deflate: reset the compression context after every message (less memory kept)"
    );
    app.add_option("--deflate-level", target.level, "with --deflate: zlib level, 0 (store) to 9 (smallest)")
        ->capture_default_str()
        ->check(CLI::Range(0, 9))
        ->type_name("N");
}

}  // namespace wsecho::cli
