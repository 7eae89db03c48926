"""``secop-robot probe``, the portal drift canary, against the mock portal in real Chromium.

A clean probe passes, under 15 s, and leaves the portal's SQLite rows as they were (only the
anonymous sessions the mock opens on any GET are new); with a test account it also reads the
supplier form and its lupas, saves nothing and leaves no session of that account open; each
kind of drift the ``drift`` switch makes is reported by name and classed breaking or cosmetic
by what the page objects declare, on the supplier form too; the command exits 0 on cosmetic
changes and 3 on breaking ones; without a test account it says the form was not probed.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from robot import portal_rules
from robot.cli import main
from robot.errors import ConfigError
from robot.mock_portal.seed import seed_probe_account
from robot.portal import probe as fp
from robot.portal.canary import NO_ACCOUNT, ProbeAccount, Reading, diffs, probe_url
from robot.portal.mapping import supplier_values, user_fields
from robot.portal.pages.auth import LoginPage
from robot.portal.pages.register import RegisterPage
from robot.portal.pages.supplier import SupplierForm
from robot.profiles import load_profile
from robot.profiles.models import User
from tests.fixtures.portal import PortalProcess

ROOT = Path(__file__).resolve().parents[2]
SEED_ALL_KINDS = 1  # with drift=1 this seed draws every kind on the three pages
# drift=0.6 with this seed leaves login's controls alone (the probe can log in) and draws
# every kind on the supplier form and its lupas
SEED_FORM_KINDS = 13
ACCOUNT = ProbeAccount("sondeo.pruebas", "Sondeo-Clave-2026!")
ALL_KINDS = {
    "reetiquetado",
    "renombrado",
    "eliminado",
    "movido",
    "obligatorio cambiado",
    "opciones cambiadas",
}


def _rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, but the anonymous sessions (the mock opens one on any GET)."""
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = {}
        for table in tables:
            query = f"SELECT * FROM {table}"  # names from sqlite_master
            if table == "sessions":
                query += " WHERE user_id IS NOT NULL"
            rows[table] = sorted(conn.execute(query).fetchall(), key=repr)
    return rows


def _probe(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "robot", "probe", *args],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def _with_account(portal: PortalProcess) -> PortalProcess:
    """The mock with the test account of ``ACCOUNT`` (a draft's administrator), as a scenario's
    probe_account makes it."""
    seed_probe_account(
        portal.store(), username=ACCOUNT.username, password=ACCOUNT.password, mail_domain="x.test"
    )
    return portal


def test_the_supplier_page_object_declares_every_field_the_mapping_fills() -> None:
    for path in sorted((ROOT / "profiles").glob("*.yaml")):
        values = supplier_values(load_profile(path))
        for value in values.all_fields:
            if value.kind == "radio":  # a group named by its label; its options by theirs
                assert value.label == SupplierForm.MIPYME, value.label
                assert value.value in {c.label for c in SupplierForm.MIPYME_CHOICES}
                continue
            declared = SupplierForm.SPEC.control(value.label)
            assert (declared.kind == "select") == (value.kind == "select"), value.label
            if value.kind == "select" and value.label != "País":  # País: any ISO code
                assert value.value in declared.options, (path.name, value.label)
    for slot in portal_rules.DOCUMENT_SLOTS.values():
        assert SupplierForm.SPEC.control(slot.label).kind == "file"


def test_the_register_page_object_declares_every_field_the_mapping_fills() -> None:
    user = User.model_validate(
        {
            "first_name": "Ana",
            "last_name": "Ruiz",
            "id_type": "CC",
            "id_number": "1020304050",
            "email": "ana@proveedores.test",
            "phone": "+57 601 745 6600",
            "username": "ana.ruiz",
            "password": "env:X",
            "accept_terms": True,
            "data_policy_consent": True,
        }
    )
    for value in user_fields(user):
        declared = RegisterPage.SPEC.control(value.label)
        assert (declared.kind == "select") == (value.kind == "select"), value.label
        if value.kind == "select":
            assert value.value in declared.options, value.label


@pytest.mark.browser
def test_a_clean_probe_passes_fast_and_touches_nothing(
    make_portal: Callable[..., PortalProcess], tmp_path: Path
) -> None:
    portal = make_portal()
    before = _rows(portal.db_path)
    started = time.monotonic()
    live = probe_url(portal.url.rstrip("/"), mock=True)
    took = time.monotonic() - started
    assert took < 15, f"the probe took {took:.1f} s"
    found = diffs(live, fp.folder_for(portal.url))
    assert [c for d in found for c in d.changes] == []
    assert {d.spec.key for d in found} == {"login", "register", "directory"}
    assert live.skipped == dict.fromkeys(("supplier", "lupa-municipio", "lupa-unspsc"), NO_ACCOUNT)
    assert _rows(portal.db_path) == before
    # --update writes what was read: the committed fingerprints are those of today's mock
    for data in live.pages.values():
        written = fp.save(data, tmp_path)
        committed = fp.FINGERPRINTS / "mock" / written.name
        assert written.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8")
    # what the page objects rely on is in the stored fingerprints, marked
    relied = {c["label"] for c in live["login"]["controls"] if c["relied"]}
    assert relied == {c.label for c in LoginPage.SPEC.controls}


