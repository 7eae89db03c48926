"""Put users and supplier accounts straight into a mock portal's database.

For tests that need an existing user or account, and for scenarios that start the mock with
suppliers already registered (so the robot must request access instead of creating one).
"""

from __future__ import annotations

import json
import time
from typing import Any

from werkzeug.security import generate_password_hash

from robot.mock_portal.store import Store
from robot.portal_rules import DEFAULT_LANGUAGE, DEFAULT_TIME_ZONE, nit_check_digit

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
