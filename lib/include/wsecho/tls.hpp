// File: wsecho/tls.hpp — TLS contexts for the server (PEM certificate and key) and the client (system CAs
// or a private CA, hostname verification).
#pragma once

#include <wsecho/net.hpp>

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace wsecho {

// TLS 1.2 and newer, from a PEM certificate chain and its private key. Throws std::runtime_error that names
// the file and OpenSSL's reason ("cannot load TLS key server.key: no start line"), or a key that does not
// match the certificate.
std::shared_ptr<net::ssl::context>
make_server_tls_context(const std::string& cert_file, const std::string& key_file);

struct client_tls_options
{
    // PEM file with the CA certificates to trust instead of the system's; empty: the system's CAs.
    std::string ca_file;
    // Skip certificate and hostname verification (tests, self-signed servers). Logged as a warning.
    bool insecure = false;
};

// TLS 1.2 and newer, verifying the peer unless `insecure`. Throws std::runtime_error naming an unreadable CA file.
std::shared_ptr<net::ssl::context> make_client_tls_context(const client_tls_options& opts);

}  // namespace wsecho
