#!/usr/bin/python3
"""Interop: wsecho-client against a Python `websockets` echo server running in this process.

Run: /usr/bin/python3 test_python_server.py --server PATH --client PATH [unittest arguments]
"""

import os
import signal
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wsecho_e2e as e2e  # noqa: E402

websockets = e2e.require_websockets()


class RecordingEchoServer(e2e.WebSocketServerThread):
    """A Python echo server that records what it received, what it echoed and the close codes its peers
    sent. Read the records under `condition` (or with wait_until) while the server runs."""

    def __init__(self):
        super().__init__(self._echo, max_size=None)
        self.condition = threading.Condition()
        self.received = []     # every message, as received (str for text, bytes for binary)
        self.echoed = []       # messages whose echo was handed to the transport before the close
        self.close_codes = []  # (code, reason) per connection, once it is closed

    def wait_until(self, predicate, timeout=e2e.DEFAULT_TIMEOUT):
        return e2e.wait_on(self.condition, predicate, timeout)

    def _record(self, records, item):
        with self.condition:
            records.append(item)
            self.condition.notify_all()

    async def _echo(self, ws):
        try:
            async for message in ws:
                self._record(self.received, message)
                await ws.send(message)
                self._record(self.echoed, message)
        except websockets.ConnectionClosed:
            pass  # a send after the peer's close: that message was not echoed
        await ws.wait_closed()
        self._record(self.close_codes, (ws.close_code, ws.close_reason))


class PythonServerTest(e2e.ProcessFixtures, unittest.TestCase):
    def test_client_echoes_and_closes_with_1000_on_sigint(self):
        with RecordingEchoServer() as server:
            client = self.start_client(server.url, "--interval", "50ms", "--message", "hello {n}")

            def records():
                with server.condition:
                    return (f"received: {server.received}\nechoed: {server.echoed}\n"
                            f"close codes: {server.close_codes}\n{client.output()}")

            if not server.wait_until(lambda: len(server.echoed) >= 3):
                self.fail(f"the server did not echo 3 messages in time\n{records()}")
            client.send_signal(signal.SIGINT)
            code = client.wait_exit(timeout=1.5)
            self.assertEqual(code, 0, f"exit code after SIGINT\n{records()}")
            # The server's side of the close may finish a moment after the client has gone.
            server.wait_until(lambda: server.close_codes)

            with server.condition:
                received, echoed, close_codes = list(server.received), list(server.echoed), list(server.close_codes)
            expected = [f"hello {n}" for n in range(1, len(received) + 1)]
            self.assertGreaterEqual(len(received), 3, records())
            self.assertEqual(received, expected, f"messages in order, as text\n{records()}")
            self.assertEqual([code for code, _ in close_codes], [1000], f"the client's close frame\n{records()}")
            lines = client.stderr_lines()
            self.assertEqual(e2e.received_messages(lines), echoed, f"a Received line per echo\n{records()}")
            self.assertIn("receiver finished", "\n".join(lines), records())


if __name__ == "__main__":
    e2e.run_tests()
