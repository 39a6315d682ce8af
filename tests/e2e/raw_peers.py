"""Raw TCP stand-ins that several end-to-end scripts play against the programs: an HTTP peer that answers
one request as a subclass says, a WebSocket peer that completes the handshake and then goes silent, and a
raw upgraded socket that never reads. Kept apart from wsecho_e2e.py, which runs the programs themselves."""

import base64
import hashlib
import os
import re
import socket
import threading

from wsecho_e2e import DEFAULT_TIMEOUT


class RawHttpPeer:
    """A raw TCP server on 127.0.0.1 that accepts one connection in a background thread, reads one request
    header and hands it to respond(connection, request bytes), which subclasses define; a context manager.
    The connection stays open until the test ends. A failure in the thread is kept in .error for the test to
    report: a thread's exception would only be printed."""

    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(DEFAULT_TIMEOUT)
        self.port = self._listener.getsockname()[1]
        self.error = None
        self._connection = None
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        # shutdown() wakes an accept() that still waits; close() alone would not on Linux.
        for sock in (self._listener, self._connection):
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
        self._thread.join(DEFAULT_TIMEOUT)

    def wait_served(self):
        """Waits (at most DEFAULT_TIMEOUT) until respond() has returned or the connection failed."""
        self._thread.join(DEFAULT_TIMEOUT)

    def respond(self, connection, request):
        raise NotImplementedError

    def _serve(self):
        try:
            self._connection, _ = self._listener.accept()
            self._connection.settimeout(DEFAULT_TIMEOUT)
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = self._connection.recv(4096)
                if not chunk:
                    raise ConnectionError(f"the client left before its request header was complete: {request!r}")
                request += chunk
            self.respond(self._connection, request)
        except Exception as e:  # also the shutdown() of __exit__ while waiting
            self.error = e


# RFC 6455 §1.3: the server proves it speaks WebSocket by hashing the client's key with this GUID.
WEBSOCKET_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class SilentWebSocketPeer(RawHttpPeer):
    """Completes the WebSocket handshake and then neither reads nor writes again: the peer whose close
    reply never comes."""

    @property
    def url(self):
        return f"ws://127.0.0.1:{self.port}/socket"

    def respond(self, connection, request):
        key = re.search(rb"(?im)^Sec-WebSocket-Key:\s*(\S+)", request).group(1)
        accept = base64.b64encode(hashlib.sha1(key + WEBSOCKET_GUID).digest())
        connection.sendall(
            b"HTTP/1.1 101 Switching Protocols\r\n"
            b"Upgrade: websocket\r\n"
            b"Connection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )


def open_silent_websocket(port):
    """Upgrades a raw socket to 127.0.0.1:port/socket and never reads from it again: a close frame can never
    be answered. The caller closes the socket."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=DEFAULT_TIMEOUT)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        f"GET /socket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(4096)
    assert response.startswith(b"HTTP/1.1 101"), response
    return sock
