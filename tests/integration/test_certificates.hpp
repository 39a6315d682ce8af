// File: integration/test_certificates.hpp — the throwaway CA and certificates the TLS tests use.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace wsecho::test {

// ca.pem, other_ca.pem, server.pem/.key (localhost, 127.0.0.1) and other_name.pem/.key (other.example): made
// once per test binary run by tests/tls/make_certs.sh (WSECHO_MAKE_CERTS).
inline std::filesystem::path certificates()
{
    static const std::filesystem::path dir = [] {
        auto d = std::filesystem::temp_directory_path() / ("wsecho-tls-test-" + std::to_string(::getpid()));
        auto command = std::string(WSECHO_MAKE_CERTS) + " " + d.string() + " >/dev/null";
        if (std::system(command.c_str()) != 0)
            throw std::runtime_error("could not make test certificates: " + command);
        return d;
    }();
    return dir;
}

}  // namespace wsecho::test
