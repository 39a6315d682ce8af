#!/usr/bin/python3
"""wsecho-bench end to end: a short real run against wsecho-server whose JSON report adds up, and faulty
Python peers (a corrupting echo, a server that closes with 1011, one that never answers, none at all), each
reported under its error kind with exit code 1.

Run: /usr/bin/python3 test_bench.py --bench PATH --server PATH --client PATH [unittest arguments]
"""

import json
import os
import pty
import select
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wsecho_e2e as e2e  # noqa: E402

e2e.require_websockets()  # its peers are Python websockets servers

BENCH = None  # the wsecho-bench path, taken from --bench before unittest sees the arguments
RUN_LIMIT = 20  # seconds; each run below needs well under 2


def faulty_peer(behaviour):
    """A Python server whose connections run `behaviour(ws)`; no size limit, no compression, so only the
    behaviour decides what wsecho-bench sees."""
    return e2e.WebSocketServerThread(behaviour, max_size=None, compression=None)


async def corrupting_echo(ws):
    """Echoes everything, but flips one bit in the last byte of every 10th message."""
    count = 0
    async for message in ws:
        count += 1
        if count % 10 == 0:
            data = bytearray(message)
            data[-1] ^= 0x01
            message = bytes(data)
        await ws.send(message)


async def closing_echo(ws):
    """Echoes five messages, then closes with 1011 (internal error)."""
    for _ in range(5):
        await ws.send(await ws.recv())
    await ws.close(1011, "going down")


async def silent_peer(ws):
    """Accepts the upgrade, then reads and never answers."""
    async for _ in ws:
        pass


def run_bench(url, *args):
    completed = e2e.run_briefly([BENCH, "--url", url, "--json", "--log-level", "warn", *args], RUN_LIMIT)
    lines = completed.stdout.strip().splitlines()
    report = json.loads(lines[-1]) if lines else None
    return completed, report


