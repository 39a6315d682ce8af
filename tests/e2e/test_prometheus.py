#!/usr/bin/python3
"""A real Prometheus (Debian's) scrapes wsecho-server's /metrics; its HTTP API must report exactly the traffic
this test sent, and every query of the Grafana dashboard (docker/grafana/wsecho.json) must return data.
promtool lints the exposition and checks the sample alert rules in docker/prometheus/.

Run: /usr/bin/python3 test_prometheus.py --server PATH --client PATH [unittest arguments]
Needs Debian's prometheus package (scripts/deps.sh test installs it). Prometheus listens on 127.0.0.1 only,
keeps its storage in a temporary folder and scrapes every 200 ms.
"""

import asyncio
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wsecho_e2e as e2e  # noqa: E402

websockets = e2e.require_websockets()

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RULES = os.path.join(REPO, "docker", "prometheus", "alerts.yml")
DASHBOARD = os.path.join(REPO, "docker", "grafana", "wsecho.json")
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
# Prometheus starts in about a second; a scrape every 200 ms then needs well under this.
SCRAPE_TIMEOUT = 20.0

# What the test sends: (payload, is text). Sizes in bytes are what the byte counters must show.
TEXT = ["hello", "héllo wörld", "x" * 1000]
BINARY = [bytes(range(256)), b"\x00" * 70000]


def http_get(url, timeout=e2e.DEFAULT_TIMEOUT):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode()


def require_prometheus():
    for tool in (PROMETHEUS, PROMTOOL):
        if not os.access(tool, os.X_OK):
            sys.exit(f"{tool} not found: install Debian's prometheus package (scripts/deps.sh test does)")


async def echo_traffic(url):
    """Every message in TEXT and BINARY, each echo checked, then our close with 4001."""
    async with websockets.connect(url, compression=None, max_size=None) as ws:
        for payload in TEXT + BINARY:
            await ws.send(payload)
            echoed = await ws.recv()
            assert echoed == payload, f"echo of a {len(payload)}-byte message differs"
        await ws.close(code=4001, reason="done")


def rejected_upgrade(port):
    """An upgrade request without Sec-WebSocket-Key: the server must refuse it with 400."""
    with socket.create_connection(("127.0.0.1", port), timeout=e2e.DEFAULT_TIMEOUT) as s:
        s.sendall(
            b"GET /socket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Version: 13\r\n\r\n"
        )
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0].decode()


