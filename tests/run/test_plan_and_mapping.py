"""What the robot would type, and the steps of a supplier with the hash of their inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from robot.errors import (
    ActivationMailNotFound,
    DocumentCorruptError,
    ExistingAccount,
    MailboxConnectError,
    NeedsPerson,
    PortalError,
    PortalRejected,
    PortalUnavailable,
)
from robot.flows.plan import hashes, plan
from robot.ledger import FAILED, PARKED
from robot.portal.mapping import supplier_values, user_fields
from robot.profiles import load_profile
from robot.profiles.models import Profile
from robot.runner import Exhausted, classify

ROOT = Path(__file__).resolve().parents[2]
ALL = ["user", "account", "additional_users"]


@pytest.fixture
def acme(monkeypatch: pytest.MonkeyPatch) -> Profile:
    monkeypatch.setenv("SECOP_DEMO_PASSWORD", "Demo-Clave-2026!")
    return load_profile(ROOT / "profiles" / "acme-sas.yaml")


def test_the_form_gets_the_nit_without_its_check_digit_and_the_lupa_the_dane_codes(
    acme: Profile,
) -> None:
    values = supplier_values(acme)
    by_label = {f.label: f for f in values.all_fields}
    assert by_label["Nit"].value == "901555123"
    assert by_label["Dígito de verificación"].value == "8"
    assert by_label["¿Es MiPyme?"].value == "Sí"  # pequena is a MiPyme
    assert by_label["Tamaño de empresa"].shown == "Pequeña empresa"
    assert by_label["Fecha de corte"].value == "2025-12-31"
    assert values.location is not None
    assert (values.location.municipio_code, values.location.departamento_code) == ("05001", "05")
    assert values.unspsc == ("81111500", "43232300", "81112200")
    assert values.organization_type == "Sociedad por acciones simplificada"


def test_user_fields_never_hold_the_password(acme: Profile) -> None:
    fields = user_fields(acme.administrator)
    assert {f.label for f in fields} >= {"Nombre(s)", "Correo electrónico", "Nombre de usuario"}
    assert all("Demo-Clave" not in f.value for f in fields)
    assert all("Contraseña" not in f.label for f in fields)


def test_steps_follow_the_manual_procedure(acme: Profile) -> None:
    names = [s.name for s in plan(acme, ALL)]
    assert names[:8] == [
        "documents",
        "admin.register",
        "admin.activate",
        "account.entity",
        "account.form",
        "account.documents",
        "account.finalize",
        "account.directory",
    ]
    assert names[8:12] == [
        "users.acme.comercial.register",
        "users.acme.comercial.activate",
        "users.acme.comercial.request",
        "users.acme.comercial.accept",
    ]
    assert [s.name for s in plan(acme, ["user"])] == ["admin.register", "admin.activate"]


def test_a_changed_user_changes_only_that_users_steps(acme: Profile) -> None:
    before = hashes(acme, ALL)
    changed_user = acme.additional_users[0].model_copy(update={"phone": "+57 311 5550000"})
    changed = acme.model_copy(
        update={"additional_users": [changed_user, *acme.additional_users[1:]]}
    )
    after = hashes(changed, ALL)
    differ = {name for name in before if before[name] != after[name]}
    assert differ == {
        f"users.acme.comercial.{s}" for s in ("register", "activate", "request", "accept")
    }


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NeedsPerson("CAPTCHA"), PARKED),
        (Exhausted("account.form", PortalUnavailable("503"), 5), PARKED),
        (MailboxConnectError("sin buzón"), PARKED),
        (PortalRejected("no", errors=("Teléfono: no válido",)), FAILED),
        (ExistingAccount("ya existe"), FAILED),
        (DocumentCorruptError("dañado"), FAILED),
        (PortalError("403"), FAILED),
        (ValueError("bug"), FAILED),
    ],
)
def test_errors_map_to_statuses_by_class(error: Exception, status: str) -> None:
    found, reason = classify(error)
    assert found == status
    assert reason


def test_a_rejection_keeps_the_portals_own_words() -> None:
    _, reason = classify(PortalRejected("rechazado", errors=("Teléfono: no es un número",)))
    assert "Teléfono: no es un número" in reason


def test_an_activation_mail_that_never_came_is_retried_then_parked() -> None:
    status, reason = classify(Exhausted("admin.activate", ActivationMailNotFound("no llegó"), 3))
    assert status == PARKED and "3 intentos" in reason
