#!/usr/bin/python3
"""The scale profile's proxy for real: Debian's nginx, unprivileged on 127.0.0.1, runs the template that
compose.yaml mounts (rendered the way the nginx image renders it), in front of two wsecho-server processes.
Clients echo through it, both backends serve, a page served through it may open its WebSocket, an idle
WebSocket lives on the server's pings, and a backend's graceful shutdown reaches the client as close 1001.

Run: /usr/bin/python3 test_proxy.py --server PATH --client PATH --nginx PATH --envsubst PATH [unittest arguments]
"""

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "e2e"))
import wsecho_e2e as e2e  # noqa: E402
from wsecho_e2e import Binaries  # noqa: E402

try:
    import websockets
except ImportError:
    sys.exit("needs the websockets package (Debian: python3-websockets); run with /usr/bin/python3")

# The file compose.yaml's proxy service mounts (tests/docker/test_compose.py checks that it does).
TEMPLATE = os.path.join(SOURCE_DIR, "docker", "nginx", "wsecho.conf.template")
# Backends ping a silent peer after half of this and drop it after all of it.
IDLE_TIMEOUT = 1.0

# The nginx image's nginx.conf reduced to what the template needs, with every path in the test's directory,
# so nginx runs without root, system paths or fixed ports. The template goes where conf.d/*.conf would.
NGINX_CONF = """\
worker_processes 1;
pid {dir}/nginx.pid;
error_log stderr notice;
events {{
    worker_connections 64;
}}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/wsecho.conf;
}}
"""


class Tools:
    nginx = None
    envsubst = None


def render_template(values):
    """What the nginx image's entrypoint does with NGINX_ENVSUBST_FILTER=^WSECHO_: envsubst with exactly
    the matching variables defined, so nginx's own $variables stay as they are."""
    with open(TEMPLATE, encoding="utf-8") as f:
        template = f.read()
    shell_format = " ".join(f"${{{name}}}" for name in values if re.match(r"^WSECHO_", name))
    result = subprocess.run(
        [Tools.envsubst, shell_format], input=template, env=values, capture_output=True, text=True,
        timeout=10, check=True,
    )
    return result.stdout


def frame_opcodes(data):
    """The opcodes of the unmasked server frames in `data` (enough for control frames and short messages)."""
    opcodes, i = [], 0
    while i + 2 <= len(data):
        opcodes.append(data[i] & 0x0F)
        length = data[i + 1] & 0x7F
        if length >= 126:
            break
        i += 2 + length
    return opcodes


