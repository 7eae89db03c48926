"""Put users and supplier accounts straight into a mock portal's database.

For tests that need an existing user or account, and for scenarios that start the mock with
suppliers already registered (so the robot must request access instead of creating one).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.security import generate_password_hash

from robot import refdata
from robot.mock_portal.store import Store
from robot.portal_rules import DEFAULT_LANGUAGE, DEFAULT_TIME_ZONE, UPLOAD_TYPES, nit_check_digit

if TYPE_CHECKING:
    from robot.profiles.models import Document, Profile, Supplier

PASSWORD_HASH_METHOD = "pbkdf2:sha256:30000"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_HASH_METHOD)


def seed_user(
    store: Store,
    *,
    username: str,
    password: str,
    email: str,
    first_name: str = "Usuario",
    last_name: str = "De Prueba",
    id_type: str = "CC",
    id_number: str = "1020304050",
    phone: str = "+57 601 5550000",
    position: str = "",
    active: bool = True,
) -> int:
    """Create a user (active by default) and return its id."""
    return store.create_user(
        {
            "first_name": first_name,
            "last_name": last_name,
            "id_type": id_type,
            "id_number": id_number,
            "email": email,
            "phone": phone,
            "position": position,
            "language": DEFAULT_LANGUAGE,
            "time_zone": DEFAULT_TIME_ZONE,
            "username": username,
            "password_hash": hash_password(password),
            "status": "active" if active else "unconfirmed",
            "confirmed_at": time.time() if active else None,
        }
    )


def seed_account(
    store: Store,
    admin_user_id: int,
    *,
    name: str,
    nit: str | None,
    organization_type: str = "sas",
    short_name: str = "",
    status: str = "active",
    form: dict[str, Any] | None = None,
    unspsc: list[str] | None = None,
) -> int:
    """Create a supplier account whose administrator is ``admin_user_id``; return its id."""
    now = time.time()
    with store.transaction() as db:
        account_id = db.execute(
            "INSERT INTO accounts (name, short_name, nit, dv, organization_type, status, form,"
            " created_by, created_at, finalized_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                name,
                short_name or name.upper()[:30],
                nit,
                nit_check_digit(nit) if nit else "",
                organization_type,
                status,
                json.dumps(form or {}),
                admin_user_id,
                now,
                now if status == "active" else None,
            ),
        ).lastrowid
        assert account_id is not None
        db.execute(
            "INSERT INTO memberships (user_id, account_id, role, state, requested_at, decided_at)"
            " VALUES (?, ?, 'admin', 'Aceptado', ?, ?)",
            (admin_user_id, account_id, now, now),
        )
        for i, code in enumerate(unspsc or []):
            db.execute(
                "INSERT INTO unspsc_codes (account_id, code, principal) VALUES (?, ?, ?)",
                (account_id, code, int(i == 0)),
            )
    return int(account_id)


def supplier_form(supplier: Supplier) -> dict[str, str]:
    """A profile's supplier as the Registro de Proveedor form stores it (``accounts.form``)."""
    rep = supplier.legal_representative
    municipio = None
    if supplier.departamento and supplier.municipio:
        municipio = refdata.find_municipio(supplier.departamento, supplier.municipio)
    money = supplier.financial
    return {
        "name": supplier.legal_name,
        "short_name": supplier.short_name,
        "nit": supplier.nit_number,
        "dv": supplier.check_digit,
        "address": supplier.address,
        "country": supplier.country,
        "departamento_code": municipio.codigo_departamento if municipio else "",
        "municipio_code": municipio.codigo if municipio else "",
        "city": supplier.city or "",
        "phone": supplier.phone,
        "fax": "",
        "email": supplier.email,
        "website": supplier.website or "",
        "company_size": supplier.company_size,
        "mipyme": "si" if supplier.is_mipyme else "no",
        "rep_first_name": rep.first_name,
        "rep_last_name": rep.last_name,
        "rep_id_type": rep.id_type,
        "rep_id_number": rep.id_number,
        "rep_phone": rep.phone,
        "rep_email": rep.email,
        "assets": str(money.total_assets) if money else "",
        "liabilities": str(money.total_liabilities) if money else "",
        "equity": str(money.equity) if money else "",
        "revenue": str(money.operating_income) if money else "",
        "cutoff_date": f"{money.fiscal_year}-12-31" if money else "",
    }


