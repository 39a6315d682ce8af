#!/usr/bin/python3
"""examples/minimal: minimal-server against Python `websockets` and raw HTTP (echo keeping the type, the page,
404 and 400, the idle timeout, SIGINT closing with 1001), and minimal-client against minimal-server and
against a Python server that never answers the close.

Run: /usr/bin/python3 test_minimal.py --server PATH/minimal-server --client PATH/minimal-client [unittest arguments]
"""

import asyncio
import os
import re
import signal
import socket
import sys
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import raw_peers  # noqa: E402
import wsecho_e2e as e2e  # noqa: E402
from wsecho_e2e import Binaries  # noqa: E402

websockets = e2e.require_websockets()

LISTENING = re.compile(r"^listening on 127\.0\.0\.1:(\d+)$")
RECEIVED = re.compile(r"^received: (.*)$")


class MinimalFixtures(e2e.ProcessFixtures):
    def start_minimal_server(self, idle_timeout_ms=5000):
        """minimal-server on 127.0.0.1 with a port the kernel picks; .port and .url tell which."""
        server = self.spawn([Binaries.server, "127.0.0.1", "0", idle_timeout_ms], "minimal-server")
        server.port = int(server.wait_for_line(LISTENING).group(1))
        server.url = f"ws://127.0.0.1:{server.port}/socket"
        return server

    def start_minimal_client(self, port, interval_ms=50, close_wait_ms=1000):
        return self.spawn([Binaries.client, "127.0.0.1", port, interval_ms, close_wait_ms], "minimal-client")


def replies(child):
    return [match.group(1) for match in map(RECEIVED.search, child.stderr_lines()) if match]


class ServerTest(MinimalFixtures, unittest.IsolatedAsyncioTestCase):
    async def test_echoes_text_as_text_and_binary_as_binary(self):
        server = self.start_minimal_server()
        async with websockets.connect(server.url, ping_interval=None) as ws:
            for message in ("hello", "", "ünïcödé " * 1000, b"\x00\x01\xfe\xff", os.urandom(70_000), b""):
                await ws.send(message)
                echo = await asyncio.wait_for(ws.recv(), e2e.DEFAULT_TIMEOUT)
                self.assertIs(type(echo), type(message), server.output())
                self.assertEqual(echo, message, server.output())
        await asyncio.to_thread(server.wait_for_line, re.compile(r"127\.0\.0\.1:\d+ closed: code 1000 ''$"))

    async def test_idle_timeout_drops_a_silent_connection(self):
        server = self.start_minimal_server(idle_timeout_ms=300)
        async with websockets.connect(server.url, ping_interval=None) as ws:
            opened = time.monotonic()
            with self.assertRaises(websockets.ConnectionClosedError):
                await asyncio.wait_for(ws.recv(), e2e.DEFAULT_TIMEOUT)
            silent_for = time.monotonic() - opened
        self.assertEqual(ws.close_code, 1006, "dropped without a close frame, as the notes say it must be")
        self.assertGreater(silent_for, 0.2, server.output())
        await asyncio.to_thread(server.wait_for_line, re.compile(r"dropped: Connection timed out$"))

    async def test_sigint_closes_a_connected_peer_with_1001_and_exits_0(self):
        server = self.start_minimal_server()
        async with websockets.connect(server.url, ping_interval=None) as ws:
            await ws.send("before the signal")
            self.assertEqual(await asyncio.wait_for(ws.recv(), e2e.DEFAULT_TIMEOUT), "before the signal")
            server.send_signal(signal.SIGINT)
            with self.assertRaises(websockets.ConnectionClosedOK):
                await asyncio.wait_for(ws.recv(), e2e.DEFAULT_TIMEOUT)
            self.assertEqual(ws.close_code, 1001, server.output())
        self.assertEqual(await asyncio.to_thread(server.wait_exit), 0, server.output())
        lines = "\n".join(server.stderr_lines())
        self.assertRegex(lines, r"closed: code 1001 ''\nstopped$", server.output())

    async def test_sigint_with_a_peer_that_never_answers_the_close_ends_at_the_idle_timeout(self):
        server = self.start_minimal_server(idle_timeout_ms=300)
        silent = raw_peers.open_silent_websocket(server.port)
        self.addCleanup(silent.close)
        await asyncio.to_thread(server.wait_for_line, " connected")
        server.send_signal(signal.SIGINT)
        self.assertEqual(await asyncio.to_thread(server.wait_exit, 3.0), 0, server.output())
        self.assertIn("dropped: Connection timed out", "\n".join(server.stderr_lines()), server.output())


class HttpTest(MinimalFixtures, unittest.TestCase):
    def test_the_page_404_and_400(self):
        server = self.start_minimal_server()
        base = f"http://127.0.0.1:{server.port}"
        with urllib.request.urlopen(f"{base}/", timeout=e2e.DEFAULT_TIMEOUT) as page:
            self.assertEqual(page.status, 200)
            self.assertEqual(page.headers["Content-Type"], "text/html")
            self.assertIn(b"new WebSocket(`ws://${location.host}/socket`)", page.read())
        for path in ("/nope", "/socket"):  # /socket without an upgrade is not a page either
            with self.subTest(path=path), self.assertRaises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(f"{base}{path}", timeout=e2e.DEFAULT_TIMEOUT)
            self.assertEqual(caught.exception.code, 404, server.output())
        with socket.create_connection(("127.0.0.1", server.port), timeout=e2e.DEFAULT_TIMEOUT) as raw:
            raw.sendall(b"NOT HTTP\r\n\r\n")
            answer = b""
            while chunk := raw.recv(4096):
                answer += chunk
        self.assertTrue(answer.startswith(b"HTTP/1.1 400 Bad Request\r\n"), answer)
        # Still serving.
        with urllib.request.urlopen(f"{base}/", timeout=e2e.DEFAULT_TIMEOUT) as page:
            self.assertEqual(page.status, 200)


    def test_a_connection_that_sent_no_request_does_not_hold_up_shutdown(self):
        server = self.start_minimal_server(idle_timeout_ms=30_000)
        idle = socket.create_connection(("127.0.0.1", server.port), timeout=e2e.DEFAULT_TIMEOUT)
        self.addCleanup(idle.close)
        # Accepted in order: once the request after it is answered, the idle one waits in its read.
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/", timeout=e2e.DEFAULT_TIMEOUT):
            pass
        server.send_signal(signal.SIGINT)
        self.assertEqual(server.wait_exit(timeout=3.0), 0, server.output())
        self.assertEqual(idle.recv(1), b"", "the server closed the idle connection")


class ClientTest(MinimalFixtures, unittest.TestCase):
    def start_echoing_pair(self, replies):
        """minimal-server and a minimal-client sending to it every 50 ms, once the client has logged `replies`
        replies."""
        server = self.start_minimal_server()
        client = self.start_minimal_client(server.port, interval_ms=50)
        client.wait_for_line(re.compile(rf"^received: hello {replies}$"))
        return server, client

    def test_logs_replies_and_closes_with_1000_on_sigint(self):
        server, client = self.start_echoing_pair(replies=3)
        client.send_signal(signal.SIGINT)
        self.assertEqual(client.wait_exit(), 0, client.output())
        server.wait_for_line(re.compile(r"closed: code 1000 ''$"))
        received = replies(client)
        self.assertEqual(received, [f"hello {n}" for n in range(1, len(received) + 1)], client.output())
        self.assertIn("receiver finished", client.stderr_lines(), client.output())

    def test_exits_non_zero_when_the_server_goes_away(self):
        server, client = self.start_echoing_pair(replies=1)
        server.send_signal(signal.SIGINT)
        self.assertEqual(client.wait_exit(), 1, client.output())
        self.assertIn("server closed: code 1001 ''", client.stderr_lines(), client.output())
        self.assertEqual(server.wait_exit(), 0, server.output())

    def test_exits_non_zero_when_the_server_dies(self):
        server, client = self.start_echoing_pair(replies=1)
        server.proc.kill()
        self.assertEqual(client.wait_exit(), 1, client.output())
        self.assertTrue(any(line.startswith("connection lost: ") for line in client.stderr_lines()), client.output())

    def test_exits_non_zero_when_it_cannot_connect(self):
        result = e2e.run_briefly([Binaries.client, "127.0.0.1", e2e.free_port()], timeout=3)
        self.assertEqual(result.returncode, 1, e2e.describe(result))
        self.assertIn("cannot connect to ws://127.0.0.1:", result.stderr, e2e.describe(result))

    def test_a_close_never_answered_is_dropped_after_close_wait(self):
        with raw_peers.SilentWebSocketPeer() as peer:
            client = self.start_minimal_client(peer.port, interval_ms=50, close_wait_ms=300)
            client.wait_for_line("connected to ws://")
            interrupted = time.monotonic()
            client.send_signal(signal.SIGINT)
            code = client.wait_exit(timeout=3.0)
            took = time.monotonic() - interrupted
        self.assertEqual(code, 0, client.output())
        self.assertGreaterEqual(took, 0.3, client.output())
        self.assertLess(took, 1.5, client.output())
        self.assertIn("no answer to the close: dropping the connection", client.stderr_lines(), client.output())


if __name__ == "__main__":
    e2e.run_tests()
