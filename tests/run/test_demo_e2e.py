"""The sample batch end to end: real Chromium, the bundled mock portal, real SMTP and IMAP.

Every sample profile is onboarded (account active, documents in the Directorio with the
manifest's hashes, additional users Aceptado); the existing supplier ends with an access
request, not a new account; the constancia profile's confidential documents went up as
constancias in their own slots; and the portal holds no duplicate of anything.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from robot.mock_portal.seed import PROBE_ACCOUNT_NAME, PROBE_ACCOUNT_NIT

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Prueba-Demo-2026!"
pytestmark = pytest.mark.browser


def scenario_copy(tmp_path: Path, **mock: Any) -> Path:
    """scenarios/demo.yaml with absolute paths and the fast pymap mail backend."""
    data = yaml.safe_load((ROOT / "scenarios" / "demo.yaml").read_text(encoding="utf-8"))
    data["profiles"] = [str(ROOT / "profiles" / "*.yaml")]
    data["output"] = str(tmp_path / "out")
    settings = data["portal"]["mock"]["settings"]
    settings["existing_suppliers"] = [str(ROOT / "profiles" / "andina-existente.yaml")]
    data["portal"]["mock"]["mail_backend"] = "pymap"
    data["portal"]["mock"].update(mock)
    path = tmp_path / "demo.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def run_robot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "robot", "run", *args],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "SECOP_DEMO_PASSWORD": PASSWORD, **(env or {})},
    )


def portal_rows(out: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(out / "portal" / "portal.sqlite3") as db:
        return db.execute(sql).fetchall()


@pytest.fixture(scope="module")
def demo_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str], float]:
    tmp = tmp_path_factory.mktemp("demo")
    started = time.monotonic()
    done = run_robot(str(scenario_copy(tmp)), "--quiet")
    return tmp / "out", done, time.monotonic() - started


def test_every_sample_supplier_ends_onboarded_or_with_its_access_request(
    demo_run: tuple[Path, subprocess.CompletedProcess[str], float],
) -> None:
    out, done, _ = demo_run
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))["suppliers"]
    status = {r["nit"]: r["status"] for r in results}
    assert status == {
        "901555123-8": "onboarded",
        "900888321-5": "access_requested",
        "860555777-6": "onboarded",
        "901777456-8": "onboarded",
        "52345678-3": "onboarded",
    }
    acme = next(r for r in results if r["nit"] == "901555123-8")
    assert acme["steps_done"][-1] == "users.acme.juridico.accept"
    assert "Registro de pasos" in done.stdout and "registrado" in done.stdout


def test_accounts_are_active_once_each_and_the_existing_one_got_a_request(
    demo_run: tuple[Path, subprocess.CompletedProcess[str], float],
) -> None:
    out, _, _ = demo_run
    accounts = portal_rows(out, "SELECT nit, status FROM accounts ORDER BY nit")
    assert accounts == sorted(
        [
            ("52345678", "active"),
            ("860555777", "active"),
            ("900888321", "active"),
            ("901555123", "active"),
            ("901777456", "active"),
            (PROBE_ACCOUNT_NIT, "draft"),  # the drift probe's test account, never saved
        ]
    )
    [(state, role)] = portal_rows(
        out,
        "SELECT m.state, m.role FROM memberships m JOIN users u ON u.id = m.user_id"
        " JOIN accounts a ON a.id = m.account_id"
        " WHERE a.nit = '900888321' AND u.username = 'andina.dcaicedo'",
    )
    assert (state, role) == ("Pendiente", "user")


def test_the_probe_read_the_supplier_form_with_the_test_account_and_saved_nothing(
    demo_run: tuple[Path, subprocess.CompletedProcess[str], float],
) -> None:
    out, _, _ = demo_run
    record = (out / "sondeo.txt").read_text(encoding="utf-8")
    assert "supplier (Registro de Proveedor): sin cambios" in record
    assert "lupa-municipio (Buscar municipio): sin cambios" in record
    assert "no sondeado" not in record
    [(account_id, form, short)] = portal_rows(
        out, f"SELECT id, form, short_name FROM accounts WHERE nit = '{PROBE_ACCOUNT_NIT}'"
    )
    assert form == "{}" and short == PROBE_ACCOUNT_NAME.upper()[:30]
    for table in ("documents", "unspsc_codes"):
        sql = f"SELECT count(*) FROM {table} WHERE account_id = {account_id}"
        assert portal_rows(out, sql) == [(0,)], table
    open_sessions = portal_rows(
        out,
        "SELECT count(*) FROM sessions s JOIN memberships m ON m.user_id = s.user_id"
        f" WHERE m.account_id = {account_id}",
    )
    assert open_sessions == [(0,)]  # the probe logged out


def test_additional_users_are_accepted_members(
    demo_run: tuple[Path, subprocess.CompletedProcess[str], float],
) -> None:
    out, _, _ = demo_run
    rows = portal_rows(
        out,
        "SELECT u.username, u.status, m.state FROM memberships m JOIN users u ON u.id = m.user_id"
        " JOIN accounts a ON a.id = m.account_id WHERE a.nit = '901555123' ORDER BY u.username",
    )
    assert rows == [
        ("acme.admin", "active", "Aceptado"),
        ("acme.comercial", "active", "Aceptado"),
        ("acme.juridico", "active", "Aceptado"),
    ]


def test_the_portal_holds_exactly_the_prepared_documents(
    demo_run: tuple[Path, subprocess.CompletedProcess[str], float],
) -> None:
    out, _, _ = demo_run
    for folder in (out / "suppliers").iterdir():
        if folder.name == "900888321":
            continue  # the existing supplier's account and documents are not the robot's
        manifest = json.loads((folder / "documents" / "manifest.json").read_text("utf-8"))
        on_portal = portal_rows(
            out,
            "SELECT d.slot, d.filename, d.size, d.sha256 FROM documents d"
            f" JOIN accounts a ON a.id = d.account_id WHERE a.nit = '{folder.name}'",
        )
        expected = [
            (e["slot"], e["output"]["name"], e["output"]["size"], e["output"]["sha256"])
            for e in manifest["entries"]
        ]
        assert sorted(on_portal) == sorted(expected), folder.name
        originals = {e["original"]["sha256"] for e in manifest["entries"] if e["confidential"]}
        assert not originals & {row[3] for row in on_portal}, "an unmarked original went up"


def test_the_constancia_goes_in_the_confidential_documents_own_slot(
    demo_run: tuple[Path, subprocess.CompletedProcess[str], float],
) -> None:
    out, _, _ = demo_run
    manifest = json.loads(
        (out / "suppliers" / "860555777" / "documents" / "manifest.json").read_text("utf-8")
    )
    marked = {e["slot"]: e for e in manifest["entries"] if e["marking"] == "constancia"}
    assert set(marked) == {"estados_financieros", "experiencia"}
    rows = portal_rows(
        out,
        "SELECT d.slot, d.sha256 FROM documents d JOIN accounts a ON a.id = d.account_id"
        " WHERE a.nit = '860555777'",
    )
    slots = dict(rows)
    for slot, entry in marked.items():
        assert slots[slot] == entry["output"]["sha256"]
    assert "constancia" not in slots


def test_nothing_on_the_portal_is_duplicated(
    demo_run: tuple[Path, subprocess.CompletedProcess[str], float],
) -> None:
    out, _, _ = demo_run
    checks = {
        "users by user name": "SELECT lower(username), count(*) FROM users GROUP BY 1",
        "users by e-mail": "SELECT lower(email), count(*) FROM users GROUP BY 1",
        "accounts by NIT": "SELECT nit, count(*) FROM accounts GROUP BY 1",
        "memberships": "SELECT user_id, account_id, count(*) FROM memberships GROUP BY 1, 2",
        "documents": "SELECT account_id, slot, count(*) FROM documents GROUP BY 1, 2",
    }
    for what, sql in checks.items():
        assert [r for r in portal_rows(out, sql) if r[-1] > 1] == [], what


def test_a_second_run_does_nothing_and_is_quick(
    demo_run: tuple[Path, subprocess.CompletedProcess[str], float], tmp_path: Path
) -> None:
    out, _, first = demo_run
    before = portal_rows(out, "SELECT count(*) FROM mail_log")
    started = time.monotonic()
    again = run_robot(str(out.parent / "demo.yaml"), "--quiet")
    took = time.monotonic() - started
    assert again.returncode == 0, again.stdout + again.stderr
    assert portal_rows(out, "SELECT count(*) FROM mail_log") == before
    assert took < first / 4, (took, first)