def upgraded_socket(port):
    """A raw TCP connection that completed the WebSocket handshake (101) and sends nothing more."""
    s = socket.create_connection(("127.0.0.1", port), timeout=e2e.DEFAULT_TIMEOUT)
    s.sendall(
        b"GET /socket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = s.recv(4096)
        if not chunk:
            raise AssertionError(f"connection closed during the handshake: {answer!r}")
        answer += chunk
    if not answer.startswith(b"HTTP/1.1 101"):
        raise AssertionError(f"no 101: {answer!r}")
    return s


def reset(s):
    """Close with RST instead of FIN (SO_LINGER on, zero timeout)."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


class PrometheusTest(e2e.ProcessFixtures, unittest.TestCase):
    def start_prometheus(self, target_port):
        folder = tempfile.mkdtemp(prefix="wsecho-prometheus-")
        self.addCleanup(shutil.rmtree, folder, True)
        config = os.path.join(folder, "prometheus.yml")
        with open(config, "w") as f:
            f.write(
                "global:\n  scrape_interval: 200ms\n  scrape_timeout: 150ms\n"
                "scrape_configs:\n  - job_name: wsecho\n"
                f"    static_configs:\n      - targets: ['127.0.0.1:{target_port}']\n"
            )
        port = e2e.free_port()
        self.spawn(
            [
                PROMETHEUS,
                f"--config.file={config}",
                f"--storage.tsdb.path={os.path.join(folder, 'data')}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            "prometheus",
        )
        api = f"http://127.0.0.1:{port}"

        def ready():
            try:
                return http_get(f"{api}/-/ready", timeout=1)[0] == 200
            except OSError:
                return False

        self.poll(ready, lambda: "prometheus did not become ready")
        return api

    def poll(self, done, failure):
        """Calls done() until it is true, failing with failure() after SCRAPE_TIMEOUT. Polling: Prometheus is a
        process we do not control, with no event to await."""
        deadline = e2e.Deadline(SCRAPE_TIMEOUT)
        while not done():
            if deadline.expired():
                self.fail(failure())
            time.sleep(0.05)

    def query(self, api, expression):
        """{labels as a sorted tuple: value} for an instant query."""
        url = f"{api}/api/v1/query?" + urllib.parse.urlencode({"query": expression})
        body = json.loads(http_get(url)[1])
        self.assertEqual(body["status"], "success", body)
        return {
            tuple(sorted((k, v) for k, v in r["metric"].items() if k not in ("__name__", "instance", "job"))): float(r["value"][1])
            for r in body["data"]["result"]
        }

    def wait_for_scrape_after(self, api, moment):
        """Waits until Prometheus has scraped wsecho at least once after `moment` (Unix time), and holds at least
        three samples (rate() in the dashboard's queries needs two; the first scrape can come a second late)."""
        targets = []

        def scraped():
            targets[:] = json.loads(http_get(f"{api}/api/v1/targets")[1])["data"]["activeTargets"]
            if not (targets and targets[0]["health"] == "up" and "lastScrape" in targets[0]):
                return False
            # RFC 3339 with nanoseconds; comparing whole seconds + 1 keeps clear of rounding.
            stamp = time.mktime(time.strptime(targets[0]["lastScrape"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
            return stamp >= moment + 1 and self.query(api, "count_over_time(up[1m])").get((), 0) >= 3

        self.poll(scraped, lambda: f"no scrape after the traffic; targets: {targets}")

    def test_every_series_equals_the_traffic_sent(self):
        require_prometheus()
        server = self.start_server(log_level="info")
        api = self.start_prometheus(server.port)

        asyncio.run(echo_traffic(server.url))
        self.assertEqual(rejected_upgrade(server.port), "HTTP/1.1 400 Bad Request")
        # Both sessions have ended (and been counted) before the scrape that must show them.
        server.wait_for_line("closed by peer: code 4001")
        server.wait_for_line("rejected: WebSocket handshake failed")
        sent_at = time.time()
        self.wait_for_scrape_after(api, sent_at)

        def by(label, series):
            return {dict(k)[label]: v for k, v in series.items()}

        text_bytes = sum(len(t.encode()) for t in TEXT)
        binary_bytes = sum(len(b) for b in BINARY)
        expected_traffic = {"text": len(TEXT), "binary": len(BINARY)}
        expected_bytes = {"text": text_bytes, "binary": binary_bytes}
        self.assertEqual(by("type", self.query(api, "wsecho_messages_received_total")), expected_traffic)
        self.assertEqual(by("type", self.query(api, "wsecho_messages_sent_total")), expected_traffic)
        self.assertEqual(by("type", self.query(api, "wsecho_received_bytes_total")), expected_bytes)
        self.assertEqual(by("type", self.query(api, "wsecho_sent_bytes_total")), expected_bytes)
        self.assertEqual(by("code", self.query(api, "wsecho_close_codes_received_total")), {"4001": 1})
        self.assertEqual(by("code", self.query(api, "wsecho_close_codes_sent_total")), {"4001": 1})
        self.assertEqual(self.query(api, "wsecho_websocket_upgrades_total"), {(): 1})
        # One turnaround observation per echoed message, each in a bucket Prometheus can use.
        self.assertEqual(self.query(api, "wsecho_echo_turnaround_seconds_count"), {(): 5})
        self.assertEqual(self.query(api, 'wsecho_echo_turnaround_seconds_bucket{le="+Inf"}'), {(("le", "+Inf"),): 5})
        # Prometheus scrapes over a keep-alive connection of its own, which is accepted and open too: of ours, two
        # were accepted and none is open any more.
        self.assertEqual(
            self.query(api, "wsecho_connections_accepted_total - wsecho_connections_open"), {(): 2},
            "accepted minus open: our two connections have ended and the scraper's one is still open",
        )
        self.assertEqual(self.query(api, "wsecho_connections_open"), {(): 1})
        rejections = by("reason", self.query(api, "wsecho_handshake_rejections_total"))
        self.assertEqual({r: v for r, v in rejections.items() if v}, {"websocket_handshake_failed": 1}, rejections)
        ended = by("reason", self.query(api, "wsecho_websocket_rejections_total"))
        self.assertEqual({r: v for r, v in ended.items() if v}, {}, ended)
        self.assertEqual(self.query(api, "up"), {(): 1})

        # Every query of the Grafana dashboard returns data from this Prometheus.
        with open(DASHBOARD, encoding="utf-8") as f:
            dashboard = json.load(f)
        queries = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
        self.assertGreater(len(queries), 5)
        for expression in queries:
            with self.subTest(query=expression):
                self.assertTrue(self.query(api, expression), f"no data for {expression}")

    def wait_for_value(self, api, expression, expected):
        """Polls Prometheus until the instant query gives `expected` (a {labels: value} dict), then returns."""
        got = {}

        def arrived():
            got.clear()
            got.update(self.query(api, expression))
            return got == expected

        self.poll(arrived, lambda: f"{expression}: {got}, expected {expected}")

    def test_the_open_connections_gauge_comes_back_after_every_kind_of_ending(self):
        require_prometheus()
        server = self.start_server(log_level="info")
        api = self.start_prometheus(server.port)
        batches, per_batch = 10, 100  # 1,000 resets, at most 100 descriptors open here at once
        for _ in range(batches):
            sockets = [upgraded_socket(server.port) for _ in range(per_batch)]
            for s in sockets:
                reset(s)
        # Other endings: a FIN without a close frame, a close frame, a plain HTTP request, a FIN before any request.
        upgraded_socket(server.port).close()
        asyncio.run(echo_traffic(server.url))
        http_get(f"http://127.0.0.1:{server.port}/healthz")
        socket.create_connection(("127.0.0.1", server.port)).close()
        ours = batches * per_batch + 4

        # Only the scraper's keep-alive connection stays open once the server has seen every ending.
        self.wait_for_value(api, "wsecho_connections_open", {(): 1})
        self.wait_for_value(api, "wsecho_connections_accepted_total - wsecho_connections_open", {(): ours})
        self.assertEqual(self.query(api, "wsecho_websocket_upgrades_total"), {(): batches * per_batch + 2})

    def test_promtool_finds_nothing_to_lint_in_the_exposition(self):
        require_prometheus()
        server = self.start_server(log_level="info")
        asyncio.run(echo_traffic(server.url))  # so the labelled families have samples
        status, exposition = http_get(f"http://127.0.0.1:{server.port}/metrics")
        self.assertEqual(status, 200)
        checked = subprocess.run(
            [PROMTOOL, "check", "metrics"], input=exposition, capture_output=True, text=True, timeout=10
        )
        self.assertEqual((checked.returncode, checked.stdout + checked.stderr), (0, ""), exposition)

    def test_promtool_accepts_the_sample_alert_rules(self):
        require_prometheus()
        checked = subprocess.run([PROMTOOL, "check", "rules", RULES], capture_output=True, text=True, timeout=10)
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)
        self.assertIn("SUCCESS", checked.stdout)


if __name__ == "__main__":
    e2e.run_tests()
