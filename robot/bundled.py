"""The bundled mock portal as a real portal for a run (``portal: mock:`` in a scenario).

``run`` starts it with its mail stack in this process and keeps its state inside the output
folder (``portal/portal.sqlite3``; the mailbox too with Dovecot, whose Maildir lives in
``portal/mail``; pymap keeps mail in memory only), so a re-run of the same command meets the
same portal and resumes. The portal and its mail stack stop with the run (and, through
PR_SET_PDEATHSIG, with a killed process).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from robot.mail import MailboxConfig
from robot.mock_portal.server import Bundle
from robot.scenarios import Scenario

PORTAL_DIR = "portal"


@dataclass(frozen=True)
class RunningPortal:
    base_url: str
    mailbox: MailboxConfig
    backend: str


@contextmanager
def bundled_portal(scenario: Scenario, out_dir: Path) -> Iterator[RunningPortal]:
    from robot.mock_portal.cli import _existing_suppliers
    from robot.settings import resolve

    mock = scenario.portal.mock
    assert mock is not None
    folder = out_dir / PORTAL_DIR
    folder.mkdir(parents=True, exist_ok=True)
    settings = mock.settings.model_dump(exclude_none=True)
    existing_paths = settings.pop("existing_suppliers", [])
    existing = _existing_suppliers(
        scenario.source, scenario.base_dir, existing_paths, scenario.portal.max_upload_mb
    )
    portal_settings = {
        key: resolve(f"portal.{key}", scenario={f"portal.{k}": v for k, v in settings.items()})
        for key in ("token_ttl_hours", "session_ttl_seconds", "max_upload_mb", "state_endpoint")
    }
    bundle = Bundle(
        faults=mock.faults,
        mail_backend=mock.mail_backend,
        db_path=folder / "portal.sqlite3",
        mail_workdir=folder / "mail",
        settings=portal_settings,
        existing_suppliers=existing,
        probe_account=scenario.probe_login(),
    )
    bundle.start()
    try:
        assert bundle.portal is not None and bundle.stack is not None
        info = bundle.stack.describe()
        url = bundle.portal.url
        box = MailboxConfig(
            host=str(info["imap_host"]),
            port=int(info["imap_port"]),
            user=str(info["user"]),
            password=str(info["password"]),
            tls="none",
            allowed_hosts=(urlsplit(url).netloc,),
            source="portal simulado",
        )
        yield RunningPortal(url, box, str(info["backend"]))
    finally:
        bundle.stop()
