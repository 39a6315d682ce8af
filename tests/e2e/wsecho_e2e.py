"""Shared helpers for the wsecho end-to-end tests: binary paths from the command line, child processes
whose output is collected in the background, the server on an ephemeral port, bounded waits, and a Python
websockets server that several scripts play against the programs (the raw TCP peers are in raw_peers.py).

Every wait here has a deadline and fails with the programs' output attached, so a failing test says
what happened instead of hanging until ctest's timeout.
"""

import argparse
import asyncio
import atexit
import os
import re
import socket
import subprocess
import sys
import threading
import time
import unittest

try:
    import websockets
except ImportError:  # only WebSocketServerThread needs it; require_websockets() says how to get it
    websockets = None

# Generous next to what the programs need (milliseconds), tight next to ctest's 60 s per script.
DEFAULT_TIMEOUT = 5.0


class Binaries:
    """Paths of the programs under test, filled in by run_tests() from --server and --client."""

    server = None
    client = None


class Deadline:
    """A point in time a wait must not pass."""

    def __init__(self, seconds):
        self._end = time.monotonic() + seconds

    def remaining(self):
        return max(0.0, self._end - time.monotonic())

    def expired(self):
        return self.remaining() == 0.0


def wait_on(condition, predicate, timeout):
    """Waits on a threading.Condition until predicate() is truthy; returns its value, or None on timeout.

    The caller must not hold the condition's lock.
    """
    deadline = Deadline(timeout)
    with condition:
        while True:
            result = predicate()
            if result or deadline.expired():
                return result or None
            condition.wait(deadline.remaining())


def child_env(extra=None):
    """The environment for a program under test: this one without WSECHO_* variables (the programs read
    them as flags, so a developer's exported WSECHO_LOG_FORMAT must not change what tests see), plus `extra`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("WSECHO_")}
    env.update(extra or {})
    return env


def free_port():
    """A port nothing listens on right now (bound, then closed again): dialling it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Children still running, killed at interpreter exit should a test run be interrupted before its cleanups.
_live_children = set()


@atexit.register
def _kill_leftover_children():
    for child in list(_live_children):
        child.stop()


