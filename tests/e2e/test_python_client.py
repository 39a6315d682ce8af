#!/usr/bin/python3
"""Interop: the Python `websockets` client against wsecho-server.

Run: /usr/bin/python3 test_python_client.py --server PATH --client PATH [unittest arguments]
"""

import asyncio
import os
import random
import ssl
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wsecho_e2e as e2e  # noqa: E402

websockets = e2e.require_websockets()

# Frame length boundaries: 7-bit (<= 125), 16-bit (126..65535) and 64-bit lengths, plus 1 MiB.
SIZES = [0, 1, 125, 126, 65535, 65536, 1 << 20]

# Printable characters by the length of their UTF-8 encoding: ASCII, Latin-1 letters, CJK, emoji.
PRINTABLE_BY_UTF8_LENGTH = {1: (0x21, 0x7E), 2: (0xC0, 0xFF), 3: (0x4E00, 0x9FFF), 4: (0x1F600, 0x1F64F)}


def random_text(rng, size):
    """Random printable text whose UTF-8 encoding is exactly `size` bytes, mixing 1- to 4-byte characters."""
    chars = []
    left = size
    while left:
        length = rng.randint(1, min(4, left))
        low, high = PRINTABLE_BY_UTF8_LENGTH[length]
        chars.append(chr(rng.randint(low, high)))
        left -= length
    return "".join(chars)


def first_difference(a, b):
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


class PythonClientTest(e2e.ProcessFixtures, unittest.IsolatedAsyncioTestCase):
    @classmethod
    def setUpClass(cls):
        # Built here, outside the event loop: a second of text generation there trips asyncio's debug mode.
        # Seeded by size, so a failure reproduces with the same payload.
        cls.texts = [random_text(random.Random(size), size) for size in SIZES]
        cls.blobs = [random.Random(size).randbytes(size) for size in SIZES]

    def setUp(self):
        self.server = self.start_server()

    def connect(self):
        # No permessage-deflate, so the payload sizes are also the frame sizes on the wire.
        return websockets.connect(
            self.server.url, max_size=None, compression=None, open_timeout=e2e.DEFAULT_TIMEOUT,
            close_timeout=e2e.DEFAULT_TIMEOUT,
        )

    async def recv(self, ws):
        try:
            return await asyncio.wait_for(ws.recv(), e2e.DEFAULT_TIMEOUT)
        except asyncio.TimeoutError:
            self.fail(f"no echo within {e2e.DEFAULT_TIMEOUT} s\n{self.server.output()}")

    def assert_same_message(self, sent, got):
        # Not assertEqual: its diff of two 1 MiB payloads would bury the point.
        self.assertIs(type(got), type(sent), f"sent {type(sent).__name__}, the echo came back as {type(got).__name__}")
        if got != sent:
            self.fail(
                f"echo differs: sent {len(sent)} {type(sent).__name__} items, got {len(got)}; "
                f"first difference at index {first_difference(sent, got)}\n{self.server.output()}"
            )

    async def check_echoes(self, messages):
        async with self.connect() as ws:
            for size, message in zip(SIZES, messages):
                with self.subTest(size=size):
                    await ws.send(message)
                    self.assert_same_message(message, await self.recv(ws))

    async def test_text_echoes_are_identical_and_stay_text(self):
        await self.check_echoes(self.texts)

    async def test_binary_echoes_are_identical_and_stay_binary(self):
        await self.check_echoes(self.blobs)

    async def test_messages_come_back_in_order(self):
        # Text and binary interleaved, all sent before the first echo is read.
        messages = [f"message {i}" if i % 2 else f"message {i}".encode() for i in range(100)]
        async with self.connect() as ws:
            for message in messages:
                await ws.send(message)
            echoes = [await self.recv(ws) for _ in messages]
        self.assertEqual(echoes, messages)

    async def test_close_code_and_reason_reach_the_server_log(self):
        async with self.connect() as ws:
            await ws.send("ab")
            self.assert_same_message("ab", await self.recv(ws))
            await ws.send(b"\x00\x01\x02")
            self.assert_same_message(b"\x00\x01\x02", await self.recv(ws))
            peer = f"127.0.0.1:{ws.local_address[1]}"
            await ws.close(code=1000, reason="bye")
            self.assertEqual(ws.close_code, 1000, "the server's close reply")
        # Blocking wait off the event loop thread.
        await asyncio.to_thread(
            self.server.wait_for_line, f"#1 {peer} closed by peer: code 1000 'bye'; echoed 2 messages, 5 bytes"
        )



class SecureCompressedThreadedTest(PythonClientTest):
    """The same interop tests against a server with TLS, permessage-deflate and two threads, the client
    verifying the server's certificate against a CA made for this run and negotiating compression."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.certs = tempfile.TemporaryDirectory(prefix="wsecho-e2e-tls-")
        make_certs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tls", "make_certs.sh")
        subprocess.run([make_certs, cls.certs.name], check=True, capture_output=True)
        cls.tls = ssl.create_default_context(cafile=os.path.join(cls.certs.name, "ca.pem"))

    @classmethod
    def tearDownClass(cls):
        cls.certs.cleanup()
        super().tearDownClass()

    def setUp(self):
        certs = self.certs.name
        self.server = self.start_server(
            "--tls-cert", os.path.join(certs, "server.pem"), "--tls-key", os.path.join(certs, "server.key"),
            "--deflate", "--threads", "2",
        )
        self.assertTrue(self.server.url.startswith("wss://"), self.server.output())

    def connect(self):
        return websockets.connect(
            self.server.url, ssl=self.tls, max_size=None, compression="deflate", open_timeout=e2e.DEFAULT_TIMEOUT,
            close_timeout=e2e.DEFAULT_TIMEOUT,
        )

    async def test_compression_was_negotiated(self):
        async with self.connect() as ws:
            self.assertIn("permessage-deflate", ws.response_headers.get("Sec-WebSocket-Extensions", ""))


if __name__ == "__main__":
    e2e.run_tests()
