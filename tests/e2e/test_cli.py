#!/usr/bin/python3
"""wsecho-server and wsecho-client as a user meets them: flags, exit codes, error lines, the demo, and
the client's bounded close against a peer that never answers.

Run: /usr/bin/python3 test_cli.py --server PATH --client PATH [unittest arguments]
"""

import json
import os
import re
import signal
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import raw_peers  # noqa: E402
import wsecho_e2e as e2e  # noqa: E402
from wsecho_e2e import Binaries  # noqa: E402

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
        with raw_peers.SilentWebSocketPeer() as peer:
            client = self.start_client(peer.url, "--close-timeout", "300ms", "--interval", "1s")
            client.wait_for_line("connected to")
            client.send_signal(signal.SIGINT)
            code = client.wait_exit(timeout=1.5)
            self.assertIsNone(peer.error, client.output())
        self.assertEqual(code, 0, client.output())
        self.assertIn("close timed out after 300ms", "\n".join(client.stderr_lines()), client.output())


class ConfigurationTest(unittest.TestCase):
    """WSECHO_* variables, --print-config, and that flags win."""

    @staticmethod
    def config(result):
        """--print-config's lines as {name: (value text, source)}."""
        entries = {}
        for line in result.stdout.splitlines():
            if line.startswith("#"):
                continue
            match = re.fullmatch(r"([a-z-]+) = (.*)  # (.*)", line)
            if match is None:
                raise AssertionError(f"not a 'name = value  # source' line: {line!r}\n{e2e.describe(result)}")
            entries[match.group(1)] = (match.group(2), match.group(3))
        return entries

    def test_print_config_shows_flags_variables_and_defaults(self):
        result = e2e.run_briefly(
            [Binaries.client, "--print-config", "--interval", "250ms", "-H", "X-A: 1", "-H", "X-B: \"2\""],
            timeout=2, env={"WSECHO_URL": "ws://127.0.0.1:9/env", "WSECHO_COUNT": "7", "WSECHO_INTERVAL": "9s"},
        )
        self.assertEqual(result.returncode, 0, e2e.describe(result))
        config = self.config(result)
        self.assertEqual(config["url"], ('"ws://127.0.0.1:9/env"', "from WSECHO_URL"), e2e.describe(result))
        self.assertEqual(config["count"], ("7", "from WSECHO_COUNT"), e2e.describe(result))
        self.assertEqual(config["interval"], ('"250ms"', "from --interval"), "the flag wins\n" + e2e.describe(result))
        self.assertEqual(config["header"], ('["X-A: 1", "X-B: \\"2\\""]', "from --header"), e2e.describe(result))
        self.assertEqual(config["close-timeout"], ('"1s"', "default"), e2e.describe(result))
        self.assertEqual(config["stdin"], ("false", "default"), e2e.describe(result))
        self.assertEqual(config["log-format"], ('"text"', "default"), e2e.describe(result))
        self.assertNotIn("help", config)

    def test_server_settings_come_from_the_environment(self):
        result = e2e.run_briefly(
            [Binaries.server, "--print-config"], timeout=2,
            env={"WSECHO_LISTEN": "127.0.0.1:0", "WSECHO_ALLOW_ORIGIN": "https://a.example,https://b.example",
                 "WSECHO_THREADS": "2", "WSECHO_LOG_LEVEL": ""},
        )
        self.assertEqual(result.returncode, 0, e2e.describe(result))
        config = self.config(result)
        self.assertEqual(config["listen"], ('"127.0.0.1:0"', "from WSECHO_LISTEN"))
        self.assertEqual(config["allow-origin"], ('["https://a.example", "https://b.example"]', "from WSECHO_ALLOW_ORIGIN"))
        self.assertEqual(config["threads"], ("2", "from WSECHO_THREADS"))
        self.assertEqual(config["log-level"], ('"info"', "default"), "an empty variable counts as unset")

    def test_a_running_server_takes_its_address_from_the_environment(self):
        server = e2e.Child([Binaries.server], "wsecho-server", env={"WSECHO_LISTEN": "127.0.0.1:0"})
        self.addCleanup(server.stop)
        server.wait_for_line(e2e.LISTENING)

    def test_bad_variables_exit_2_naming_variable_and_flag(self):
        client = [Binaries.client, "--url", f"ws://127.0.0.1:{e2e.free_port()}/socket"]
        cases = [
            (client, {"WSECHO_INTERVAL": "5"}, "WSECHO_INTERVAL (for --interval): invalid duration"),
            (client, {"WSECHO_URL": "http://x/"}, "WSECHO_URL"),  # the flag given above wins: no error
            (client, {"WSECHO_HEADER": "Upgrade: h2c"}, "WSECHO_HEADER (for --header): invalid header"),
            ([Binaries.server], {"WSECHO_LISTEN": "nonsense"}, "WSECHO_LISTEN (for --listen): invalid address"),
            ([Binaries.server], {"WSECHO_LOG_FORMAT": "xml"}, "WSECHO_LOG_FORMAT (for --log-format): unknown format"),
        ]
        for program, env, expected in cases:
            with self.subTest(env=env):
                result = e2e.run_briefly(program + ["--print-config"], timeout=2, env=env)
                if "WSECHO_URL" in env:
                    self.assertEqual(result.returncode, 0, e2e.describe(result))
                    continue
                self.assertEqual(result.returncode, 2, e2e.describe(result))
                self.assertIn(expected, result.stderr, e2e.describe(result))

    def test_help_lists_each_variable(self):
        result = e2e.run_briefly([Binaries.server, "--help"], timeout=2, env={"WSECHO_THREADS": "0"})
        self.assertEqual(result.returncode, 0, "--help does not read the variables\n" + e2e.describe(result))
        self.assertIn("(Env:WSECHO_MAX_MESSAGE_BYTES)", result.stdout, e2e.describe(result))
        self.assertIn("--print-config", result.stdout, e2e.describe(result))