class Child:
    """A started program. Background threads collect its stdout and stderr line by line, so tests can
    wait for a log line with a deadline and show everything the program said when an assertion fails."""

    def __init__(self, argv, name=None, stdin=subprocess.DEVNULL, env=None):
        """stdin: DEVNULL, PIPE (then write_stdin / close_stdin) or an open file; env: extra variables."""
        self.argv = [str(a) for a in argv]
        self.name = name or os.path.basename(self.argv[0])
        self._condition = threading.Condition()
        self._stdout = []
        self._stderr = []
        self._open_streams = 2
        self.proc = subprocess.Popen(
            self.argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=child_env(env),
        )
        _live_children.add(self)
        self._readers = [
            threading.Thread(target=self._collect, args=(self.proc.stdout, self._stdout), daemon=True),
            threading.Thread(target=self._collect, args=(self.proc.stderr, self._stderr), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _collect(self, stream, lines):
        # Payload previews in debug logs may cut a multi-byte character in half: never fail on decoding.
        for raw in iter(stream.readline, b""):
            with self._condition:
                lines.append(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
                self._condition.notify_all()
        with self._condition:
            self._open_streams -= 1
            self._condition.notify_all()

    def stderr_lines(self):
        with self._condition:
            return list(self._stderr)

    def stdout_lines(self):
        with self._condition:
            return list(self._stdout)

    def write_stdin(self, text):
        self.proc.stdin.write(text.encode("utf-8"))
        self.proc.stdin.flush()

    def close_stdin(self):
        self.proc.stdin.close()

    def output(self):
        """Everything the program printed so far, labelled, for assertion messages."""
        with self._condition:
            stdout, stderr = list(self._stdout), list(self._stderr)
        state = "running" if self.proc.poll() is None else f"exit code {self.proc.returncode}"
        parts = [f"--- {self.name} ({state}): {' '.join(self.argv)}"]
        if stdout:
            parts += ["--- stdout:"] + stdout
        parts += ["--- stderr:"] + (stderr or ["(nothing)"])
        return "\n".join(parts)

    def wait_for_stderr(self, predicate, what, timeout=DEFAULT_TIMEOUT):
        """Waits until predicate(stderr lines) is truthy and returns its value. Fails when the deadline
        passes or the program has closed its output without satisfying the predicate."""
        return self._wait_for(self._stderr, predicate, what, timeout)

    def wait_for_stdout(self, predicate, what, timeout=DEFAULT_TIMEOUT):
        """Like wait_for_stderr, for stdout."""
        return self._wait_for(self._stdout, predicate, what, timeout)

    def _wait_for(self, lines, predicate, what, timeout):
        def check():
            result = predicate(lines)
            if result:
                return ("found", result)
            return ("closed", None) if self._open_streams == 0 else None

        outcome = wait_on(self._condition, check, timeout)
        if outcome is None:
            raise AssertionError(f"{self.name}: no {what} within {timeout} s\n{self.output()}")
        if outcome[0] == "closed":
            try:
                self.proc.wait(1.0)  # closed output usually means it exited: show the exit code
            except subprocess.TimeoutExpired:
                pass
            raise AssertionError(f"{self.name} closed its output without {what}\n{self.output()}")
        return outcome[1]

    def wait_for_line(self, pattern, timeout=DEFAULT_TIMEOUT):
        """Waits for a stderr line matching `pattern` (a compiled regex, or a plain substring) and
        returns the re.Match."""
        if isinstance(pattern, re.Pattern):
            regex, what = pattern, f"line matching {pattern.pattern!r}"
        else:
            regex, what = re.compile(re.escape(pattern)), f"line containing {pattern!r}"

        def first_match(lines):
            for line in lines:
                match = regex.search(line)
                if match:
                    return match
            return None

        return self.wait_for_stderr(first_match, what, timeout)

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def wait_exit(self, timeout=DEFAULT_TIMEOUT):
        """Waits for the program to exit and for its output to be fully read; returns the exit code."""
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.name} still running after {timeout} s\n{self.output()}") from None
        self._join_readers()
        _live_children.discard(self)
        return code

    def stop(self):
        """Ends the program if it still runs (SIGTERM, then SIGKILL) and releases its pipes. Idempotent."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(2.0)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._join_readers()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        _live_children.discard(self)

    def _join_readers(self):
        for reader in self._readers:
            reader.join(2.0)


LISTENING = re.compile(r"listening on (https?)://127\.0\.0\.1:(\d+) ")
RECEIVED = re.compile(r"\bReceived: (.*)$")


def received_messages(lines):
    """The replies wsecho-client logged ("Received: hello 1" gives "hello 1"), in order."""
    return [match.group(1) for match in map(RECEIVED.search, lines) if match]


class ProcessFixtures:
    """Mixin for unittest.TestCase (and IsolatedAsyncioTestCase): starts the programs and registers
    their cleanup, so no child outlives its test, whether it passes or fails."""

    def spawn(self, argv, name=None, **kwargs):
        child = Child(argv, name, **kwargs)
        self.addCleanup(child.stop)
        return child

    def start_server(self, *extra_args, log_level="debug"):
        """wsecho-server on 127.0.0.1 with a port the kernel picks; .port and .url tell which."""
        server = self.spawn(
            [Binaries.server, "--listen", "127.0.0.1:0", "--log-level", log_level, *extra_args], "wsecho-server"
        )
        listening = server.wait_for_line(LISTENING)
        server.port = int(listening.group(2))
        server.url = f"{'wss' if listening.group(1) == 'https' else 'ws'}://127.0.0.1:{server.port}/socket"
        return server

    def start_client(self, url, *extra_args, **kwargs):
        return self.spawn([Binaries.client, "--url", url, *extra_args], "wsecho-client", **kwargs)


def require_websockets():
    """The websockets module, or exit saying how to get it: scripts that talk to Python peers call this first."""
    if websockets is None:
        sys.exit("needs the websockets package (Debian: python3-websockets); run with /usr/bin/python3")
    return websockets


class WebSocketServerThread:
    """A websockets server on 127.0.0.1 with a port the kernel picks, on an event loop in a background
    thread, whose connections run `handler(ws)`; a context manager. `serve_options` go to websockets.serve.
    A connection the peer closes ends its handler quietly: which ending a test expects, it asserts itself."""

    def __init__(self, handler, **serve_options):
        self._handler = handler
        self._serve_options = serve_options
        self.port = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(),), daemon=True)

    def __enter__(self):
        self._thread.start()
        if not self._ready.wait(DEFAULT_TIMEOUT):
            raise AssertionError("the Python websockets server did not start")
        return self

    def __exit__(self, *exc_info):
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(DEFAULT_TIMEOUT)

    @property
    def url(self):
        return f"ws://127.0.0.1:{self.port}/socket"

    async def _serve(self):
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with websockets.serve(self._handle, "127.0.0.1", 0, **self._serve_options) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stop.wait()

    async def _handle(self, ws):
        try:
            await self._handler(ws)
        except websockets.ConnectionClosed:
            pass


def run_briefly(argv, timeout, stdin=subprocess.DEVNULL, env=None):
    """Runs a program that should end by itself within `timeout` seconds; returns the CompletedProcess
    (stdout and stderr as text). Fails, after killing it, if it is still running then. `stdin` may be an
    open file; `env` adds variables to this process's environment."""
    try:
        return subprocess.run(
            [str(a) for a in argv], stdin=stdin, capture_output=True, timeout=timeout,
            encoding="utf-8", errors="replace", env=child_env(env),
        )
    except subprocess.TimeoutExpired as e:
        raise AssertionError(
            f"still running after {timeout} s: {' '.join(map(str, argv))}\nstderr so far:\n{e.stderr}"
        ) from None


def describe(completed):
    """A CompletedProcess's exit code and output, for assertion messages."""
    return (
        f"--- {' '.join(completed.args)} (exit code {completed.returncode})\n"
        f"--- stdout:\n{completed.stdout}--- stderr:\n{completed.stderr}"
    )


def run_tests():
    """The scripts' entry point: takes --server and --client, passes the rest to unittest.main."""
    parser = argparse.ArgumentParser(description="wsecho end-to-end tests; other arguments go to unittest")
    parser.add_argument("--server", required=True, help="path of wsecho-server")
    parser.add_argument("--client", required=True, help="path of wsecho-client")
    args, rest = parser.parse_known_args()
    for flag, path in (("--server", args.server), ("--client", args.client)):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            parser.error(f"{flag}: not an executable file: {path}")
    Binaries.server = os.path.abspath(args.server)
    Binaries.client = os.path.abspath(args.client)
    unittest.main(argv=[sys.argv[0], *rest])
