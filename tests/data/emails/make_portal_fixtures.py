"""Writes the portal-shaped .eml fixtures and their .json expectations (run once, commit both).

    .venv/bin/python tests/data/emails/make_portal_fixtures.py
"""

from __future__ import annotations

import base64
import json
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).parent / "portal"
PORTAL = "https://portal.secop.test"
FROM = "SECOP II <notificaciones@secop.test>"
TO = "buzon+prov01@proveedores.test"
DATE = "Tue, 14 Jan 2025 10:15:00 -0500"
TOKEN = "Zk3vQ9x_7LmN2pR5sT8uW1yA4bC6dE0f"
CONFIRM = f"{PORTAL}/STS/Users/Register/Confirm?token={TOKEN}"
SUBJECTS = {
    "activation": "SECOP II - Confirmación de registro de usuario",
    "user_created": "SECOP II - Se ha creado su usuario",
    "access_requested": "SECOP II - Solicitud de acceso a su cuenta de proveedor",
    "access_accepted": "SECOP II - Solicitud de acceso aceptada",
    "access_rejected": "SECOP II - Solicitud de acceso rechazada",
    "access_cancelled": "SECOP II - Acceso cancelado",
    "supplier_registered": "SECOP II - Registro de proveedor finalizado",
}


def text_body(link: str, intro: str = "Para activar su usuario haga clic en el enlace:") -> str:
    body = f"Señor(a) José Muñoz,\n\n{intro}\n"
    if link:
        body += f"\n{link}\n"
    return body + "\nEste enlace es de un solo uso.\n\nColombia Compra Eficiente — SECOP II\n"


def html_body(link: str, intro: str = "Para activar su usuario haga clic en el enlace:") -> str:
    anchor = f'<p><a href="{link.replace("&", "&amp;")}">Activar usuario</a></p>' if link else ""
    return (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>"
        f"<p>Señor(a) José Muñoz,</p><p>{intro}</p>{anchor}"
        "<p>Este enlace es de un solo uso.</p><p>Colombia Compra Eficiente — SECOP II</p>"
        "</body></html>"
    )