class BenchTest(e2e.ProcessFixtures, unittest.TestCase):
    def assert_errors_add_up(self, report, out):
        errors = report["errors"]
        kinds = (errors["connect_failed"] + sum(errors["closed_by_server"].values()) + errors["mismatch"]
                 + errors["timeout"] + errors["connection_error"])
        self.assertEqual(errors["total"], kinds, out)

    # 2000 messages over 4 connections, 4 in flight each, against the real server: every one echoed and
    # verified, the counts and latency percentiles consistent, exit code 0.
    def test_real_run_against_wsecho_server(self):
        server = self.start_server(log_level="info")
        completed, report = run_bench(server.url, "--connections", "4", "--pipeline", "4", "--messages", "2000",
                                      "--warmup", "0s", "--size", "64")
        out = e2e.describe(completed)
        self.assertEqual(completed.returncode, 0, out)
        self.assertIsNotNone(report, out)
        self.assertEqual(report["connected"], 4, out)
        self.assertEqual(report["messages"], 2000, out)
        self.assertEqual(report["measured"]["sent"], 2000, out)
        self.assertEqual(report["measured"]["received"], 2000, out)
        self.assertEqual(report["measured"]["bytes"], 2000 * 64, out)
        self.assertEqual(report["sent"], report["received"], out)
        self.assertEqual(report["latency_us"]["count"], 2000, out)
        self.assertEqual(report["errors"]["total"], 0, out)
        self.assert_errors_add_up(report, out)
        latency = report["latency_us"]
        self.assertGreater(latency["min"], 0, out)
        ordered = [latency[k] for k in ("min", "p50", "p90", "p99", "p999", "max")]
        self.assertEqual(ordered, sorted(ordered), out)
        self.assertGreater(report["measured"]["msgs_per_s"], 0, out)
        elapsed = report["measured"]["elapsed_s"]
        self.assertAlmostEqual(report["measured"]["msgs_per_s"], 2000 / elapsed, delta=1 + 2000 / elapsed * 1e-3)

    # A paced text run for a duration: warm-up messages are verified but not measured, everything sent is
    # echoed, and the report is the human one without --json.
    def test_paced_text_run_for_a_duration(self):
        server = self.start_server(log_level="info")
        completed, report = run_bench(server.url, "--connections", "3", "--text", "--size", "300", "--rate", "600",
                                      "--duration", "500ms", "--warmup", "200ms")
        out = e2e.describe(completed)
        self.assertEqual(completed.returncode, 0, out)
        self.assertEqual(report["opcode"], "text", out)
        self.assertEqual(report["sent"], report["received"], out)
        self.assertGreater(report["measured"]["sent"], 0, out)
        self.assertLess(report["measured"]["sent"], report["sent"], "warm-up messages are not measured\n" + out)
        self.assertEqual(report["measured"]["received"], report["measured"]["sent"], out)
        self.assertEqual(report["errors"]["total"], 0, out)

        text = e2e.run_briefly([BENCH, "--url", server.url, "--messages", "50", "--warmup", "0s"], RUN_LIMIT)
        self.assertEqual(text.returncode, 0, e2e.describe(text))
        self.assertIn("echoed   50 of 50 measured messages", text.stdout, e2e.describe(text))
        self.assertIn("errors   0", text.stdout, e2e.describe(text))

    # On a terminal a progress line is rewritten every second; into a pipe nothing of it is written.
    def test_progress_line_only_on_a_terminal(self):
        server = self.start_server(log_level="info")
        argv = [BENCH, "--url", server.url, "--connections", "2", "--duration", "1500ms", "--warmup", "0s"]
        pid, fd = pty.fork()
        if pid == 0:  # the child: stdin, stdout and stderr are the terminal
            os.execv(BENCH, argv)
        output, deadline = b"", time.monotonic() + RUN_LIMIT
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([fd], [], [], deadline - time.monotonic())
                try:
                    chunk = os.read(fd, 4096) if ready else b""
                except OSError:  # EIO: the child has closed the terminal
                    chunk = b""
                if not chunk:
                    break
                output += chunk
        finally:
            os.close(fd)
            _, status = os.waitpid(pid, 0)
        text = output.decode(errors="replace")
        self.assertEqual(os.waitstatus_to_exitcode(status), 0, text)
        self.assertRegex(text, r"\r +1 s  measure +\d+ msg/s  total \d+  errors 0", text)

        piped = e2e.run_briefly(argv, RUN_LIMIT)
        self.assertEqual(piped.returncode, 0, e2e.describe(piped))
        self.assertNotIn("\r", piped.stderr + piped.stdout, e2e.describe(piped))

    # A peer that corrupts every 10th echo is caught: one mismatch per corrupted echo, exit code 1.
    def test_corrupting_peer_is_caught(self):
        with faulty_peer(corrupting_echo) as peer:
            completed, report = run_bench(peer.url, "--connections", "2", "--pipeline", "2", "--messages", "100",
                                          "--warmup", "0s", "--size", "128")
        out = e2e.describe(completed)
        self.assertEqual(completed.returncode, 1, out)
        self.assertEqual(report["errors"]["mismatch"], 10, out)  # 50 per connection, every 10th
        self.assertEqual(report["errors"]["total"], 10, out)
        self.assertEqual(report["measured"]["received"], 90, out)
        self.assertIn("mismatched", report["first_error"], out)
        self.assertIn("mismatched", completed.stderr, out)
        self.assert_errors_add_up(report, out)

    # A server that closes mid-run is counted under its close code.
    def test_server_close_is_counted_by_code(self):
        with faulty_peer(closing_echo) as peer:
            completed, report = run_bench(peer.url, "--connections", "3", "--messages", "60", "--warmup", "0s")
        out = e2e.describe(completed)
        self.assertEqual(completed.returncode, 1, out)
        self.assertEqual(report["errors"]["closed_by_server"], {"1011": 3}, out)
        self.assertEqual(report["measured"]["received"], 15, out)
        self.assert_errors_add_up(report, out)

    # A message over the server's limit is reported as the server's close 1009, not as a broken pipe.
    def test_a_message_over_the_servers_limit_is_counted_as_1009(self):
        server = self.start_server("--max-message-bytes", "1KiB", log_level="info")
        completed, report = run_bench(server.url, "--connections", "2", "--messages", "10", "--size", "4096",
                                      "--warmup", "0s")
        out = e2e.describe(completed)
        self.assertEqual(completed.returncode, 1, out)
        self.assertEqual(report["errors"]["closed_by_server"], {"1009": 2}, out)
        self.assertEqual(report["errors"]["connection_error"], 0, out)
        self.assert_errors_add_up(report, out)

    # Echoes that never come are a timeout per connection, after --timeout, not a hang.
    def test_missing_echoes_time_out(self):
        with faulty_peer(silent_peer) as peer:
            completed, report = run_bench(peer.url, "--connections", "2", "--duration", "300ms", "--warmup", "0s",
                                          "--timeout", "300ms")
        out = e2e.describe(completed)
        self.assertEqual(completed.returncode, 1, out)
        self.assertEqual(report["errors"]["timeout"], 2, out)
        self.assertEqual(report["measured"]["received"], 0, out)
        self.assertIn("no echo within 300ms", report["first_error"], out)

    # Nobody listening: every connection is a connect failure, with the reason on stderr.
    def test_connect_failure(self):
        completed, report = run_bench(f"ws://127.0.0.1:{e2e.free_port()}/socket", "--connections", "3",
                                      "--duration", "1s")
        out = e2e.describe(completed)
        self.assertEqual(completed.returncode, 1, out)
        self.assertEqual(report["errors"]["connect_failed"], 3, out)
        self.assertEqual(report["connected"], 0, out)
        self.assertIn("Connection refused", completed.stderr, out)

    # Bad flags name the flag and exit with 2.
    def test_bad_flags(self):
        cases = [
            (["--connections", "0"], "--connections"),
            (["--size", "12XB"], "--size"),
            (["--text", "--binary"], "--text"),
            (["--messages", "10", "--duration", "1s"], "--duration"),
            (["--rate", "-5"], "--rate"),
            (["--url", "http://x/"], "--url"),
        ]
        for args, flag in cases:
            with self.subTest(args=args):
                completed = e2e.run_briefly([BENCH, *args], RUN_LIMIT)
                self.assertEqual(completed.returncode, 2, e2e.describe(completed))
                self.assertIn(flag, completed.stderr, e2e.describe(completed))


if __name__ == "__main__":
    if "--bench" in sys.argv:
        at = sys.argv.index("--bench")
        BENCH = os.path.abspath(sys.argv[at + 1])
        del sys.argv[at:at + 2]
    if not (BENCH and os.access(BENCH, os.X_OK)):
        sys.exit("usage: test_bench.py --bench PATH --server PATH --client PATH")
    e2e.run_tests()
