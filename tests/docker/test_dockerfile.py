#!/usr/bin/python3
"""docker/Dockerfile without a Docker engine: the build stage builds with the project's own scripts and
copies only paths that exist (and that suffice to configure), the runtime stage installs every library the
programs link, runs as a non-root user, and its CMD and HEALTHCHECK work against the real programs.

Run: /usr/bin/python3 test_dockerfile.py --server PATH --client PATH [unittest arguments]
"""

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "e2e"))
import wsecho_e2e as e2e  # noqa: E402
from wsecho_e2e import Binaries  # noqa: E402

sys.path.insert(0, HERE)
import dockerfile_parse  # noqa: E402

DOCKERFILE = os.path.join(SOURCE_DIR, "docker", "Dockerfile")
# What debian:bookworm-slim already has of the programs' shared libraries (apt itself needs them).
SLIM_BASE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6"}
# Linked only by the sanitizer presets' builds of the programs, never by the image's release build.
SANITIZER_RUNTIMES = re.compile(r"lib(asan|ubsan|tsan|lsan)\.so")


def read(relative_path):
    with open(os.path.join(SOURCE_DIR, relative_path), encoding="utf-8") as f:
        return f.read()


def scripts_called(relative_path, seen=None):
    """The scripts/*.sh a script runs, following each into the scripts it runs in turn."""
    seen = set() if seen is None else seen
    for script in re.findall(r"\bscripts/[\w.-]+\.sh\b", read(relative_path)):
        if script not in seen and script != relative_path:
            seen.add(script)
            scripts_called(script, seen)
    return seen


def deps_list(name):
    """A package list of scripts/deps.sh, e.g. runtime=(libspdlog1.10 libfmt9)."""
    match = re.search(rf"^{name}=\(([^)]*)\)", read("scripts/deps.sh"), re.MULTILINE)
    if not match:
        raise AssertionError(f"scripts/deps.sh has no {name}=(...) list")
    return set(match.group(1).split())


def seconds(duration):
    """Docker's and wsecho's durations as they appear here: "5s", "300ms", "1m"."""
    match = re.fullmatch(r"(\d+)(ms|s|m)", duration)
    if not match:
        raise AssertionError(f"unexpected duration {duration!r}")
    return int(match.group(1)) * {"ms": 0.001, "s": 1, "m": 60}[match.group(2)]


def docker_copy(sources, destination, context, root, workdir):
    """Copies like Docker's COPY from `context` into the image tree at `root`: a directory's contents go
    into the destination, files into it when it ends with '/' (or there are several), else onto it."""
    target = os.path.join(workdir, destination) if not destination.startswith("/") else destination
    target = os.path.join(root, os.path.normpath(target).lstrip("/"))
    into_directory = destination.endswith("/") or len(sources) > 1
    for source in sources:
        path = os.path.join(context, source)
        if os.path.isdir(path):
            shutil.copytree(path, target, dirs_exist_ok=True)
        else:
            final = os.path.join(target, os.path.basename(path)) if into_directory else target
            os.makedirs(os.path.dirname(final), exist_ok=True)
            shutil.copy2(path, final)


