// File: integration/test_certificates.hpp — the throwaway CA and certificates the TLS tests use.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace wsecho::test {

// ca.pem, other_ca.pem, server.pem/.key (localhost, 127.0.0.1) and other_name.pem/.key (other.example): made
// once per test binary run by tests/tls/make_certs.sh (WSECHO_MAKE_CERTS), and removed when the binary exits:
// ctest runs every test in a process of its own, and each left a directory in /tmp behind.
class certificate_directory
{
public:
    certificate_directory()
        : path_(std::filesystem::temp_directory_path() / ("wsecho-tls-test-" + std::to_string(::getpid())))
    {
        auto command = std::string(WSECHO_MAKE_CERTS) + " " + path_.string() + " >/dev/null";
        if (std::system(command.c_str()) != 0)
        {
            std::error_code ignored;
            std::filesystem::remove_all(path_, ignored);
            throw std::runtime_error("could not make test certificates: " + command);
        }
    }
    ~certificate_directory()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    certificate_directory(const certificate_directory&) = delete;
    certificate_directory& operator=(const certificate_directory&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

inline std::filesystem::path certificates()
{
    static const certificate_directory made;
    return made.path();
}

}  // namespace wsecho::test
