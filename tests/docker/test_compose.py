#!/usr/bin/python3
"""The compose files without a Docker engine: Debian's docker-compose validates each with every profile,
and the resolved services fit together (what listens where, who dials whom, the proxy's template).

Run: /usr/bin/python3 test_compose.py --docker-compose PATH [unittest arguments]
"""

import argparse
import glob
import os
import re
import subprocess
import sys
import unittest

try:
    import yaml
except ImportError:
    sys.exit("needs PyYAML (Debian: python3-yaml); run with /usr/bin/python3")

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
COMPOSE_FILE = os.path.join(SOURCE_DIR, "compose.yaml")
# The file tests/proxy renders and runs nginx with; the scale profile must mount this one.
NGINX_TEMPLATE = os.path.join(SOURCE_DIR, "docker", "nginx", "wsecho.conf.template")

docker_compose = None  # set by main()


def compose_files():
    """Every compose file in the repository (the names docker compose looks for, with or without a suffix)."""
    patterns = ("compose*.yaml", "compose*.yml", "docker-compose*.yaml", "docker-compose*.yml")
    found = set()
    for directory in (SOURCE_DIR, os.path.join(SOURCE_DIR, "docker")):
        for pattern in patterns:
            found.update(glob.glob(os.path.join(directory, pattern)))
    return sorted(found)


def compose(path, *args):
    """docker-compose -f PATH ARGS, run from the repository root with a fixed project name."""
    return subprocess.run(
        [docker_compose, "--project-name", "wsecho", "-f", path, *args], cwd=SOURCE_DIR,
        capture_output=True, text=True, timeout=30,
    )


def resolved(path, *profiles):
    """The services as docker-compose resolves them (anchors merged, defaults filled in)."""
    args = [arg for profile in profiles for arg in ("--profile", profile)]
    result = compose(path, *args, "config")
    if result.returncode != 0:
        raise AssertionError(f"docker-compose config failed:\n{result.stderr}")
    return yaml.safe_load(result.stdout)["services"]


def dialled_address(command):
    """HOST, PORT of wsecho-client --url ws://HOST:PORT/..."""
    url = command[command.index("--url") + 1]
    match = re.fullmatch(r"ws://([^:/]+):(\d+)/socket", url)
    if not match:
        raise AssertionError(f"unexpected --url {url}")
    return match.group(1), match.group(2)


def listen_port(command):
    host, _, port = command[command.index("--listen") + 1].rpartition(":")
    return host, port


class ComposeFilesTest(unittest.TestCase):
    def test_every_compose_file_is_valid_with_every_profile(self):
        files = compose_files()
        self.assertIn(COMPOSE_FILE, files)
        for path in files:
            listed = compose(path, "config", "--profiles")
            self.assertEqual(listed.returncode, 0, listed.stderr)
            profiles = listed.stdout.split()
            every = [arg for profile in profiles for arg in ("--profile", profile)]
            for selection in [[]] + [["--profile", p] for p in profiles] + [every]:
                with self.subTest(file=os.path.relpath(path, SOURCE_DIR), profiles=selection):
                    result = compose(path, *selection, "config", "-q")
                    self.assertEqual(result.returncode, 0, result.stderr)

    def test_docker_compose_notices_a_broken_file(self):
        # So that a passing check above means something: an unknown key in a service is an error.
        broken = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"wsecho-compose-{os.getpid()}.yaml")
        with open(broken, "w", encoding="utf-8") as f:
            f.write("services:\n  server:\n    image: wsecho:latest\n    depend_on: [client]\n")
        try:
            result = compose(broken, "config", "-q")
        finally:
            os.remove(broken)
        self.assertNotEqual(result.returncode, 0, result.stdout)
        self.assertIn("depend_on", result.stderr)


class DemoServicesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.services = resolved(COMPOSE_FILE)
        cls.scale = resolved(COMPOSE_FILE, "scale")
        cls.monitoring = resolved(COMPOSE_FILE, "monitoring")

    def test_the_default_demo_is_a_server_and_a_client(self):
        # `docker compose up` starts the services that are in no profile.
        default = {name for name, service in self.services.items() if not service.get("profiles")}
        self.assertEqual(default, {"server", "client"})
        for name in ("server", "client"):
            build = self.services[name]["build"]
            self.assertEqual(os.path.join(build["context"], build["dockerfile"]),
                             os.path.join(SOURCE_DIR, "docker", "Dockerfile"), name)

    def test_the_server_listens_on_every_interface_on_the_published_port(self):
        server = self.services["server"]
        host, port = listen_port(server["command"])
        self.assertEqual(host, "0.0.0.0")
        published = [(str(p["published"]), str(p["target"])) for p in server["ports"]]
        self.assertEqual(published, [("8080", port)])

    def test_the_client_waits_for_a_healthy_server_and_dials_it_by_service_name(self):
        client = self.services["client"]
        self.assertEqual(client["depends_on"], {"server": {"condition": "service_healthy"}})
        server_port = listen_port(self.services["server"]["command"])[1]
        self.assertEqual(dialled_address(client["command"]), ("server", server_port))
        # The image's health check probes a server in the same container; a client's container has none.
        self.assertEqual(client["healthcheck"]["test"], ["NONE"])

    def test_the_scale_profile_puts_nginx_in_front_of_two_servers_with_the_tested_template(self):
        proxy = self.scale["proxy"]
        env = proxy["environment"]
        mounts = [v.split(":") for v in proxy["volumes"]]
        self.assertIn([NGINX_TEMPLATE, "/etc/nginx/templates/default.conf.template", "ro"], mounts)
        # The nginx image substitutes only the variables its filter matches; tests/proxy does the same.
        self.assertEqual(env["NGINX_ENVSUBST_FILTER"], "^WSECHO_")
        with open(NGINX_TEMPLATE, encoding="utf-8") as f:
            used = set(re.findall(r"\$\{(\w+)\}", f.read()))
        self.assertEqual(used, {name for name in env if name.startswith("WSECHO_")})

        backends = sorted(v for k, v in env.items() if k.startswith("WSECHO_BACKEND_"))
        self.assertEqual(len(backends), 2, env)
        for backend in backends:
            name, _, port = backend.rpartition(":")
            with self.subTest(backend=backend):
                self.assertIn(name, self.scale)
                self.assertEqual(self.scale[name]["profiles"], ["scale"])
                self.assertEqual(listen_port(self.scale[name]["command"]), ("0.0.0.0", port))
                self.assertEqual(proxy["depends_on"][name], {"condition": "service_healthy"})

        self.assertEqual(proxy["stop_signal"], "SIGTERM")
        listen = env["WSECHO_PROXY_LISTEN"]
        # tests/proxy checks that this URL reaches a backend's /healthz through nginx.
        self.assertIn(f"http://127.0.0.1:{listen}/healthz", proxy["healthcheck"]["test"])
        self.assertEqual([(str(p["published"]), str(p["target"])) for p in proxy["ports"]], [("8081", listen)])
        self.assertEqual(dialled_address(self.scale["proxy-client"]["command"]), ("proxy", listen))
        self.assertEqual(self.scale["proxy-client"]["depends_on"], {"proxy": {"condition": "service_healthy"}})

    def test_the_monitoring_profile_scrapes_the_server_with_the_tested_rules_and_dashboard(self):
        prometheus, grafana = self.monitoring["prometheus"], self.monitoring["grafana"]
        mounts = {v.split(":")[1]: v.split(":")[0] for v in prometheus["volumes"]}
        # tests/e2e/test_prometheus.py checks these rules with promtool and the dashboard's queries against a
        # real Prometheus: the profile must mount the same files.
        self.assertEqual(mounts["/etc/prometheus/alerts.yml"], os.path.join(SOURCE_DIR, "docker", "prometheus", "alerts.yml"))
        with open(mounts["/etc/prometheus/prometheus.yml"], encoding="utf-8") as f:
            config = yaml.safe_load(f)
        self.assertIn("/etc/prometheus/alerts.yml", config["rule_files"])
        targets = [t for job in config["scrape_configs"] for c in job["static_configs"] for t in c["targets"]]
        self.assertEqual(targets, [f"server:{listen_port(self.services['server']['command'])[1]}"])
        grafana_mounts = {v.split(":")[1]: v.split(":")[0] for v in grafana["volumes"]}
        self.assertEqual(grafana_mounts["/var/lib/grafana/dashboards/wsecho.json"],
                         os.path.join(SOURCE_DIR, "docker", "grafana", "wsecho.json"))
        for service in (prometheus, grafana):
            for port in service["ports"]:
                host_ip = port.get("host_ip") if isinstance(port, dict) else port.split(":")[0]
                self.assertEqual(host_ip, "127.0.0.1", f"monitoring ports stay on the host's loopback: {port}")



def main():
    global docker_compose
    parser = argparse.ArgumentParser(description="compose file checks; other arguments go to unittest")
    parser.add_argument("--docker-compose", required=True, help="path of docker-compose (Debian's, v1.29)")
    args, rest = parser.parse_known_args()
    docker_compose = args.docker_compose
    unittest.main(argv=[sys.argv[0], *rest])


if __name__ == "__main__":
    main()