class ProxyTest(e2e.ProcessFixtures, unittest.IsolatedAsyncioTestCase):
    def setUp(self):
        idle_timeout = f"{int(IDLE_TIMEOUT * 1000)}ms"
        self.backends = [self.start_server("--idle-timeout", idle_timeout, log_level="info") for _ in range(2)]
        self.port = self.start_nginx()
        self.url = f"ws://127.0.0.1:{self.port}/socket"

    def start_nginx(self):
        directory = tempfile.mkdtemp(prefix="wsecho-proxy-")
        self.addCleanup(shutil.rmtree, directory, ignore_errors=True)  # runs after nginx has stopped
        if os.geteuid() == 0:
            os.chmod(directory, 0o755)  # run as root, nginx's workers become nobody and use the temp paths
        port = e2e.free_port()
        values = {
            "WSECHO_PROXY_LISTEN": f"127.0.0.1:{port}",
            "WSECHO_BACKEND_1": f"127.0.0.1:{self.backends[0].port}",
            "WSECHO_BACKEND_2": f"127.0.0.1:{self.backends[1].port}",
        }
        rendered = render_template(values)
        self.assertNotIn("${", rendered, "a template variable was left unset")
        with open(os.path.join(directory, "wsecho.conf"), "w", encoding="utf-8") as f:
            f.write(rendered)
        conf = os.path.join(directory, "nginx.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(NGINX_CONF.format(dir=directory))

        argv = [Tools.nginx, "-p", directory + "/", "-c", conf, "-e", "stderr"]
        check = e2e.run_briefly([*argv, "-t"], timeout=10)
        self.assertEqual(check.returncode, 0, f"nginx -t rejects the rendered template\n{e2e.describe(check)}")
        nginx = self.spawn([*argv, "-g", "daemon off;"], "nginx")
        # The master binds the listener before it starts the worker that accepts on it.
        nginx.wait_for_line("start worker process")
        self.nginx = nginx
        return port

    def connect(self, **options):
        return websockets.connect(
            self.url, open_timeout=e2e.DEFAULT_TIMEOUT, close_timeout=e2e.DEFAULT_TIMEOUT, **options
        )

    async def recv(self, ws):
        try:
            return await asyncio.wait_for(ws.recv(), e2e.DEFAULT_TIMEOUT)
        except asyncio.TimeoutError:
            self.fail(f"no echo within {e2e.DEFAULT_TIMEOUT} s\n{self.logs()}")

    def logs(self):
        return "\n".join([self.nginx.output()] + [backend.output() for backend in self.backends])

    async def test_clients_echo_through_nginx_and_both_backends_serve_them(self):
        clients = 6
        async with contextlib.AsyncExitStack() as stack:
            # All held open at once: least_conn hands each new one to the backend with fewer.
            sockets = [await stack.enter_async_context(self.connect()) for _ in range(clients)]
            for n, ws in enumerate(sockets):
                for message in (f"text from client {n}", f"binary from client {n}".encode()):
                    await ws.send(message)
                    self.assertEqual(await self.recv(ws), message)
        for ws in sockets:
            self.assertEqual(ws.close_code, 1000, "the server's close reply, through nginx")

        # A server logs "connected" before it echoes anything, so after the echoes and a clean exit each
        # backend's log is complete.
        for backend in self.backends:
            backend.send_signal(signal.SIGINT)
            self.assertEqual(await asyncio.to_thread(backend.wait_exit), 0, backend.output())
        served = [
            sum(1 for line in backend.stderr_lines() if re.search(r"#\d+ \S+ connected$", line))
            for backend in self.backends
        ]
        self.assertEqual(served, [clients // 2, clients // 2], f"connections per backend\n{self.logs()}")

    async def test_a_page_served_through_the_proxy_may_open_its_websocket(self):
        page_url = f"http://127.0.0.1:{self.port}/"
        with await asyncio.to_thread(urllib.request.urlopen, page_url, timeout=e2e.DEFAULT_TIMEOUT) as page:
            self.assertEqual(page.status, 200)
            self.assertIn(b"/socket", page.read())
        # The browser's Origin is the proxy's own address: nginx passes Host on with its port, so the
        # server sees a same-origin request.
        async with self.connect(origin=f"http://127.0.0.1:{self.port}") as ws:
            await ws.send("from the page")
            self.assertEqual(await self.recv(ws), "from the page")
        with self.assertRaises(websockets.InvalidStatusCode) as refused:
            async with self.connect(origin="http://elsewhere.example"):
                pass
        self.assertEqual(refused.exception.status_code, 403)

    async def test_a_backend_stopped_by_sigterm_closes_its_websockets_with_1001_through_nginx(self):
        # What `docker compose stop` does to a backend (the image's STOPSIGNAL): the graceful drain.
        async with self.connect() as ws:
            await ws.send("before the stop")
            self.assertEqual(await self.recv(ws), "before the stop")
            for backend in self.backends:
                backend.send_signal(signal.SIGTERM)
            with self.assertRaises(websockets.ConnectionClosedOK):
                await asyncio.wait_for(ws.recv(), e2e.DEFAULT_TIMEOUT)
            self.assertEqual(ws.close_code, 1001, self.logs())
        for backend in self.backends:
            self.assertEqual(await asyncio.to_thread(backend.wait_exit), 0, backend.output())

    def test_the_proxy_health_check_reaches_a_backend(self):
        # compose.yaml's proxy health check GETs /healthz through nginx; --probe makes the same request.
        url = f"http://127.0.0.1:{self.port}/healthz"
        result = e2e.run_briefly([Binaries.client, "--probe", url], timeout=5)
        self.assertEqual(result.returncode, 0, f"{e2e.describe(result)}\n{self.logs()}")

    async def test_an_idle_websocket_lives_on_the_servers_pings_through_nginx(self):
        # websockets answers pings by itself; its own pings are off, so only the server's keep this alive.
        async with self.connect(ping_interval=None) as ws:
            await asyncio.sleep(2.5 * IDLE_TIMEOUT)  # what is tested: silence longer than the idle timeout
            await ws.send("still here")
            self.assertEqual(await self.recv(ws), "still here")

    def test_a_peer_that_ignores_the_pings_is_dropped_through_nginx(self):
        # The counterpart: the same silence without pong replies ends the connection, so it was the
        # pings, passed through nginx both ways, that kept the one above open.
        with socket.create_connection(("127.0.0.1", self.port), timeout=e2e.DEFAULT_TIMEOUT) as sock:
            sock.sendall(
                f"GET /socket HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n".encode()
            )
            received = b""
            deadline = e2e.Deadline(e2e.DEFAULT_TIMEOUT)
            while not deadline.expired():
                chunk = sock.recv(4096)
                if not chunk:
                    break
                received += chunk
            else:
                self.fail(f"still open after {e2e.DEFAULT_TIMEOUT} s\n{self.logs()}")
        head, _, frames = received.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 101"), received)
        self.assertIn(0x9, frame_opcodes(frames), f"no ping came through: {frames!r}")


def main():
    parser = argparse.ArgumentParser(description="nginx proxy tests; other arguments go to unittest")
    for name, what in (("server", "wsecho-server"), ("client", "wsecho-client"), ("nginx", "nginx"),
                       ("envsubst", "envsubst (gettext-base)")):
        parser.add_argument(f"--{name}", required=True, help=f"path of {what}")
    args, rest = parser.parse_known_args()
    Binaries.server = os.path.abspath(args.server)
    Binaries.client = os.path.abspath(args.client)
    Tools.nginx = args.nginx
    Tools.envsubst = args.envsubst
    unittest.main(argv=[sys.argv[0], *rest])


if __name__ == "__main__":
    main()
