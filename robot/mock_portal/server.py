"""Run the mock portal: the web app in a thread on a free port, beside its mail stack."""

from __future__ import annotations

import logging
import shutil
import signal
import socket
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from flask import render_template
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from robot.errors import SetupError
from robot.mock_portal.app import create_app
from robot.mock_portal.config import PortalConfig
from robot.mock_portal.faults import FaultInjector
from robot.mock_portal.mailer import Mailer
from robot.mock_portal.seed import seed_probe_account, seed_supplier
from robot.mock_portal.store import Store
from robot.mock_portal.web import SECURITY_HEADERS, Portal, http_error_page

if TYPE_CHECKING:
    from robot.mock_portal.mailstack import MailStack
    from robot.profiles.models import Profile


class MockPortal:
    """One running mock portal. ``start()`` returns self; ``url`` is its base URL."""

    def __init__(self, config: PortalConfig) -> None:
        self.config = config
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._socket = socket.socket()
        self.portal: Portal | None = None

    @property
    def url(self) -> str:
        return self.config.base_url

    def start(self) -> MockPortal:
        store = Store(self.config.db_path)
        faults = FaultInjector(self.config.faults)
        sock = _listen(self.config.host, self.config.port)
        server = make_server(
            self.config.host,
            sock.getsockname()[1],
            app=None,  # type: ignore[arg-type]  # set below, once the app knows its URL
            threaded=True,
            request_handler=SpanishErrorsHandler,
            fd=sock.fileno(),
        )
        self._socket = sock
        self.config.base_url = f"http://{self.config.host}:{sock.getsockname()[1]}"
        app_jinja = _mail_templates()
        mailer = Mailer(
            store,
            app_jinja,
            smtp_host=self.config.smtp_host,
            smtp_port=self.config.smtp_port,
            sender=self.config.mail_from,
            faults=faults,
        )
        self.portal = Portal(config=self.config, store=store, mailer=mailer, faults=faults)
        server.app = create_app(self.portal)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="mock-portal-http",
            daemon=True,
        )
        self._thread.start()
        return self

    def problem(self) -> str | None:
        """Why the started portal no longer works (a thread of it ended), or None."""
        if self._thread is not None and not self._thread.is_alive():
            return "el servidor web del portal se detuvo"
        if self.portal is not None and not self.portal.mailer.alive():
            return "el hilo que envía el correo del portal se detuvo"
        return None

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            self._socket.close()
        if self.portal is not None:
            self.portal.mailer.close()
            self.portal.store.close()
            self.portal = None

    def __enter__(self) -> MockPortal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SpanishErrorsHandler(WSGIRequestHandler):
    """The HTTP server's own refusals (a request line over 64 KiB: 414; too many or too long
    headers: 431; a malformed request: 400) get the portal's Spanish error page, not the
    standard library's English one. They happen before the app sees the request."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        app = getattr(self.server, "app", None)
        title, text = http_error_page(code)
        try:
            with app.test_request_context("/"):  # type: ignore[union-attr]
                html = render_template("error.html", title=title, message=text, actions=[])
        except Exception:
            html = f"<!DOCTYPE html><html lang=es-CO><title>{title}</title><p>{text}</p>"
        body = html.encode("utf-8")
        self.send_response(code, title)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        self.close_connection = True
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)


def _listen(host: str, port: int) -> socket.socket:
    """Bind the portal's socket ourselves so a busy port is our error, not werkzeug's exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise SetupError(
            f"the mock portal cannot listen on {host}:{port}: {err.strerror}",
            hint="choose another --port, or 0 for a free one",
        ) from err
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _mail_templates() -> Environment:
    """The mailer renders outside requests, from the same template folder as the pages."""
    return Environment(
        loader=PackageLoader("robot.mock_portal", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )


@dataclass
class Bundle:
    """The mock portal with its own mail stack and (by default) a temporary database."""

    faults: Any = None
    mail_backend: str = "auto"
    mail_domain: str = "proveedores.test"
    db_path: Path | None = None
    port: int = 0
    host: str = "127.0.0.1"
    settings: dict[str, Any] = field(default_factory=dict)
    existing_suppliers: list[Profile] = field(default_factory=list)
    # the scenario's probe_account (user name, password): created as a draft's administrator
    probe_account: tuple[str, str] | None = None
    mail_workdir: Path | None = None  # keep the mail stack's files here (Dovecot's Maildir)
    stack: MailStack | None = None
    portal: MockPortal | None = None
    _tmp: Path | None = None

    def start(self) -> Bundle:
        from robot.mock_portal.mailstack import MailStack

        if self.db_path is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="secop-mock-"))
            self.db_path = self._tmp / "portal.sqlite3"
        self.stack = MailStack(
            backend=self.mail_backend, domain=self.mail_domain, workdir=self.mail_workdir
        ).start()
        config = PortalConfig(
            db_path=self.db_path,
            smtp_host=self.stack.smtp_host,
            smtp_port=self.stack.smtp_port,
            host=self.host,
            port=self.port,
            **self.settings,
        )
        if self.faults is not None:
            config.faults = self.faults
        try:
            self.portal = MockPortal(config).start()
            assert self.portal.portal is not None
            for profile in self.existing_suppliers:
                seed_supplier(self.portal.portal.store, profile, mail_domain=self.stack.domain)
            if self.probe_account is not None:
                username, password = self.probe_account
                seed_probe_account(
                    self.portal.portal.store,
                    username=username,
                    password=password,
                    mail_domain=self.stack.domain,
                )
        except BaseException:
            self.stop()
            raise
        return self

    def describe(self) -> list[str]:
        """Lines to print: the URL first, then how to reach the mailbox."""
        assert self.portal is not None
        assert self.stack is not None
        lines = [self.portal.url + "/"]
        lines += [f"{k}: {v}" for k, v in self.stack.describe().items()]
        for profile in self.existing_suppliers:
            supplier = profile.supplier
            lines.append(f"existing_supplier: {supplier.legal_name} (NIT {supplier.nit})")
        if self.probe_account is not None:  # its user name and password are not shown
            lines.append("probe_account: cuenta de prueba creada (un borrador, docs/probe.md)")
        if self.portal.config.state_endpoint:
            lines.append(f"state: {self.portal.url}/_state")
        lines.append(f"db: {self.db_path}")
        return lines

    def problem(self) -> str | None:
        """Why the running portal or its mail stack no longer works, or None."""
        if self.portal is not None and (problem := self.portal.problem()):
            return problem
        if self.stack is not None and (problem := self.stack.problem()):
            return f"la pila de correo: {problem}"
        return None

    def stop(self) -> None:
        if self.portal is not None:
            self.portal.stop()
        if self.stack is not None:
            self.stack.stop()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)


class SignalStop:
    """SIGINT and SIGTERM as a request to stop, installed when made: make it before the
    service starts, so that a SIGTERM sent as soon as the service answers is a clean stop, not
    the default kill."""

    def __init__(self) -> None:
        self.event = threading.Event()

        def handler(signum: int, frame: FrameType | None) -> None:
            self.event.set()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)

    def wait(self, problem: Callable[[], str | None] = lambda: None, interval: float = 0.5) -> None:
        """Block until a signal; raise SetupError as soon as ``problem()`` says why the service
        stopped working (checked every ``interval`` seconds): it fails loudly, never silently
        half-alive."""
        while not self.event.wait(interval):
            if found := problem():
                raise SetupError(
                    f"el portal simulado dejó de funcionar: {found}",
                    hint="se detuvo todo lo demás; revise la salida de arriba y vuelva a iniciarlo",
                )


def wait_for_signal(
    problem: Callable[[], str | None] = lambda: None, interval: float = 0.5
) -> None:
    """Block until SIGINT or SIGTERM (handlers installed now; see :class:`SignalStop` to
    install them earlier); raise SetupError as soon as ``problem()`` says why the service
    stopped working."""
    SignalStop().wait(problem, interval)
