#!/usr/bin/python3
"""wsecho-server and wsecho-client as a user meets them: flags, exit codes, error lines, the demo, and
the client's bounded close against a peer that never answers.

Run: /usr/bin/python3 test_cli.py --server PATH --client PATH [unittest arguments]
"""

import base64
import hashlib
import os
import re
import signal
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wsecho_e2e as e2e  # noqa: E402
from wsecho_e2e import Binaries  # noqa: E402

# RFC 6455 §1.3: the server proves it speaks WebSocket by hashing the client's key with this GUID.
WEBSOCKET_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class SilentWebSocketPeer:
    """A raw TCP server that accepts one connection, completes the WebSocket handshake and then neither
    reads nor writes again: the peer whose close reply never comes."""

    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(e2e.DEFAULT_TIMEOUT)
        self.port = self._listener.getsockname()[1]
        self.url = f"ws://127.0.0.1:{self.port}/socket"
        self.error = None
        self._connection = None
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        # shutdown() wakes an accept() that still waits; close() alone would not on Linux.
        for sock in (self._listener, self._connection):
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
        self._thread.join(e2e.DEFAULT_TIMEOUT)

    def _serve(self):
        try:
            self._connection, _ = self._listener.accept()
            self._connection.settimeout(e2e.DEFAULT_TIMEOUT)
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = self._connection.recv(4096)
                if not chunk:
                    raise ConnectionError(f"the client left during the handshake: {request!r}")
                request += chunk
            key = re.search(rb"(?im)^Sec-WebSocket-Key:\s*(\S+)", request).group(1)
            accept = base64.b64encode(hashlib.sha1(key + WEBSOCKET_GUID).digest())
            self._connection.sendall(
                b"HTTP/1.1 101 Switching Protocols\r\n"
                b"Upgrade: websocket\r\n"
                b"Connection: Upgrade\r\n"
                b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
            )
        except Exception as e:  # reported by the test: a thread's exception would only be printed
            self.error = e


class FlagsTest(unittest.TestCase):
    def test_help_and_version(self):
        for program, path in (("wsecho-server", Binaries.server), ("wsecho-client", Binaries.client)):
            with self.subTest(program=program, flag="--help"):
                result = e2e.run_briefly([path, "--help"], timeout=2)
                self.assertEqual(result.returncode, 0, e2e.describe(result))
                self.assertIn(f"Usage: {program}", result.stdout, e2e.describe(result))
            with self.subTest(program=program, flag="--version"):
                result = e2e.run_briefly([path, "--version"], timeout=2)
                self.assertEqual(result.returncode, 0, e2e.describe(result))
                self.assertTrue(result.stdout.startswith(f"{program} 0.1.0"), e2e.describe(result))

    def test_bad_flag_values_exit_2_naming_the_flag(self):
        # Each case also has valid --listen/--url values: should the bad value be accepted after all,
        # the program must not grab or dial the default port 8080.
        server = [Binaries.server, "--listen", "127.0.0.1:0"]
        client = [Binaries.client, "--url", f"ws://127.0.0.1:{e2e.free_port()}/socket"]
        cases = [
            (client, ["--interval", "5"], "--interval"),
            (client, ["--log-level", "loud"], "--log-level"),
            (server, ["--log-level", "loud"], "--log-level"),
            (server, ["--listen", "nonsense"], "--listen"),
        ]
        for program, args, flag in cases:
            with self.subTest(program=os.path.basename(program[0]), args=args):
                result = e2e.run_briefly(program + args, timeout=2)
                self.assertEqual(result.returncode, 2, e2e.describe(result))
                self.assertIn(flag, result.stderr, e2e.describe(result))


class FailuresTest(unittest.TestCase):
    def test_server_on_a_port_in_use_exits_with_one_line(self):
        with socket.create_server(("127.0.0.1", 0)) as occupant:
            port = occupant.getsockname()[1]
            result = e2e.run_briefly([Binaries.server, "--listen", f"127.0.0.1:{port}"], timeout=2)
        self.assertEqual(result.returncode, 1, e2e.describe(result))
        self.assertEqual(
            result.stderr.splitlines(),
            [f"wsecho-server: cannot listen on 127.0.0.1:{port}: Address already in use"],
            e2e.describe(result),
        )

    def test_client_dialling_a_closed_port_exits_1(self):
        port = e2e.free_port()
        result = e2e.run_briefly([Binaries.client, "--url", f"ws://127.0.0.1:{port}/socket"], timeout=2)
        self.assertEqual(result.returncode, 1, e2e.describe(result))
        self.assertIn(f"cannot connect to ws://127.0.0.1:{port}/socket", result.stderr, e2e.describe(result))
        self.assertIn("refused", result.stderr, e2e.describe(result))


class SessionTest(e2e.ProcessFixtures, unittest.TestCase):
    def test_demo_client_and_server(self):
        interval = 0.1
        server = self.start_server(log_level="info")
        started = time.monotonic()
        client = self.start_client(server.url, "--interval", "100ms", "--message", "hello {n}")
        client.wait_for_stderr(lambda lines: len(e2e.received_messages(lines)) >= 3, "3 Received lines")
        client.send_signal(signal.SIGINT)
        code = client.wait_exit(timeout=1.5)
        ran = time.monotonic() - started
        self.assertEqual(code, 0, client.output())
        server.wait_for_line("closed by peer: code 1000")

        received = e2e.received_messages(client.stderr_lines())
        self.assertEqual(received, [f"hello {n}" for n in range(1, len(received) + 1)], client.output())
        self.assertGreaterEqual(len(received), 3, client.output())
        # Message n goes out n intervals after the start at the earliest, and late ticks are not made
        # up for with a burst: so the count is bounded by the time the client ran.
        self.assertLess(len(received), 20, client.output())
        self.assertLessEqual(len(received), ran / interval + 1, f"ran {ran:.3f} s\n{client.output()}")

    def test_close_times_out_when_the_server_never_answers(self):
        with SilentWebSocketPeer() as peer:
            client = self.start_client(peer.url, "--close-timeout", "300ms", "--interval", "1s")
            client.wait_for_line("connected to")
            client.send_signal(signal.SIGINT)
            code = client.wait_exit(timeout=1.5)
            self.assertIsNone(peer.error, client.output())
        self.assertEqual(code, 0, client.output())
        self.assertIn("close timed out after 300ms", "\n".join(client.stderr_lines()), client.output())


if __name__ == "__main__":
    e2e.run_tests()
