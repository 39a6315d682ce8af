#!/usr/bin/python3
"""wsecho-client's wss:// and --deflate flags against wsecho-server with TLS and deflate: --ca-file (and
WSECHO_CA_FILE), the wrong CA's one-line error and exit 1, --insecure's warning, --deflate's negotiation.
The CA and certificates are made at test time by tests/tls/make_certs.sh.

Run: /usr/bin/python3 test_client_tls.py --server PATH --client PATH [unittest arguments]
"""

import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wsecho_e2e as e2e  # noqa: E402
from wsecho_e2e import Binaries  # noqa: E402

MAKE_CERTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tls", "make_certs.sh")


class SecureClientTest(e2e.ProcessFixtures, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.certs = tempfile.TemporaryDirectory(prefix="wsecho-client-tls-")
        subprocess.run([MAKE_CERTS, cls.certs.name], check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        cls.certs.cleanup()

    def cert(self, name):
        return os.path.join(self.certs.name, name)

    def setUp(self):
        self.server = self.start_server(
            "--tls-cert", self.cert("server.pem"), "--tls-key", self.cert("server.key"), "--deflate",
            log_level="info",
        )
        self.url = f"wss://localhost:{self.server.port}/socket"

    def run_client(self, *args, env=None):
        return e2e.run_briefly(
            [Binaries.client, "--url", self.url, "--count", "2", "--interval", "10ms", *args], timeout=10, env=env,
        )

    def assert_echoed_two(self, result):
        self.assertEqual(result.returncode, 0, e2e.describe(result))
        for n in (1, 2):
            self.assertIn(f"Received: Hello from wsecho-client #{n}", result.stderr, e2e.describe(result))

    def test_a_private_ca_from_the_flag_or_the_variable(self):
        self.assert_echoed_two(self.run_client("--ca-file", self.cert("ca.pem")))
        self.assert_echoed_two(self.run_client(env={"WSECHO_CA_FILE": self.cert("ca.pem")}))

    def test_the_wrong_ca_exits_1_with_the_reason(self):
        result = self.run_client("--ca-file", self.cert("other_ca.pem"))
        self.assertEqual(result.returncode, 1, e2e.describe(result))
        self.assertIn(
            f"cannot connect to {self.url}: TLS: certificate verify failed: unable to get local issuer certificate",
            result.stderr, e2e.describe(result),
        )
        self.assertNotIn("Received:", result.stderr, e2e.describe(result))

    def test_the_system_cas_do_not_know_a_private_ca(self):
        result = self.run_client()
        self.assertEqual(result.returncode, 1, e2e.describe(result))
        self.assertIn("certificate verify failed", result.stderr, e2e.describe(result))

    def test_insecure_connects_and_warns(self):
        result = self.run_client("--insecure")
        self.assert_echoed_two(result)
        self.assertIn("TLS certificate verification is off (insecure)", result.stderr, e2e.describe(result))

    def test_deflate_is_negotiated_and_logged(self):
        result = self.run_client("--ca-file", self.cert("ca.pem"), "--deflate", "--deflate-window-bits", "10")
        self.assert_echoed_two(result)
        self.assertIn("permessage-deflate", result.stderr, e2e.describe(result))
        plain = self.run_client("--ca-file", self.cert("ca.pem"))
        self.assertNotIn("permessage-deflate", plain.stderr, e2e.describe(plain))

    def test_a_missing_ca_file_is_named(self):
        result = self.run_client("--ca-file", "/nonexistent/ca.pem")
        self.assertEqual(result.returncode, 1, e2e.describe(result))
        self.assertIn("/nonexistent/ca.pem", result.stderr, e2e.describe(result))


if __name__ == "__main__":
    e2e.run_tests()
