#!/usr/bin/python3
"""wsecho-client as a tool: --stdin from a pipe and from a file (replies on stdout), --count, --binary,
-H headers and --subprotocol against a Python `websockets` server that negotiates, and --reconnect's limit.

Run: /usr/bin/python3 test_client_tool.py --server PATH --client PATH [unittest arguments]
"""

import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wsecho_e2e as e2e  # noqa: E402
from wsecho_e2e import Binaries  # noqa: E402

e2e.require_websockets()  # its peers are Python websockets servers


class NegotiatingEchoServer(e2e.WebSocketServerThread):
    """A Python echo server that supports the given subprotocols and records, per connection, the request
    headers, the chosen subprotocol and the messages received (str for text, bytes for binary)."""

    def __init__(self, subprotocols=None):
        super().__init__(self._echo, subprotocols=subprotocols)
        self.connections = []  # dicts: headers, subprotocol, received

    async def _echo(self, ws):
        record = {"headers": ws.request_headers, "subprotocol": ws.subprotocol, "received": []}
        self.connections.append(record)
        async for message in ws:
            record["received"].append(message)
            await ws.send(message)


class StdinTest(e2e.ProcessFixtures, unittest.TestCase):
    LINES = ["first line", "", "say \"hi\"", "unicode: h\u00e9 \u20ac", "last"]

    def check_echoed_lines(self, result):
        self.assertEqual(result.returncode, 0, e2e.describe(result))
        self.assertEqual(result.stdout.splitlines(), self.LINES, e2e.describe(result))
        self.assertIn("sent 5 messages: sending close 1000", result.stderr, e2e.describe(result))
        self.assertNotIn("Received:", result.stderr, "replies go to stdout only\n" + e2e.describe(result))

    def test_lines_from_a_pipe_are_echoed_to_stdout(self):
        server = self.start_server(log_level="info")
        proc = subprocess.run(
            [Binaries.client, "--url", server.url, "--stdin"], input="\n".join(self.LINES) + "\n",
            capture_output=True, timeout=5, encoding="utf-8", env=e2e.child_env(),
        )
        self.check_echoed_lines(proc)
        server.wait_for_line("closed by peer: code 1000")

    def test_lines_from_a_redirected_file(self):
        server = self.start_server(log_level="info")
        with tempfile.TemporaryFile("w+", encoding="utf-8") as f:
            f.write("\r\n".join(self.LINES))  # CRLF and no newline at the end
            f.seek(0)
            result = e2e.run_briefly([Binaries.client, "--url", server.url, "--stdin"], timeout=5, stdin=f)
        self.check_echoed_lines(result)

    def test_each_line_goes_out_when_it_is_read(self):
        # Interactive use: the reply to a line arrives before the next line is even written.
        server = self.start_server(log_level="info")
        client = self.start_client(server.url, "--stdin", stdin=subprocess.PIPE)
        for n, line in enumerate(["ping", "pong", "done"], start=1):
            client.write_stdin(line + "\n")
            client.wait_for_stdout(lambda lines, n=n: len(lines) >= n, f"reply {n} on stdout")
        client.close_stdin()
        self.assertEqual(client.wait_exit(), 0, client.output())
        self.assertEqual(client.stdout_lines(), ["ping", "pong", "done"], client.output())

    def test_empty_input_connects_and_closes_cleanly(self):
        server = self.start_server(log_level="info")
        result = e2e.run_briefly([Binaries.client, "--url", server.url, "--stdin"], timeout=5)  # /dev/null
        self.assertEqual(result.returncode, 0, e2e.describe(result))
        self.assertEqual(result.stdout, "", e2e.describe(result))
        self.assertIn("receiver finished", result.stderr, e2e.describe(result))


