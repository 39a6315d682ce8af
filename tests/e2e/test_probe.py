#!/usr/bin/python3
"""wsecho-client --probe URL, the image's health check: one GET, exit 0 on 2xx and 1 otherwise, one line.

Run: /usr/bin/python3 test_probe.py --server PATH --client PATH [unittest arguments]
"""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import raw_peers  # noqa: E402
import wsecho_e2e as e2e  # noqa: E402
from wsecho_e2e import Binaries  # noqa: E402


class CannedHttpPeer(raw_peers.RawHttpPeer):
    """Answers the one request with fixed bytes and keeps the connection open until the test ends (a body
    that never completes, if the bytes say so). With answer=None it reads the request and never answers."""

    def __init__(self, answer):
        super().__init__()
        self._answer = answer
        self.request = None

    def respond(self, connection, request):
        self.request = request.decode("ascii", errors="replace")
        if self._answer is not None:
            connection.sendall(self._answer)

    def wait_for_request(self):
        self.wait_served()
        if self.request is None:
            raise AssertionError(f"no request reached the peer (error: {self.error})")
        return self.request


def probe(url, *extra_args, timeout=3):
    return e2e.run_briefly([Binaries.client, "--probe", url, *extra_args], timeout=timeout)


class ProbeAgainstServerTest(e2e.ProcessFixtures, unittest.TestCase):
    def test_a_2xx_answer_exits_0_with_the_status_on_stdout(self):
        server = self.start_server()
        for path in ("/healthz", "/readyz", "/"):
            with self.subTest(path=path):
                url = f"http://127.0.0.1:{server.port}{path}"
                result = probe(url)
                self.assertEqual(result.returncode, 0, e2e.describe(result))
                self.assertEqual(result.stdout, f"wsecho-client: probe {url}: 200 OK\n", e2e.describe(result))
                self.assertEqual(result.stderr, "", e2e.describe(result))
                server.wait_for_line(f"GET {path} -> 200")

    def test_another_status_exits_1_with_one_line_naming_it(self):
        server = self.start_server()
        for path, status in (("/nothing-here", "404 Not Found"), ("/socket", "426 Upgrade Required")):
            with self.subTest(path=path):
                url = f"http://127.0.0.1:{server.port}{path}"
                result = probe(url)
                self.assertEqual(result.returncode, 1, e2e.describe(result))
                self.assertEqual(result.stderr, f"wsecho-client: probe {url}: {status}\n", e2e.describe(result))
                self.assertEqual(result.stdout, "", e2e.describe(result))

    def test_a_wsecho_probe_variable_does_not_turn_a_client_run_into_a_probe(self):
        # --probe is an action: a WSECHO_PROBE left in a container's environment must be ignored.
        server = self.start_server(log_level="info")
        result = e2e.run_briefly(
            [Binaries.client, "--url", server.url, "--count", "1", "--interval", "10ms"], timeout=5,
            env={"WSECHO_PROBE": f"http://127.0.0.1:{server.port}/healthz"},
        )
        self.assertEqual(result.returncode, 0, e2e.describe(result))
        self.assertNotIn("probe", result.stdout + result.stderr, e2e.describe(result))
        self.assertIn("Received: Hello from wsecho-client #1", result.stderr, e2e.describe(result))

    def test_a_closed_port_exits_1(self):
        url = f"http://127.0.0.1:{e2e.free_port()}/healthz"
        result = probe(url)
        self.assertEqual(result.returncode, 1, e2e.describe(result))
        self.assertEqual(result.stderr, f"wsecho-client: probe {url}: connect: Connection refused\n",
                         e2e.describe(result))


class ProbeAgainstCannedPeersTest(unittest.TestCase):
    def test_sends_one_get_with_host_and_connection_close(self):
        with CannedHttpPeer(b"HTTP/1.1 204 No Content\r\n\r\n") as peer:
            result = probe(f"http://localhost:{peer.port}/healthz?verbose=1")
            request = peer.wait_for_request()
        self.assertEqual(result.returncode, 0, e2e.describe(result))
        lines = request.split("\r\n")
        self.assertEqual(lines[0], "GET /healthz?verbose=1 HTTP/1.1", request)
        self.assertIn(f"Host: localhost:{peer.port}", lines, request)
        self.assertIn("Connection: close", lines, request)

    def test_a_503_exits_1(self):
        # What /readyz answers while a server drains.
        with CannedHttpPeer(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n") as peer:
            url = f"http://127.0.0.1:{peer.port}/readyz"
            result = probe(url)
        self.assertEqual(result.returncode, 1, e2e.describe(result))
        self.assertEqual(result.stderr, f"wsecho-client: probe {url}: 503 Service Unavailable\n",
                         e2e.describe(result))

    def test_only_the_header_is_awaited_not_a_body_that_never_ends(self):
        with CannedHttpPeer(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\nthe start of it") as peer:
            result = probe(f"http://127.0.0.1:{peer.port}/", "--connect-timeout", "2s")
        self.assertEqual(result.returncode, 0, e2e.describe(result))

    def test_a_peer_that_never_answers_times_out_within_the_connect_timeout(self):
        with CannedHttpPeer(None) as peer:
            url = f"http://127.0.0.1:{peer.port}/healthz"
            started = time.monotonic()
            result = probe(url, "--connect-timeout", "300ms")
            took = time.monotonic() - started
            peer.wait_for_request()
        self.assertEqual(result.returncode, 1, e2e.describe(result))
        self.assertEqual(result.stderr, f"wsecho-client: probe {url}: read: timed out after 300ms\n",
                         e2e.describe(result))
        self.assertGreaterEqual(took, 0.3, e2e.describe(result))


class ProbeFlagTest(unittest.TestCase):
    def test_urls_it_cannot_probe_are_flag_errors(self):
        cases = (
            ("https://127.0.0.1/healthz", "expected http://host[:port]/path"),
            ("ws://127.0.0.1:8080/socket", "expected http://host[:port]/path"),
            ("", "expected http://host[:port]/path"),
            ("http://[::1/healthz", "unterminated IPv6 address"),
            ("http://127.0.0.1:99999/", "port"),
        )
        for url, reason in cases:
            with self.subTest(url=url):
                result = probe(url)
                self.assertEqual(result.returncode, 2, e2e.describe(result))
                first = result.stderr.splitlines()[0] if result.stderr else ""
                self.assertTrue(first.startswith(f"wsecho-client: --probe: invalid URL '{url}': "),
                                e2e.describe(result))
                self.assertIn(reason, first, e2e.describe(result))


if __name__ == "__main__":
    e2e.run_tests()
