// File: client/tool_flags.hpp — the flags that make wsecho-client a tool beyond the tutorial's greeting:
// --count, --stdin, --binary, -H/--header, --subprotocol and --reconnect with its limits.
#pragma once

#include <wsecho/client.hpp>

#include <CLI/CLI.hpp>

#include <memory>

#include "common/line_reader.hpp"

namespace wsecho::cli {

struct tool_flags
{
    bool read_stdin = false;
};

// Adds the flags; they write into `opts` (headers and subprotocols validated as they are parsed).
void add_tool_flags(CLI::App& app, client_options& opts, tool_flags& flags);

// For --stdin: each line of stdin becomes a message, each reply is printed to stdout on a line of its own
// (logs stay on stderr, and "Received:" lines drop to debug), and the end of input closes the connection
// once the replies are in. The returned reader must outlive the client.
std::unique_ptr<line_reader> use_stdin(const net::any_io_executor& ex, client_options& opts);

}  // namespace wsecho::cli
