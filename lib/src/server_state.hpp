// File: server_state.hpp — what a server owns (server.hpp's private state): its options, listener, session
// registry, TLS context, counters, and the settings every session shares.
#pragma once

#include <wsecho/server.hpp>
#include <wsecho/tls.hpp>
#include <wsecho/version.hpp>

#include <wsecho/detail/session_context.hpp>
#include <wsecho/detail/session_registry.hpp>

#include <boost/asio/strand.hpp>

#include <spdlog/spdlog.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace wsecho::detail {

// The listener's TLS context, or none when the options name no certificate and key.
inline std::shared_ptr<net::ssl::context> load_tls(const server_options& opts)
{
    if (opts.tls_cert_file.empty() && opts.tls_key_file.empty())
        return nullptr;
    if (opts.tls_cert_file.empty() || opts.tls_key_file.empty())
        throw std::runtime_error("TLS needs both a certificate and a key file");
    return make_server_tls_context(opts.tls_cert_file, opts.tls_key_file);
}

struct server_state
{
    server_options opts;
    std::shared_ptr<spdlog::logger> log;
    net::any_io_executor sessions_executor;      // what the constructor was given
    tcp::acceptor acceptor;                      // on a strand of its own: the listener and stop() share it
    std::shared_ptr<session_registry> registry;  // its waits run on the acceptor's strand
    std::shared_ptr<net::ssl::context> tls;      // set when the listener speaks TLS
    std::uint64_t sessions_started = 0;
    std::shared_ptr<server_stats> stats = std::make_shared<server_stats>();
    // Shared by every session instead of copied into each: one allocation per server, not per connection.
    std::shared_ptr<const detail::session_config> session_config;

    // Where the next session runs: a fresh strand when several threads run the context. Over an io_context
    // the strand wraps its concrete executor, not the any_io_executor: a strand<any_io_executor> is too big
    // for any_io_executor's inline storage, so Asio heap-allocates each copy it rebinds (several per
    // operation), and each dispatch asks the type-erased inner executor its blocking property, which
    // Asio 1.81 answers with a heap-allocated result.
    net::any_io_executor next_session_executor() const
    {
        if (!opts.multithreaded)
            return sessions_executor;
        if (const auto* ioc = sessions_executor.target<net::io_context::executor_type>())
            return net::make_strand(*ioc);
        return net::make_strand(sessions_executor);
    }

    server_state(net::any_io_executor ex, server_options o)
        : opts(std::move(o)),
          log(opts.logger ? opts.logger : spdlog::default_logger()),
          sessions_executor(ex),
          acceptor(net::make_strand(ex)),
          registry(std::make_shared<session_registry>(acceptor.get_executor())),
          tls(load_tls(opts)),
          session_config(std::make_shared<detail::session_config>(detail::session_config{
              .server_name = std::string("wsecho/") + version,
              .handshake_timeout = opts.handshake_timeout,
              .idle_timeout = opts.idle_timeout,
              .max_message_bytes = opts.max_message_bytes,
              .max_header_bytes = opts.max_header_bytes,
              .deflate = opts.deflate,
              .allowed_origins = opts.allowed_origins,
              .log = log,
              .on_end = opts.on_session_end,
              .stats = stats,
              .registry = registry,
              .on_message = opts.on_message,
          }))
    {}
};

}  // namespace wsecho::detail