def seed_supplier(store: Store, profile: Profile, *, mail_domain: str) -> int:
    """Register a profile's supplier as an existing, active account; return its id.

    Its administrator is a seeded user who is none of the profile's users (so the robot must
    request access), with a random password that is never shown, and an e-mail in the mail
    stack's domain (its access-request mails land in the shared mailbox). The account gets
    the profile's data, UNSPSC codes and documents, as if registered long ago. A NIT already
    in the store (a kept ``--db`` file) is left as it is.
    """
    supplier = profile.supplier
    found = store.account_by_nit(supplier.nit_number)
    if found is not None:
        return int(found["id"])
    taken = {u.username.lower() for u in profile.users} | {u.email.lower() for u in profile.users}
    username = f"admin_{supplier.nit_number}"
    while username in taken or store.user_by_username(username) is not None:
        username += "x"
    admin_id = seed_user(
        store,
        username=username,
        password=secrets.token_urlsafe(24),
        email=f"{username}@{mail_domain}",
        first_name="Administrador",
        last_name=supplier.short_name.title()[:60],
    )
    account_id = seed_account(
        store,
        admin_id,
        name=supplier.legal_name,
        nit=supplier.nit_number,
        organization_type=supplier.organization_type,
        short_name=supplier.short_name,
        form=supplier_form(supplier),
        unspsc=[supplier.unspsc_main, *supplier.unspsc_others],
    )
    for document in profile.documents:
        name, data = _published_file(profile, document)
        store.put_document(
            account_id,
            document.slot,
            {
                "filename": name,
                "content_type": UPLOAD_TYPES.get(Path(name).suffix.lower(), "application/pdf"),
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "data": data,
                "uploaded_by": admin_id,
            },
        )
    return account_id


def _published_file(profile: Profile, document: Document) -> tuple[str, bytes]:
    """The file the portal holds in the document's slot: the document itself, or, for a
    confidential one marked ``constancia``, a constancia in its place (PORTAL.md 3.5)."""
    path = profile.document_path(document)
    data = path.read_bytes()
    if not (document.confidential and document.marking == "constancia"):
        return path.name, data
    import datetime as dt

    from robot.documents.constancia import CoveredDocument, make_constancia
    from robot.documents.from_profile import supplier_from_profile

    pages = 1
    if path.suffix.lower() == ".pdf":
        import io

        import pikepdf

        try:
            with pikepdf.open(io.BytesIO(data)) as pdf:
                pages = len(pdf.pages)
        except pikepdf.PdfError:  # encrypted (no password here) or damaged: a page at least
            pass
    covered = CoveredDocument(document.slot, path.name, pages, hashlib.sha256(data).hexdigest())
    constancia = make_constancia(supplier_from_profile(profile), covered, dt.date.today())
    return f"{document.slot}-constancia-confidencialidad.pdf", constancia


# The draft supplier account a consultancy keeps for the drift probe (docs/probe.md): a
# fictitious company, never finalized; its NIT is one no sample profile uses.
PROBE_ACCOUNT_NAME = "Cuenta de sondeo de la consultora (no finalizar)"
PROBE_ACCOUNT_NIT = "901999000"


def seed_probe_account(store: Store, *, username: str, password: str, mail_domain: str) -> int:
    """The test account the drift probe logs in with: an active user, administrator of a
    draft supplier account (as after Generar formulario, nothing saved). Returns the
    account's id. A user of that name already in the store (a kept ``--db``) is left as it is.
    """
    found = store.user_by_username(username)
    if found is not None:
        account = store.one(
            "SELECT account_id FROM memberships WHERE user_id = ? AND role = 'admin'", found["id"]
        )
        return int(account["account_id"]) if account is not None else 0
    admin_id = seed_user(
        store,
        username=username,
        password=password,
        email=f"{username}@{mail_domain}",
        first_name="Usuario",
        last_name="De Sondeo",
    )
    return seed_account(
        store,
        admin_id,
        name=PROBE_ACCOUNT_NAME,
        nit=PROBE_ACCOUNT_NIT,
        organization_type="sas",
        status="draft",
    )
