#!/usr/bin/python3
"""Graceful shutdown of the wsecho-server process: SIGTERM while Python `websockets` clients send at full
speed, a peer that never reads and the drain timeout, and a second signal that exits at once.

Run: /usr/bin/python3 test_shutdown.py --server PATH --client PATH [unittest arguments]
"""

import asyncio
import os
import signal
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import raw_peers  # noqa: E402
import wsecho_e2e as e2e  # noqa: E402

websockets = e2e.require_websockets()


async def flood(url, flowing):
    """Sends numbered messages as fast as the connection takes them while checking each echo is the next
    number; returns (sent, echoed, in_order, close code) once the server has closed."""
    sent = echoed = 0
    in_order = True
    async with websockets.connect(url, max_queue=None) as ws:

        async def send_all():
            nonlocal sent
            try:
                while True:
                    await ws.send(str(sent))
                    sent += 1
                    # send() only waits when the write buffer is full: yield so the receiver runs too.
                    await asyncio.sleep(0)
            except websockets.ConnectionClosed:
                pass

        async def receive_all():
            nonlocal echoed, in_order
            try:
                async for message in ws:
                    in_order = in_order and message == str(echoed)
                    echoed += 1
                    if echoed == 200:
                        flowing.release()
            except websockets.ConnectionClosed:
                pass

        await asyncio.gather(send_all(), receive_all())
        return sent, echoed, in_order, ws.close_code


class ShutdownTest(e2e.ProcessFixtures, unittest.IsolatedAsyncioTestCase):
    async def test_sigterm_echoes_what_was_read_then_closes_1001_and_exits_0(self):
        server = self.start_server("--threads", "2", "--drain-timeout", "3s", log_level="info")
        flowing = asyncio.Semaphore(0)
        peers = [asyncio.create_task(flood(server.url, flowing)) for _ in range(3)]
        for _ in peers:
            await asyncio.wait_for(flowing.acquire(), e2e.DEFAULT_TIMEOUT)
        server.send_signal(signal.SIGTERM)
        results = await asyncio.wait_for(asyncio.gather(*peers), e2e.DEFAULT_TIMEOUT)
        self.assertEqual(await asyncio.to_thread(server.wait_exit), 0, server.output())

        for sent, echoed, in_order, code in results:
            self.assertEqual(code, 1001, server.output())
            self.assertTrue(in_order, "echoes out of order")
            self.assertGreaterEqual(echoed, 200)
            self.assertLessEqual(echoed, sent)
        # The server's count of what it echoed to each peer is what the peers received.
        lines = server.stderr_lines()
        logged = sorted(
            int(line.split("echoed ")[1].split(" ")[0]) for line in lines if "closed for shutdown (1001)" in line
        )
        self.assertEqual(logged, sorted(r[1] for r in results), server.output())
        self.assertTrue(any("shutdown complete" in line for line in lines), server.output())

    async def test_a_peer_that_never_reads_is_cut_off_at_the_drain_timeout(self):
        server = self.start_server("--drain-timeout", "200ms", "--handshake-timeout", "30s", log_level="info")
        silent = raw_peers.open_silent_websocket(server.port)
        self.addCleanup(silent.close)
        server.wait_for_line("connected")
        server.send_signal(signal.SIGTERM)
        self.assertEqual(await asyncio.to_thread(server.wait_exit), 0, server.output())
        self.assertTrue(
            any("did not finish closing within 200ms" in line for line in server.stderr_lines()), server.output()
        )

    async def test_a_second_signal_exits_at_once(self):
        server = self.start_server("--drain-timeout", "30s", "--handshake-timeout", "30s", log_level="info")
        silent = raw_peers.open_silent_websocket(server.port)
        self.addCleanup(silent.close)
        server.wait_for_line("connected")
        server.send_signal(signal.SIGTERM)
        server.wait_for_line("shutting down: closing 1 connection")
        server.send_signal(signal.SIGINT)
        self.assertEqual(await asyncio.to_thread(server.wait_exit), 130, server.output())
        self.assertTrue(any("second signal" in line for line in server.stderr_lines()), server.output())


if __name__ == "__main__":
    e2e.run_tests()
