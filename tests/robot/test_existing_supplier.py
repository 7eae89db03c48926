"""A NIT that already exists on the portal, and a second run of a finished batch.

One batch (a new supplier and one whose NIT the portal already holds, ``if_exists:
request_access``) runs once; then: the existing one ends with a request for access, not a new
account; nothing is duplicated; the same command again changes nothing on the portal (every
table compared, mail log included) and takes a small fraction of the first run's time. A
supplier with ``if_exists: stop`` whose NIT is published ends failed with a reason that names
its NIT and creates no user, no account and no request; one whose NIT has only a draft account
(not in the Directorio) stops at the account step, with no request either.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml

from robot.mock_portal.seed import PROBE_ACCOUNT_NAME, PROBE_ACCOUNT_NIT
from tests.robot.batch import (
    PASSWORD_ENV,
    Run,
    check_onboarded_on_portal,
    derive_profile,
    duplicates,
    portal_rows,
    results,
    run_robot,
    scenario,
)

pytestmark = pytest.mark.browser

NEW_NIT = "52600101"
EXISTING_NIT = "900600102"
STOP_NIT = "900600103"


def set_if_exists(profile: Path, value: str) -> None:
    text = profile.read_text(encoding="utf-8")
    profile.write_text(
        text.replace("if_exists: request_access", f"if_exists: {value}"), encoding="utf-8"
    )


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path], Run]:
    folder = tmp_path_factory.mktemp("existing")
    new = derive_profile(folder / "profiles", "rodriguez-natural", "e1", NEW_NIT)
    existing = derive_profile(folder / "profiles", "andina-existente", "e1", EXISTING_NIT)
    path = scenario(folder, [new, existing], existing=[existing])
    first = run_robot(path, folder / "out")
    return folder, {"new": new, "existing": existing, "scenario": path}, first


def test_the_existing_nit_ends_with_an_access_request_not_a_new_account(
    batch: tuple[Path, dict[str, Path], Run],
) -> None:
    folder, profiles, first = batch
    out = folder / "out"
    assert first.code == 0, first.text
    entry = results(out)[f"{EXISTING_NIT}-{_dv(EXISTING_NIT)}"]
    assert entry["status"] == "access_requested", entry
    assert entry["identifiers"]["account.entity"]["decision"] == "access_requested"
    [(account_id, creator)] = portal_rows(
        out,
        "SELECT a.id, u.username FROM accounts a JOIN users u ON u.id = a.created_by"
        " WHERE a.nit = ?",
        EXISTING_NIT,
    )
    assert creator == f"admin_{EXISTING_NIT}"  # the seeded administrator, not ours
    members = portal_rows(
        out,
        "SELECT u.username, m.role, m.state FROM memberships m JOIN users u ON u.id = m.user_id"
        " WHERE m.account_id = ? ORDER BY m.role",
        account_id,
    )
    assert members == [
        (f"admin_{EXISTING_NIT}", "admin", "Aceptado"),
        ("andina.dcaicedo.e1", "user", "Pendiente"),
    ]
    assert portal_rows(
        out,
        "SELECT count(*) FROM accounts a JOIN users u ON u.id = a.created_by"
        " WHERE u.username = 'andina.dcaicedo.e1'",
    ) == [(0,)]
    check_onboarded_on_portal(out, profiles["new"])
    assert duplicates(out) == {}


def _dv(number: str) -> str:
    from robot.portal_rules import nit_check_digit

    return nit_check_digit(number)


def _portal_dump(out: Path) -> dict[str, list[Any]]:
    """Every table of the portal's state, rows sorted (documents without their bytes)."""
    db = sqlite3.connect(out / "portal" / "portal.sqlite3")
    try:
        tables = [
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        dump = {}
        for table in tables:
            columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})") if r[1] != "data"]
            rows = db.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            dump[table] = sorted(rows, key=repr)
        return dump
    finally:
        db.close()


