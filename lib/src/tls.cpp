// File: tls.cpp — building TLS contexts, with errors that name the file and OpenSSL's reason.
#include <wsecho/tls.hpp>

#include <openssl/ssl.h>

#include <stdexcept>

namespace wsecho {

namespace {

constexpr auto modern_only = net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                             net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                             net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use;

[[noreturn]] void fail(std::string_view what, const std::string& file, const error_code& ec)
{
    throw std::runtime_error("cannot load " + std::string(what) + " " + file + ": " + ec.message());
}

}  // namespace

std::shared_ptr<net::ssl::context>
make_server_tls_context(const std::string& cert_file, const std::string& key_file)
{
    auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
    ctx->set_options(modern_only);
    error_code ec;
    ctx->use_certificate_chain_file(cert_file, ec);
    if (ec)
        fail("TLS certificate", cert_file, ec);
    ctx->use_private_key_file(key_file, net::ssl::context::pem, ec);
    if (ec)
        fail("TLS key", key_file, ec);
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
        throw std::runtime_error("TLS key " + key_file + " does not match the certificate in " + cert_file);
    return ctx;
}

std::shared_ptr<net::ssl::context> make_client_tls_context(const client_tls_options& opts)
{
    auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
    ctx->set_options(modern_only);
    error_code ec;
    if (opts.insecure)
        ctx->set_verify_mode(net::ssl::verify_none);
    else
    {
        ctx->set_verify_mode(net::ssl::verify_peer);
        if (opts.ca_file.empty())
            ctx->set_default_verify_paths(ec);
        else
            ctx->load_verify_file(opts.ca_file, ec);
        if (ec)
            fail("CA file", opts.ca_file.empty() ? "(system default)" : opts.ca_file, ec);
    }
    return ctx;
}

}  // namespace wsecho
