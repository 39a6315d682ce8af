// File: integration/client_tls_test.cpp — wsecho::client over wss:// against our TLS server, with the CA and
// certificates made at test time: a private CA, the wrong CA, a certificate for another name, --insecure,
// and wss:// against a plain server.
#include <wsecho/client.hpp>

#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "integration/server_fixture.hpp"
#include "integration/test_certificates.hpp"

using namespace std::chrono_literals;
using namespace wsecho;

namespace {

using test::certificates;

class client_tls_test : public test::server_fixture
{
public:
    void SetUp() override { start(with_certificate("server")); }

    // The server with NAME.pem and NAME.key (see test_certificates.hpp).
    server_options with_certificate(const std::string& name)
    {
        auto opts = default_options();
        opts.tls_cert_file = (certificates() / (name + ".pem")).string();
        opts.tls_key_file = (certificates() / (name + ".key")).string();
        return opts;
    }

    // Three messages to wss://HOST:port/socket, trusting CA.
    client_options wss_options(const std::string& host, const std::string& ca = "ca.pem")
    {
        client_options opts;
        opts.url = {
            .scheme = "wss", .host = host, .port = std::to_string(endpoint.port()), .target = "/socket"};
        opts.tls.ca_file = (certificates() / ca).string();
        opts.logger = test::test_logger();
        opts.count = 3;
        opts.interval = 1ms;
        opts.connect_timeout = 5s;
        return opts;
    }

    client_report run_client(const client_options& opts)
    {
        client cl(ioc.get_executor(), opts);
        return test::run_coro(ioc, cl.run());
    }
};

void expect_echoed_three(const client_report& report)
{
    EXPECT_TRUE(report.connected()) << report.failed_step << ": " << report.dial_error.message();
    EXPECT_EQ(report.received, 3u);
    EXPECT_EQ(report.close, close_outcome::receiver_finished);
}

}  // namespace

// A private CA (--ca-file) verifies the server, by DNS name and by IP address, and the client echoes over wss://.
TEST_F(client_tls_test, echoes_over_wss_trusting_a_private_ca)
{
    expect_echoed_three(run_client(wss_options("localhost")));
    expect_echoed_three(run_client(wss_options("127.0.0.1")));
    test::run_coro(ioc, wait_for_sessions(2));
    EXPECT_EQ(ended[0].close_code, 1000);
    EXPECT_EQ(ended[1].close_code, 1000);
}

// A client that trusts another CA stops at the TLS handshake and says why; the server serves the next one.
TEST_F(client_tls_test, the_wrong_ca_is_a_clear_verification_error)
{
    auto opts = wss_options("localhost", "other_ca.pem");
    auto report = run_client(opts);
    ASSERT_FALSE(report.connected());
    EXPECT_EQ(report.failed_step, "TLS handshake");
    EXPECT_EQ(
        describe_dial_failure(report, opts),
        "cannot connect to " + opts.url.to_string() +
            ": TLS: certificate verify failed: unable to get local issuer certificate"
    );
    EXPECT_EQ(report.sent, 0u);

    expect_echoed_three(run_client(wss_options("localhost")));
}

// A certificate from the trusted CA but for another name is refused: the client checks the name it dialled.
TEST_F(client_tls_test, a_certificate_for_another_name_is_refused)
{
    restart_with([&](server_options& o) { o = with_certificate("other_name"); });
    for (const std::string host : {"localhost", "127.0.0.1"})
    {
        auto opts = wss_options(host);
        auto report = run_client(opts);
        ASSERT_FALSE(report.connected()) << host;
        EXPECT_EQ(report.failed_step, "TLS handshake");
        const auto line = describe_dial_failure(report, opts);
        const auto expected = host == "localhost" ? "hostname mismatch" : "IP address mismatch";
        EXPECT_NE(line.find(expected), std::string::npos) << line;
    }
}

// --insecure connects to a server no CA vouches for, and the log says verification is off.
TEST_F(client_tls_test, insecure_skips_verification_and_says_so)
{
    std::ostringstream log_text;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text);
    auto opts = wss_options("localhost", "other_ca.pem");
    opts.tls.insecure = true;
    opts.logger = std::make_shared<spdlog::logger>("insecure-client", sink);
    expect_echoed_three(run_client(opts));
    EXPECT_NE(
        log_text.str().find("[warning] TLS certificate verification is off (insecure)"), std::string::npos
    ) << log_text.str();
}

// wss:// against a plain ws:// server fails in the TLS handshake, cleanly, on both sides.
TEST_F(client_tls_test, wss_against_a_plain_server_fails_cleanly)
{
    restart_with([](server_options&) {});  // the fixture's default: no TLS
    auto opts = wss_options("localhost");
    auto report = run_client(opts);
    ASSERT_FALSE(report.connected());
    EXPECT_EQ(report.failed_step, "TLS handshake");
    EXPECT_TRUE(describe_dial_failure(report, opts).starts_with("cannot connect to wss://localhost:"));
    test::run_coro(ioc, wait_for_sessions(1));
    EXPECT_FALSE(ended[0].upgraded);
}

// A CA file that cannot be loaded stops the client before it dials, naming the file.
TEST(client_tls_files, an_unreadable_ca_file_is_named)
{
    net::io_context ioc;
    client_options opts;
    opts.url = {.scheme = "wss", .host = "localhost", .port = "1", .target = "/"};
    opts.tls.ca_file = "/nonexistent/ca.pem";
    try
    {
        client cl(ioc.get_executor(), opts);
        ADD_FAILURE() << "the client accepted a missing CA file";
    }
    catch (const std::runtime_error& e)
    {
        EXPECT_NE(std::string(e.what()).find("cannot load CA file /nonexistent/ca.pem"), std::string::npos)
            << e.what();
    }
}