def test_a_second_run_does_nothing_on_the_portal_and_is_quick(
    batch: tuple[Path, dict[str, Path], Run],
) -> None:
    folder, profiles, first = batch
    out = folder / "out"
    assert first.code == 0, first.text
    before = _portal_dump(out)
    assert before["mail_log"], "the first run sent mail"
    again = run_robot(profiles["scenario"], out)
    assert again.code == 0, again.text
    assert "ya estaban terminados" in again.err
    after = _portal_dump(out)
    assert after == before  # not one row more or changed: no login, no mail, no upload
    print(
        f"\nfirst run {first.seconds:.1f} s ({first.cpu:.1f} s CPU), "
        f"second run {again.seconds:.1f} s ({again.cpu:.1f} s CPU)"
    )
    # CPU time is the fair measure on a shared machine; the wall clock gets some slack for load
    assert again.cpu < first.cpu / 4, (first.cpu, again.cpu)
    assert again.seconds < first.seconds / 3, (first.seconds, again.seconds)
    statuses = {nit: e["status"] for nit, e in results(out).items()}
    assert sorted(statuses.values()) == ["access_requested", "onboarded"]


def test_if_exists_stop_fails_with_the_reason_and_creates_nothing(tmp_path: Path) -> None:
    stop = derive_profile(tmp_path / "profiles", "andina-existente", "s1", STOP_NIT)
    set_if_exists(stop, "stop")
    path = scenario(tmp_path, [stop], existing=[stop])
    out = tmp_path / "out"
    done = run_robot(path, out)
    assert done.code == 1, done.text
    entry = results(out)[f"{STOP_NIT}-{_dv(STOP_NIT)}"]
    assert entry["status"] == "failed", entry
    # The seeded account is active, so published: the Directorio stops the supplier before
    # its administrator user is created.
    assert "admin.register" in entry["reason"]
    assert (
        f"{STOP_NIT}-{_dv(STOP_NIT)} ya está registrado en SECOP II y publicado"
        in (entry["reason"])
    )
    assert "if_exists: stop" in entry["reason"]
    assert entry["steps_done"] == ["documents"]
    failed = [s for s in entry["steps"] if s["status"] == "failed"]
    assert [s["step"] for s in failed] == ["admin.register"]
    assert "ya está registrado" in done.out  # the summary shows the reason
    user = "andina.dcaicedo.s1"
    assert portal_rows(out, "SELECT count(*) FROM users WHERE username = ?", user) == [(0,)]
    assert portal_rows(
        out,
        "SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.username = ?",
        user,
    ) == [(0,)]
    assert portal_rows(
        out,
        "SELECT count(*) FROM accounts a JOIN users u ON u.id = a.created_by WHERE u.username = ?",
        user,
    ) == [(0,)]
    assert portal_rows(out, "SELECT count(*) FROM accounts") == [(1,)]  # the seeded one only
    kinds = [k for (k,) in portal_rows(out, "SELECT kind FROM mail_log")]
    assert "access_requested" not in kinds


def test_if_exists_stop_on_a_draft_account_stops_at_the_account_step(tmp_path: Path) -> None:
    """A draft account is not published, so nothing tells before the administrator logs in:
    the user is created and activated, then ``account.entity`` finds the NIT and stops."""
    stop = derive_profile(tmp_path / "profiles", "andina-existente", "d1", PROBE_ACCOUNT_NIT)
    set_if_exists(stop, "stop")
    path = scenario(tmp_path, [stop])
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["probe_account"] = {"username": "sondeo.d1", "password": "${" + PASSWORD_ENV + "}"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    done = run_robot(path, out)
    assert done.code == 1, done.text
    nit = f"{PROBE_ACCOUNT_NIT}-{_dv(PROBE_ACCOUNT_NIT)}"
    entry = results(out)[nit]
    assert entry["status"] == "failed", entry
    assert f"{nit} ya está registrado en SECOP II («{PROBE_ACCOUNT_NAME}»)" in entry["reason"]
    assert "if_exists: stop" in entry["reason"]
    assert entry["steps_done"] == ["documents", "admin.register", "admin.activate"]
    failed = [s["step"] for s in entry["steps"] if s["status"] == "failed"]
    assert failed == ["account.entity"]
    user = "andina.dcaicedo.d1"
    assert portal_rows(out, "SELECT status FROM users WHERE username = ?", user) == [("active",)]
    assert portal_rows(
        out,
        "SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.username = ?",
        user,
    ) == [(0,)]
    assert portal_rows(out, "SELECT count(*) FROM accounts") == [(1,)]  # the draft only
    kinds = [k for (k,) in portal_rows(out, "SELECT kind FROM mail_log")]
    assert "access_requested" not in kinds
