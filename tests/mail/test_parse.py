"""Pure parsing on .eml fixtures: portal-shaped mails, provider wrappers, the real-world corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from robot.errors import UnsafeLinkError
from robot.mail import MailKind, mask_link, parse_activation, parse_mail, portal_link
from robot.mail.kinds import RULES, classify

DATA = Path(__file__).parent.parent / "data" / "emails"
PORTAL_CASES = sorted((DATA / "portal").glob("*.eml"))
CORPUS = sorted((DATA / "corpus").glob("*.eml"))


@pytest.mark.parametrize("path", PORTAL_CASES, ids=lambda p: p.stem)
def test_portal_fixture(path: Path) -> None:
    expected = json.loads(path.with_suffix(".json").read_text())
    hosts = tuple(expected["allowed_hosts"])
    mail = parse_mail(path.read_bytes())
    assert mail.kind == (MailKind(expected["kind"]) if expected["kind"] else None)
    assert mail.recipients == frozenset(expected["recipients"])
    assert mail.forwarded == expected.get("forwarded", False)
    if "error" in expected:
        with pytest.raises(UnsafeLinkError) as err:
            parse_activation(path.read_bytes(), hosts)
        assert expected["error"] in str(err.value)
        assert err.value.hint
        assert "token=Zk3v" not in str(err.value)
    else:
        assert portal_link(mail, hosts) == expected["link"]


def test_corpus_is_present_with_its_license() -> None:
    assert len(CORPUS) == 77
    readme = (DATA / "corpus" / "README.md").read_text()
    assert f"{len(CORPUS)} `.eml` files" in readme and "Apache License 2.0" in readme
    license_text = (DATA / "corpus" / "LICENSE").read_text()
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in license_text


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_mail_is_never_a_portal_mail(path: Path) -> None:
    mail = parse_mail(path.read_bytes())  # must not raise
    assert mail.kind is None
    assert portal_link(mail, ("portal.secop.test",)) is None


def test_garbage_does_not_raise() -> None:
    for raw in (b"", b"\x00\xff" * 50, b"Subject: =?utf-8?B?###?=\n\n", b"From:\n\n\n"):
        assert parse_mail(raw).kind is None


@pytest.mark.parametrize(
    ("subject", "kind", "forwarded"),
    [
        ("SECOP II - Confirmación de registro de usuario", MailKind.ACTIVATION, False),
        ("secop ii -  confirmacion de registro de USUARIO ", MailKind.ACTIVATION, False),
        ("RE: RV: Fwd: SECOP II - Se ha creado su usuario", MailKind.USER_CREATED, True),
        ("FW[2]: SECOP II - Acceso cancelado", MailKind.ACCESS_CANCELLED, True),
        ("SECOP II - Confirmación de registro de usuario (copia)", None, False),
        ("Confirmación de registro de usuario", None, False),
    ],
)
def test_classify(subject: str, kind: MailKind | None, forwarded: bool) -> None:
    assert classify(subject) == (kind, forwarded)


def test_every_kind_has_one_rule() -> None:
    assert {rule.kind for rule in RULES} == set(MailKind)


def test_mask_link_hides_the_token() -> None:
    url = "https://portal.secop.test:8443/STS/Users/Register/Confirm?token=SECRET123&x=1"
    masked = mask_link(url)
    assert masked == "https://portal.secop.test:8443/STS/Users/Register/Confirm?token=…&x=…"
    assert "SECRET" not in repr(parse_mail(_mail_with(url)))


def test_host_check_honours_ports() -> None:
    url = "http://127.0.0.1:8080/STS/Users/Register/Confirm?token=abc"
    mail = parse_mail(_mail_with(url))
    assert portal_link(mail, ("127.0.0.1:8080",)) == url
    assert portal_link(mail, ("127.0.0.1",)) == url
    assert portal_link(mail, ("127.0.0.1:9090",)) is None
    assert portal_link(mail, ("portal.secop.test",)) is None


def _mail_with(url: str) -> bytes:
    return (
        "Subject: SECOP II - Confirmación de registro de usuario\r\n"
        "To: a@b.test\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Transfer-Encoding: 8bit\r\n\r\nActive: {url}\r\n"
    ).encode()