def portal_mail(kind: str, link: str, *, to: str = TO, subject: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject or SUBJECTS[kind]
    msg["From"] = FROM
    msg["To"] = to
    msg["Date"] = DATE
    msg["Message-ID"] = f"<{kind}.1736867700@secop.test>"
    msg.set_content(text_body(link), cte="quoted-printable")
    msg.add_alternative(html_body(link), subtype="html", cte="quoted-printable")
    return msg


def write(name: str, raw: bytes, expected: dict[str, object]) -> None:
    (HERE / f"{name}.eml").write_bytes(raw)
    expected = {"allowed_hosts": ["portal.secop.test"], **expected}
    (HERE / f"{name}.json").write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n")


def ok(kind: str, link: str | None, recipients: list[str] | None = None, **more: object) -> dict[str, object]:
    return {"kind": kind, "link": link, "recipients": recipients or [TO], **more}


def main() -> None:
    HERE.mkdir(exist_ok=True)
    links = {
        "activation": CONFIRM,
        "user_created": CONFIRM,
        "access_requested": f"{PORTAL}/CO1Marketplace/Users/Admin?mkey=1f2e&requestId=77",
        "access_accepted": f"{PORTAL}/STS/Users/Login/Index?SkinName=CCE&currentLanguage=es-CO",
    }
    for kind in SUBJECTS:
        link = links.get(kind, "")
        write(f"portal_{kind}", portal_mail(kind, link).as_bytes(), ok(kind, link or None))

    # HTML only, base64.
    msg = MIMEText(html_body(CONFIRM), "html", "utf-8")
    _headers(msg, SUBJECTS["activation"])
    write("activation_html_only_base64", msg.as_bytes(), ok("activation", CONFIRM))

    # multipart/alternative, both parts base64.
    alt = MIMEMultipart("alternative")
    alt.attach(MIMEText(text_body(CONFIRM), "plain", "utf-8"))
    alt.attach(MIMEText(html_body(CONFIRM), "html", "utf-8"))
    _headers(alt, SUBJECTS["activation"])
    write("activation_multipart_base64", alt.as_bytes(), ok("activation", CONFIRM))

    # ISO-8859-1, quoted-printable, encoded-word subject.
    latin = (
        "Subject: =?iso-8859-1?Q?SECOP_II_-_Confirmaci=F3n_de_registro_de_usuario?=\n"
        f"From: {FROM}\nTo: {TO}\nDate: {DATE}\nMessage-ID: <latin1@secop.test>\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\n"
        "Content-Transfer-Encoding: quoted-printable\n\n"
        "Se=F1or(a) Jos=E9 Mu=F1oz,\n\nPara activar su usuario:\n"
        f"{CONFIRM[:60]}=\n{CONFIRM[60:]}\n"
    ).encode("ascii")
    write("activation_latin1_qp", latin, ok("activation", CONFIRM))

    # Upper case, no accents (some gateways strip them).
    msg = portal_mail("activation", CONFIRM, subject="SECOP II - CONFIRMACION DE REGISTRO DE USUARIO")
    write("activation_subject_unaccented", msg.as_bytes(), ok("activation", CONFIRM))

    # Gmail manual forward: the original To appears in the quoted header block.
    fwd_to = "consultora@proveedores.test"
    block = (
        "---------- Forwarded message ---------\n"
        f"From: SECOP II <notificaciones@secop.test>\nDate: {DATE}\n"
        f"Subject: {SUBJECTS['activation']}\nTo: <{TO}>\n\n"
    )
    msg = EmailMessage()
    msg["Subject"] = "Fwd: " + SUBJECTS["activation"]
    msg["From"] = "Ana Pérez <ana@consultora.test>"
    msg["To"] = fwd_to
    msg["Date"] = DATE
    msg.set_content(block + text_body(CONFIRM), cte="quoted-printable")
    msg.add_alternative(
        '<div dir="ltr"><div class="gmail_quote">' + block.replace("\n", "<br>")
        + html_body(CONFIRM) + "</div></div>", subtype="html", cte="quoted-printable"
    )
    write("activation_gmail_forward", msg.as_bytes(),
          ok("activation", CONFIRM, [fwd_to, TO], forwarded=True))

    # Outlook (Spanish) forward: "RV:" and "Para:".
    msg = EmailMessage()
    msg["Subject"] = "RV: " + SUBJECTS["activation"]
    msg["From"] = "Ana Pérez <ana@consultora.test>"
    msg["To"] = fwd_to
    msg["Date"] = DATE
    msg.set_content(
        f"De: SECOP II <notificaciones@secop.test>\nEnviado: martes, 14 de enero de 2025 10:15\n"
        f"Para: {TO}\nAsunto: {SUBJECTS['activation']}\n\n" + text_body(CONFIRM),
        cte="quoted-printable",
    )
    write("activation_outlook_forward_rv", msg.as_bytes(),
          ok("activation", CONFIRM, [fwd_to, TO], forwarded=True))

    # Forwarded as an attachment (message/rfc822): the inner mail's link is still direct.
    outer = MIMEMultipart("mixed")
    outer["Subject"] = "Fwd: " + SUBJECTS["activation"]
    outer["From"] = "ana@consultora.test"
    outer["To"] = TO
    outer["Date"] = DATE
    outer.attach(MIMEText("Te reenvío el correo del portal.\n", "plain", "utf-8"))
    outer.attach(MIMEMessage(portal_mail("activation", CONFIRM)))
    write("activation_forward_as_attachment", outer.as_bytes(),
          ok("activation", CONFIRM, forwarded=True))

    # Outlook Safe Links wrapper: refused.
    safe = ("https://nam12.safelinks.protection.outlook.com/?url=" + quote(CONFIRM, safe="")
            + "&data=05%7C02%7Cbuzon%40proveedores.test%7Cabc&sdata=xyz%3D&reserved=0")
    write("activation_outlook_safelinks", portal_mail("activation", safe).as_bytes(),
          ok("activation", None, error="redireccionador"))

    # Google redirect wrapper (e.g. a Gmail/Docs click-through): refused.
    google = f"https://www.google.com/url?q={quote(CONFIRM, safe='')}&sa=D&source=editors&ust=1&usg=AOv"
    write("activation_google_redirect", portal_mail("activation", google).as_bytes(),
          ok("activation", None, error="redireccionador"))

    # A look-alike host: no portal link at all.
    evil = CONFIRM.replace("portal.secop.test", "portal.secop.test.evil.example")
    write("activation_lookalike_host", portal_mail("activation", evil).as_bytes(),
          ok("activation", None, error="no trae un enlace"))

    # Two different Confirm links in one mail: ambiguous, refused.
    msg = portal_mail("activation", CONFIRM)
    msg.get_body(("plain",)).set_content(  # type: ignore[union-attr]
        text_body(CONFIRM + "\n" + CONFIRM.replace(TOKEN, "OTRO" + TOKEN[4:])), cte="quoted-printable"
    )
    write("activation_two_tokens", msg.as_bytes(), ok("activation", None, error="enlaces distintos"))

    # An unrelated mail that mentions the portal: not a portal kind.
    msg = EmailMessage()
    msg["Subject"] = "Boletín: novedades de SECOP II"
    msg["From"] = "boletin@noticias.test"
    msg["To"] = TO
    msg["Date"] = DATE
    msg.set_content(f"Lea más en {CONFIRM}\n")
    write("newsletter_mentions_portal", msg.as_bytes(), {"kind": None, "link": None, "recipients": [TO]})

    # A PDF attachment beside the activation text (some gateways add disclaimers).
    mixed = MIMEMultipart("mixed")
    _headers(mixed, SUBJECTS["activation"])
    mixed.attach(MIMEText(text_body(CONFIRM), "plain", "utf-8"))
    pdf = MIMEApplication(base64.b64decode("JVBERi0xLjQKJeLjz9MKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK"), "pdf")
    pdf.add_header("Content-Disposition", "attachment", filename="aviso legal.pdf")
    mixed.attach(pdf)
    write("activation_with_attachment", mixed.as_bytes(), ok("activation", CONFIRM))


def _headers(msg: object, subject: str) -> None:
    from email.header import Header

    msg["Subject"] = Header(subject, "utf-8").encode()  # type: ignore[index]
    msg["From"] = FROM  # type: ignore[index]
    msg["To"] = TO  # type: ignore[index]
    msg["Date"] = DATE  # type: ignore[index]
    msg["Message-ID"] = "<fixture@secop.test>"  # type: ignore[index]


if __name__ == "__main__":
    main()
    _ = formatdate