class JsonLogTest(e2e.ProcessFixtures, unittest.TestCase):
    def parse_lines(self, lines, output):
        records = []
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError as e:
                raise AssertionError(f"not JSON: {line!r} ({e})\n{output}") from None
            self.assertEqual(sorted(record), ["level", "logger", "message", "time"], output)
            self.assertRegex(record["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", output)
            records.append(record)
        return records

    def test_both_programs_log_one_json_object_per_line(self):
        server = self.start_server("--log-format", "json", log_level="debug")
        message = 'a "quoted" word,\na second line\tand a tab \\ and \u00e9'
        result = e2e.run_briefly(
            [Binaries.client, "--url", server.url, "--log-format", "json", "--count", "1", "--interval", "10ms",
             "--message", message],
            timeout=5,
        )
        self.assertEqual(result.returncode, 0, e2e.describe(result))
        client_records = self.parse_lines(result.stderr.splitlines(), e2e.describe(result))
        self.assertIn("Received: " + message, [r["message"] for r in client_records], e2e.describe(result))
        self.assertIn("info", [r["level"] for r in client_records])

        server.wait_for_line("closed by peer: code 1000")
        server.stop()
        server_records = self.parse_lines(server.stderr_lines(), server.output())
        self.assertTrue(any(r["message"].startswith("listening on http://127.0.0.1:") for r in server_records))
        self.assertIn("debug", [r["level"] for r in server_records], server.output())

    def test_a_failure_after_setup_is_a_json_line_too(self):
        url = f"ws://127.0.0.1:{e2e.free_port()}/socket"
        result = e2e.run_briefly([Binaries.client, "--url", url, "--log-format", "json"], timeout=2)
        self.assertEqual(result.returncode, 1, e2e.describe(result))
        records = self.parse_lines(result.stderr.splitlines(), e2e.describe(result))
        self.assertEqual(records[-1]["level"], "error", e2e.describe(result))
        self.assertEqual(records[-1]["message"], f"cannot connect to {url}: Connection refused", e2e.describe(result))


if __name__ == "__main__":
    e2e.run_tests()
