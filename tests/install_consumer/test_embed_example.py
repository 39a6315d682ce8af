#!/usr/bin/python3
"""examples/embed against an installed wsecho: configure and build it with CMAKE_PREFIX_PATH at the prefix
install.find_package wrote, then run it on 127.0.0.1 and talk to it with the Python websockets client.

Run: /usr/bin/python3 test_embed_example.py --cmake PATH --prefix DIR --source DIR --build-dir DIR
"""

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import wsecho_e2e as e2e  # noqa: E402

try:
    import websockets
except ImportError:
    sys.exit("needs the websockets package (Debian: python3-websockets); run with /usr/bin/python3")


class Paths:
    cmake = prefix = source = build_dir = None

    @classmethod
    def program(cls):
        return os.path.join(cls.build_dir, "upper-echo")


def run(argv, timeout):
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"failed ({done.returncode}): {' '.join(argv)}\n{done.stdout.decode(errors='replace')}")


def build_example():
    """A fresh configure and build of examples/embed as a project of its own, like a user's."""
    subprocess.run(["rm", "-rf", Paths.build_dir], check=True)
    run([Paths.cmake, "-S", Paths.source, "-B", Paths.build_dir, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
         f"-DCMAKE_PREFIX_PATH={Paths.prefix}"], timeout=60)
    run([Paths.cmake, "--build", Paths.build_dir], timeout=90)


class EmbedExampleTest(unittest.IsolatedAsyncioTestCase):
    def start(self, *args):
        child = e2e.Child([Paths.program(), *args])
        self.addCleanup(child.stop)
        return child

    def connect(self, port):
        return websockets.connect(f"ws://127.0.0.1:{port}/socket", compression=None,
                                  open_timeout=e2e.DEFAULT_TIMEOUT, close_timeout=e2e.DEFAULT_TIMEOUT)

    async def test_upper_cases_text_echoes_binary_and_drains_on_sigterm(self):
        example = self.start("127.0.0.1", "0")
        port = int(example.wait_for_line(e2e.LISTENING).group(2))

        async with self.connect(port) as first, self.connect(port) as second:
            await first.send("hello, wsecho: ünïcode stays")
            reply = await asyncio.wait_for(first.recv(), e2e.DEFAULT_TIMEOUT)
            self.assertEqual(reply, "HELLO, WSECHO: üNïCODE STAYS")
            await first.send(b"abc\x00")
            self.assertEqual(await asyncio.wait_for(first.recv(), e2e.DEFAULT_TIMEOUT), b"abc\x00")
            await second.send("second")
            self.assertEqual(await asyncio.wait_for(second.recv(), e2e.DEFAULT_TIMEOUT), "SECOND")

            # Graceful shutdown: both open connections get close 1001, and the program exits 0.
            example.send_signal(signal.SIGTERM)
            for ws in (first, second):
                with self.assertRaises(websockets.ConnectionClosed):
                    await asyncio.wait_for(ws.recv(), e2e.DEFAULT_TIMEOUT)
                self.assertEqual(ws.close_code, 1001, example.output())
        self.assertEqual(example.wait_exit(), 0, example.output())

    async def test_a_bad_port_is_a_usage_error(self):
        example = self.start("127.0.0.1", "http")
        self.assertEqual(example.wait_exit(), 2, example.output())
        self.assertIn("upper-echo: PORT: 'http' is not a number", "\n".join(example.stderr_lines()))

    async def test_a_port_in_use_is_one_line_and_exit_1(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            example = self.start("127.0.0.1", str(taken.getsockname()[1]))
            self.assertEqual(example.wait_exit(), 1, example.output())
        lines = example.stderr_lines()
        self.assertEqual(len(lines), 1, example.output())
        self.assertRegex(lines[0], r"^upper-echo: cannot listen on 127\.0\.0\.1:\d+: Address already in use$")


def main():
    parser = argparse.ArgumentParser()
    for flag in ("--cmake", "--prefix", "--source", "--build-dir"):
        parser.add_argument(flag, required=True)
    args, rest = parser.parse_known_args()
    Paths.cmake, Paths.prefix, Paths.source, Paths.build_dir = args.cmake, args.prefix, args.source, args.build_dir
    build_example()
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