class MessagesTest(e2e.ProcessFixtures, unittest.TestCase):
    def test_count_sends_that_many_then_exits_0(self):
        server = self.start_server(log_level="info")
        result = e2e.run_briefly(
            [Binaries.client, "--url", server.url, "--count", "3", "--interval", "20ms", "--message", "m{n}"],
            timeout=5,
        )
        self.assertEqual(result.returncode, 0, e2e.describe(result))
        self.assertEqual(e2e.received_messages(result.stderr.splitlines()), ["m1", "m2", "m3"], e2e.describe(result))
        server.wait_for_line("closed by peer: code 1000 ''; echoed 3 messages")

    def test_binary_frames_reach_the_server_as_bytes(self):
        with NegotiatingEchoServer() as server:
            result = e2e.run_briefly(
                [Binaries.client, "--url", server.url, "--binary", "--count", "2", "--interval", "10ms"], timeout=5
            )
        self.assertEqual(result.returncode, 0, e2e.describe(result))
        received = server.connections[0]["received"]
        self.assertEqual(received, [b"Hello from wsecho-client #1", b"Hello from wsecho-client #2"], e2e.describe(result))
        self.assertIn("Received: <27 bytes of binary>", result.stderr, e2e.describe(result))


class HandshakeTest(unittest.TestCase):
    def run_client(self, url, *args):
        return e2e.run_briefly([Binaries.client, "--url", url, "--count", "1", "--interval", "10ms", *args], timeout=5)

    def test_headers_are_sent_and_may_replace_defaults(self):
        with NegotiatingEchoServer() as server:
            result = self.run_client(server.url, "-H", "X-Trace: abc 123", "-H", "User-Agent: tester/1",
                                     "--header", "X-Trace: second")
        self.assertEqual(result.returncode, 0, e2e.describe(result))
        headers = server.connections[0]["headers"]
        self.assertEqual(headers.get_all("X-Trace"), ["abc 123", "second"], e2e.describe(result))
        self.assertEqual(headers.get_all("User-Agent"), ["tester/1"], e2e.describe(result))

    def test_a_malformed_header_is_a_flag_error(self):
        result = self.run_client(f"ws://127.0.0.1:{e2e.free_port()}/socket", "-H", "no colon here")
        self.assertEqual(result.returncode, 2, e2e.describe(result))
        self.assertIn("--header: invalid header 'no colon here'", result.stderr, e2e.describe(result))

    def test_subprotocol_the_server_chooses_is_reported(self):
        with NegotiatingEchoServer(subprotocols=["chat.v2", "chat.v1"]) as server:
            result = self.run_client(server.url, "--subprotocol", "chat.v1", "--subprotocol", "chat.v2")
        self.assertEqual(result.returncode, 0, e2e.describe(result))
        self.assertIn(server.connections[0]["subprotocol"], ["chat.v1", "chat.v2"], e2e.describe(result))
        self.assertIn(f"subprotocol {server.connections[0]['subprotocol']}", result.stderr, e2e.describe(result))
        self.assertIn("chat.v1, chat.v2", server.connections[0]["headers"]["Sec-WebSocket-Protocol"])

    def test_a_subprotocol_the_server_does_not_support_is_declined(self):
        with NegotiatingEchoServer(subprotocols=["chat.v2"]) as server:
            result = self.run_client(server.url, "--subprotocol", "mqtt")
        self.assertEqual(result.returncode, 0, e2e.describe(result))
        self.assertIsNone(server.connections[0]["subprotocol"])
        self.assertIn("the server chose none of the offered subprotocols", result.stderr, e2e.describe(result))


class ReconnectTest(unittest.TestCase):
    def test_gives_up_after_the_attempts_and_exits_1(self):
        url = f"ws://127.0.0.1:{e2e.free_port()}/socket"
        result = e2e.run_briefly(
            [Binaries.client, "--url", url, "--reconnect", "--reconnect-attempts", "2", "--reconnect-delay", "10ms"],
            timeout=5,
        )
        self.assertEqual(result.returncode, 1, e2e.describe(result))
        self.assertIn("reconnecting in", result.stderr, e2e.describe(result))
        self.assertIn("(attempt 2 of 2)", result.stderr, e2e.describe(result))
        self.assertIn("giving up after 2 reconnection attempts", result.stderr, e2e.describe(result))
        self.assertIn(f"wsecho-client: cannot connect to {url}: Connection refused", result.stderr, e2e.describe(result))


if __name__ == "__main__":
    e2e.run_tests()