@pytest.mark.browser
def test_with_a_test_account_the_form_and_its_lupas_are_read_fast_and_nothing_is_saved(
    make_portal: Callable[..., PortalProcess], tmp_path: Path
) -> None:
    portal = _with_account(make_portal())
    before = _rows(portal.db_path)
    started = time.monotonic()
    live = probe_url(portal.url, mock=True, account=ACCOUNT)
    took = time.monotonic() - started
    assert took < 15, f"the probe with the test account took {took:.1f} s"
    assert live.skipped == {} and live.account_problem == ""
    found = diffs(live, fp.folder_for(portal.url))
    assert [d.spec.key for d in found] == [s.key for s in fp.ALL_PAGES]
    assert [c for d in found for c in d.changes] == []
    # business state unchanged: users, the draft (its form, UNSPSC codes, documents), mail;
    # sessions: the probe logged out, so no session of the test account is left (only the
    # anonymous sessions any visitor gets are new)
    assert _rows(portal.db_path) == before
    assert before["sessions"] == []
    with sqlite3.connect(portal.db_path) as db:
        [(status, form)] = db.execute("SELECT status, form FROM accounts").fetchall()
        assert (status, form) == ("draft", "{}")
    # what the supplier page object relies on is in its fingerprint, marked
    relied = {c["label"] for c in live["supplier"]["controls"] if c["relied"]}
    assert relied == {c.label for c in SupplierForm.SPEC.controls}
    # the committed fingerprints of the form and its lupas are those of today's mock
    for data in live.pages.values():
        written = fp.save(data, tmp_path)
        committed = fp.FINGERPRINTS / "mock" / written.name
        assert written.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8")


def _expected_breaking(change: fp.Change) -> bool:
    """The classing rules of docs/probe.md, written out independently of the code."""
    spec = {s.key: s for s in fp.ALL_PAGES}[change.page]
    labels = {c.label for c in spec.controls}
    label = re.match(r"«(.*?)»", change.subject)
    relied = bool(label) and label.group(1) in labels  # type: ignore[union-attr]
    if change.subject.startswith("#"):  # a marker the robot reads by id
        return change.subject[1:] in spec.markers
    if change.kind in {"movido", "renombrado"}:
        return False  # the robot finds controls by label
    if change.kind in ("reetiquetado", "eliminado"):
        return relied
    if change.kind == "obligatorio cambiado":
        always = relied and spec.control(label.group(1)).always  # type: ignore[union-attr]
        return "ahora obligatorio" in change.detail and not always
    if change.kind == "opciones cambiadas":
        needed = spec.control(label.group(1)).options if relied else ()  # type: ignore[union-attr]
        gone = (
            re.findall(r"(\S+) \(«", change.detail.split("quitadas", 1)[1].split(";")[0])
            if ("quitadas" in change.detail)
            else []
        )
        return any(v in needed for v in gone)
    raise AssertionError(f"unexpected change {change}")


@pytest.mark.browser
def test_each_kind_of_drift_is_named_and_classed(
    make_portal: Callable[..., PortalProcess],
) -> None:
    portal = make_portal(faults=["drift=1", f"seed={SEED_ALL_KINDS}"])
    started = time.monotonic()
    result = _probe("--portal", portal.url)
    assert time.monotonic() - started < 15 + 10  # the probe, plus a Python start-up
    assert result.returncode == 3, result.stdout + result.stderr
    live = probe_url(portal.url.rstrip("/"), mock=True, account=ACCOUNT)
    # the login the robot relies on changed: the probe does not try to log in with it
    assert live.skipped["supplier"].startswith("no sondeado: la página de ingreso cambió (")
    found = diffs(live, fp.folder_for(portal.url))
    changes = [c for d in found for c in d.changes]
    assert {c.kind for c in changes} >= ALL_KINDS
    for change in changes:
        assert change.breaking == _expected_breaking(change), str(change)
        assert str(change) in result.stdout  # every change printed, with its class
    assert any(c.breaking for c in changes) and any(not c.breaking for c in changes)
    assert "[rompe] renombrado: #divLoginFailure: ahora #divLoginFailureV2" in result.stdout


@pytest.mark.browser
def test_each_kind_of_drift_of_the_supplier_form_is_named_and_classed(
    make_portal: Callable[..., PortalProcess],
) -> None:
    portal = _with_account(make_portal(faults=["drift=0.6", f"seed={SEED_FORM_KINDS}"]))
    live = probe_url(portal.url, mock=True, account=ACCOUNT)
    assert "supplier" in live.pages, live.skipped
    found = diffs(live, fp.folder_for(portal.url))
    changes = [c for d in found for c in d.changes if d.spec in fp.ACCOUNT_PAGES]
    assert {c.kind for c in changes if c.page == "supplier"} >= ALL_KINDS
    for change in changes:
        assert change.breaking == _expected_breaking(change), str(change)
    form = next(d for d in found if d.spec.key == "supplier")
    assert form.breaking and any(not c.breaking for c in form.changes)


