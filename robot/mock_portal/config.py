"""Settings of one mock portal instance (defaults from robot.settings)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from robot.mock_portal.faults import FaultConfig
from robot.settings import SETTINGS


def _default(name: str) -> Any:
    return SETTINGS[name].default


@dataclass
class PortalConfig:
    db_path: Path
    smtp_host: str
    smtp_port: int
    host: str = str(_default("portal.host"))
    port: int = int(_default("portal.port"))
    token_ttl_hours: float = float(_default("portal.token_ttl_hours"))
    session_ttl_seconds: int = int(_default("portal.session_ttl_seconds"))
    max_upload_mb: float = float(_default("portal.max_upload_mb"))
    state_endpoint: bool = bool(_default("portal.state_endpoint"))
    mail_from: str = str(_default("portal.mail_from"))
    faults: FaultConfig = field(default_factory=FaultConfig)
    secret: str = field(default_factory=lambda: secrets.token_hex(16))
    base_url: str = ""  # set once the server knows its port

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def session_idle_seconds(self) -> int:
        expiry = self.faults.session_expiry_seconds
        return expiry if expiry is not None else self.session_ttl_seconds