class DockerfileTest(e2e.ProcessFixtures, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(DOCKERFILE, encoding="utf-8") as f:
            cls.stages = dockerfile_parse.stages(f.read())
        cls.build = next((s for s in cls.stages if s.name == "build"), None)
        cls.runtime = cls.stages[-1]

    def run_commands(self, stage):
        return "\n".join(i.text for i in stage.all("RUN"))

    def copies(self, stage):
        """(flags, sources, destination) per COPY of the stage."""
        result = []
        for instruction in stage.all("COPY"):
            flags, rest = instruction.flags_and_words()
            words = rest.words()
            result.append((flags, words[:-1], words[-1]))
        return result

    def test_two_stages_debian_12_build_and_slim_runtime(self):
        self.assertIsNotNone(self.build, "no stage named 'build'")
        self.assertEqual(self.build.base, "debian:bookworm")
        self.assertEqual(self.runtime.base, "debian:bookworm-slim")

    def test_the_build_stage_runs_the_scripts_ci_and_the_demo_run(self):
        commands = self.run_commands(self.build)
        self.assertIn("scripts/deps.sh build", commands)
        self.assertIn("scripts/build.sh release", commands)
        ci_scripts = scripts_called(".ci/run")
        demo_scripts = scripts_called("scripts/demo.sh")
        # CI installs with the same package list the image does; the image builds the way the demo does.
        self.assertIn("scripts/deps.sh", ci_scripts)
        self.assertIn("scripts/build.sh", demo_scripts)
        self.assertIn("scripts/build.sh release", read("scripts/demo.sh"))
        for script in re.findall(r"\bscripts/[\w.-]+\.sh\b", commands):
            self.assertIn(script, ci_scripts | demo_scripts, f"{script} is run by neither CI nor the demo")

    def test_every_path_copied_from_the_context_exists_and_is_not_ignored(self):
        with open(os.path.join(SOURCE_DIR, ".dockerignore"), encoding="utf-8") as f:
            ignored = [line.strip() for line in f if line.strip() and not line.startswith("#")]
        for stage in self.stages:
            for flags, sources, _ in self.copies(stage):
                if "from" in flags:
                    continue
                for source in sources:
                    with self.subTest(stage=stage.name or stage.base, source=source):
                        self.assertTrue(os.path.exists(os.path.join(SOURCE_DIR, source)), f"{source} is missing")
                        top = source.split("/")[0]
                        self.assertFalse(any(fnmatch.fnmatch(top, p) for p in ignored),
                                         f"{source} is excluded by .dockerignore")

    def test_what_the_build_stage_copies_is_enough_to_configure(self):
        # Lays out the build stage's COPYs as the image would have them, then runs scripts/build.sh's
        # configure step there: a source or CMake file the image lacks fails here, not in a docker build.
        workdir = self.build.last("WORKDIR").text
        with tempfile.TemporaryDirectory(prefix="wsecho-docker-") as root:
            for flags, sources, destination in self.copies(self.build):
                docker_copy(sources, destination, SOURCE_DIR, root, workdir)
            src = os.path.join(root, workdir.lstrip("/"))
            configure = subprocess.run(
                ["cmake", "--preset", "release", "-DBUILD_TESTING=OFF"], cwd=src, capture_output=True,
                text=True, timeout=60,
            )
            self.assertEqual(configure.returncode, 0, f"{configure.stdout}\n{configure.stderr}")
        self.assertIn("cmake --preset \"$preset\" -DBUILD_TESTING=OFF", read("scripts/build.sh"),
                      "build.sh's configure step changed: update this test")

    def test_the_runtime_stage_gets_the_installed_programs_on_its_path(self):
        install = re.search(r"cmake --install build/release --prefix (\S+)", self.run_commands(self.build))
        self.assertIsNotNone(install, "the build stage does not cmake --install the release build")
        prefix = install.group(1)
        copied = {}
        for flags, sources, destination in self.copies(self.runtime):
            if flags.get("from") == "build":
                for source in sources:
                    copied[source] = destination
        for program in ("wsecho-server", "wsecho-client"):
            self.assertEqual(copied.get(f"{prefix}/bin/{program}"), "/usr/local/bin/", copied)

    def test_the_runtime_stage_runs_as_a_user_with_the_signal_port_and_command_of_the_server(self):
        self.assertIn("deps.sh runtime", self.run_commands(self.runtime))
        user = self.runtime.last("USER")
        self.assertIsNotNone(user, "no USER: the server would run as root")
        self.assertNotIn(user.text.split(":")[0], ("root", "0"))
        self.assertIn("useradd", self.run_commands(self.runtime))
        self.assertEqual(self.runtime.last("EXPOSE").text, "8080")
        self.assertEqual(self.runtime.last("STOPSIGNAL").text, "SIGTERM")
        self.assertEqual(self.runtime.last("CMD").words(), ["wsecho-server", "--listen", "0.0.0.0:8080"])

    def test_the_runtime_packages_provide_every_library_the_programs_link(self):
        runtime = deps_list("runtime")
        for program in (Binaries.server, Binaries.client):
            ldd = subprocess.run(["ldd", program], capture_output=True, text=True, timeout=10, check=True)
            for path in re.findall(r"(/\S+\.so[.\d]*) \(0x", ldd.stdout):
                name = os.path.basename(path)
                if SANITIZER_RUNTIMES.match(name):
                    continue
                owners = subprocess.run(["dpkg", "-S", name], capture_output=True, text=True, timeout=10)
                packages = {line.split(":")[0] for line in owners.stdout.splitlines()
                            if line.rstrip().endswith("/" + name)}
                with self.subTest(program=os.path.basename(program), library=name):
                    self.assertTrue(packages, f"no Debian package owns {path}")
                    self.assertTrue(packages & (runtime | SLIM_BASE_PACKAGES),
                                    f"{name} comes from {packages}: add it to runtime in scripts/deps.sh")

    def test_the_healthcheck_passes_against_the_server_the_image_runs(self):
        healthcheck = self.runtime.last("HEALTHCHECK")
        self.assertIsNotNone(healthcheck)
        options, rest = healthcheck.flags_and_words()
        self.assertTrue(rest.text.startswith("CMD "), healthcheck)
        probe = dockerfile_parse.Instruction("CMD", rest.text[len("CMD "):]).words()
        self.assertEqual(probe[:2], ["wsecho-client", "--probe"], probe)
        match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)(/\S*)", probe[2])
        self.assertIsNotNone(match, f"the probe should ask the container's own server: {probe[2]}")
        self.assertEqual(match.group(1), self.runtime.last("EXPOSE").text)
        # Docker kills a check that outlives --timeout, which reads as unhealthy without the probe's reason.
        timeout = probe[probe.index("--connect-timeout") + 1] if "--connect-timeout" in probe else "5s"
        self.assertLess(seconds(timeout), seconds(options.get("timeout", "30s")), healthcheck)

        # The image's CMD on a free loopback port instead of 0.0.0.0:8080, and the check's URL moved there.
        command = self.runtime.last("CMD").words()
        server = self.start_server(*command[3:])
        argv = [Binaries.client, *probe[1:]]
        argv[2] = f"http://127.0.0.1:{server.port}{match.group(2)}"
        result = e2e.run_briefly(argv, timeout=5)
        self.assertEqual(result.returncode, 0, e2e.describe(result))


def main():
    parser = argparse.ArgumentParser(description="docker/Dockerfile checks; other arguments go to unittest")
    parser.add_argument("--server", required=True, help="path of wsecho-server")
    parser.add_argument("--client", required=True, help="path of wsecho-client")
    args, rest = parser.parse_known_args()
    Binaries.server = os.path.abspath(args.server)
    Binaries.client = os.path.abspath(args.client)
    unittest.main(argv=[sys.argv[0], *rest])


if __name__ == "__main__":
    main()
