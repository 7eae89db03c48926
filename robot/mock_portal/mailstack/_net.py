"""Ports and greetings: the network helpers of the mail stack."""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable

from robot.errors import SetupError


def free_port(host: str) -> int:
    """A port that was free on ``host`` a moment ago (servers that cannot bind port 0 need one)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(_family(host), socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def wait_port_free(host: str, port: int, timeout: float) -> None:
    """Poll until nothing listens on ``port`` any more (a killed server's children may linger)."""
    deadline = time.monotonic() + timeout
    while not port_is_free(host, port):
        if time.monotonic() > deadline:
            raise SetupError(
                f"el puerto {host}:{port} sigue ocupado tras parar el servidor IMAP",
                hint="look for a leftover IMAP server process on that port",
            )
        time.sleep(0.02)


def wait_for_greeting(
    host: str,
    port: int,
    *,
    timeout: float,
    ssl_context: ssl.SSLContext | None = None,
    check_alive: Callable[[], None] = lambda: None,
) -> None:
    """Poll until an IMAP server on ``host:port`` says ``* OK``.

    ``check_alive`` raises when the server process died, so a crash is reported at once.
    """
    deadline = time.monotonic() + timeout
    last_error = "no answer"
    while time.monotonic() < deadline:
        check_alive()
        try:
            if _greets(host, port, ssl_context):
                return
            last_error = "unexpected greeting"
        except (OSError, ssl.SSLError) as err:
            last_error = str(err)
        time.sleep(0.02)
    check_alive()
    raise SetupError(
        f"el servidor IMAP en {host}:{port} no saludó en {timeout:.0f} s ({last_error})",
        hint="the machine may be overloaded; try again",
    )


def _greets(host: str, port: int, ssl_context: ssl.SSLContext | None) -> bool:
    with socket.create_connection((host, port), timeout=1.0) as raw:
        if ssl_context is None:
            return raw.makefile("rb").readline().startswith(b"* OK")
        with ssl_context.wrap_socket(raw, server_hostname=host) as tls:
            return tls.makefile("rb").readline().startswith(b"* OK")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET
