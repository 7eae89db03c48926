"""The mock portal's own mails (its Mailer and templates) parse to the right kind and link."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from robot.mail import MailKind, parse_mail, portal_link
from robot.mock_portal.mailer import SUBJECTS, Mail, Mailer

BASE = "http://127.0.0.1:8765"
LINKS = {
    "activation": f"{BASE}/STS/Users/Register/Confirm?token=abc-123_XYZ",
    "user_created": f"{BASE}/STS/Users/Register/Confirm?token=def-456",
    "access_requested": f"{BASE}/CO1Marketplace/Users/Admin/Index",
    "access_accepted": f"{BASE}/STS/Users/Login/Index?SkinName=CCE&Page=login",
    "access_rejected": f"{BASE}/STS/Users/Login/Index?SkinName=CCE&currentLanguage=es-CO",
}
WITH_LINK = {"activation", "user_created", "access_requested", "access_accepted"}


@pytest.mark.parametrize("kind", sorted(SUBJECTS))
def test_mock_portal_mail(kind: str) -> None:
    env = Environment(
        loader=PackageLoader("robot.mock_portal", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )
    mailer = SimpleNamespace(jinja=env, sender="notificaciones@secop.test")
    to = "buzon+contrato@proveedores.test"
    mail = Mail(
        kind=kind,
        to=to,
        greeting_name="José Muñoz",
        paragraphs=["Señor(a) ñandú."],
        link=LINKS.get(kind, ""),
        link_text="Ir",
    )
    raw = Mailer.build(mailer, mail).as_bytes()  # type: ignore[arg-type]
    parsed = parse_mail(raw)
    assert parsed.kind == MailKind(kind)
    assert to in parsed.recipients
    assert parsed.sent_at is not None
    expected = LINKS[kind] if kind in WITH_LINK else None
    assert portal_link(parsed, ("127.0.0.1:8765",)) == expected