@pytest.mark.browser
def test_cosmetic_drift_exits_0_and_breaking_drift_exits_3(
    make_portal: Callable[..., PortalProcess],
) -> None:
    # a CAPTCHA at login is something the robot handles, not a drift
    moved = make_portal(faults=["drift=0.5", "seed=2", "drift_kinds=[move]", "captcha=always"])
    result = _probe("--portal", moved.url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[cosmético] movido: «" in result.stdout
    # no test account (--portal): a visible line says the supplier form was not probed
    assert f"supplier (Registro de Proveedor) y sus lupas: {NO_ACCOUNT}" in result.stdout
    assert "aptcha" not in result.stdout and "texto de la imagen" not in result.stdout
    assert "[rompe]" not in result.stdout

    relabelled = make_portal(faults=["drift=0.5", "seed=4", "drift_kinds=[relabel, options]"])
    result = _probe("--portal", relabelled.url)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "[rompe] reetiquetado" in result.stdout


def test_added_fields_and_required_markers_are_classed() -> None:
    spec = RegisterPage.SPEC
    expected = fp.load(spec, fp.FINGERPRINTS / "mock")
    assert expected is not None
    live = {**expected, "controls": [dict(c) for c in expected["controls"]]}
    extra = {"id": "txtRut", "kind": "text", "label": "RUT", "required": True, "options": []}
    live["controls"].append({**extra, "relied": False})
    live["controls"].append({**extra, "id": "txtNota", "label": "Nota", "required": False})
    for c in live["controls"]:
        if c["label"] == "Cargo":
            c["required"] = True  # the robot fills Cargo only when the profile has one
    diff = fp.compare(spec, expected, live)
    shown = [str(c) for c in diff.changes]
    assert "  [rompe] añadido: «RUT» (#txtRut): campo nuevo, obligatorio" in shown
    assert "  [cosmético] añadido: «Nota» (#txtNota): campo nuevo" in shown
    assert "  [rompe] obligatorio cambiado: «Cargo» (#txtPosition): ahora obligatorio" in shown


@pytest.mark.browser
def test_a_captcha_at_login_leaves_the_form_unprobed_with_its_reason(
    make_portal: Callable[..., PortalProcess],
) -> None:
    portal = _with_account(make_portal(faults=["captcha=always"]))
    live = probe_url(portal.url, mock=True, account=ACCOUNT)
    assert set(live.pages) == {"login", "register", "directory"}
    reason = "no sondeado: el portal pide un CAPTCHA al ingresar"
    assert live.skipped == dict.fromkeys(("supplier", "lupa-municipio", "lupa-unspsc"), reason)
    assert live.account_problem == ""  # not the account's fault: exit by the other pages


@pytest.mark.browser
def test_a_test_account_the_portal_refuses_is_bad_input_and_its_password_never_shown(
    make_portal: Callable[..., PortalProcess], tmp_path: Path
) -> None:
    portal = _with_account(make_portal())
    wrong = "Otra-Clave-2026!"
    data = {
        "name": "sondeo",
        "portal": {"base_url": portal.url},
        "profiles": [str(ROOT / "profiles" / "acme-sas.yaml")],
        "probe_account": {"username": ACCOUNT.username, "password": "${SONDEO_CLAVE}"},
    }
    scenario = tmp_path / "lote.yaml"
    scenario.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = _probe(str(scenario), env={"SONDEO_CLAVE": wrong})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "probe_account.username: el portal rechazó el usuario o la contraseña" in result.stderr
    assert "login (Ingresar): sin cambios" in result.stdout  # the other pages were probed
    assert "Traceback" not in result.stderr
    assert wrong not in result.stdout + result.stderr
    # the right password: the form is probed and nothing changes (exit 0)
    result = _probe(str(scenario), env={"SONDEO_CLAVE": ACCOUNT.password})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "supplier (Registro de Proveedor): sin cambios" in result.stdout
    assert ACCOUNT.password not in result.stdout + result.stderr
    # a missing variable: bad input naming it, before any browser
    result = _probe(str(scenario))
    assert result.returncode == 1
    assert "SONDEO_CLAVE" in result.stderr and "probe_account.password" in result.stderr


def test_bad_input_is_a_spanish_message_not_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["probe"])
    assert result.exit_code == 1
    assert "indique un ESCENARIO o --portal URL" in result.stderr
    with pytest.raises(ConfigError) as err:
        diffs(Reading({"login": {}}), tmp_path)
    assert "login.json: no existe" in str(err.value)
    assert "probe --update" in err.value.hint


def test_each_portal_has_its_own_fingerprints() -> None:
    assert fp.folder_for("http://127.0.0.1:41235/") == fp.FINGERPRINTS / "mock"
    assert fp.folder_for("http://localhost:8080") == fp.FINGERPRINTS / "mock"
    real = fp.folder_for("https://community.secop.gov.co/STS")
    assert real == fp.FINGERPRINTS / "community.secop.gov.co"
