"""Batches for the robot's robustness tests: small profiles derived from profiles/*.yaml with
fresh NITs, e-mails and user names, a scenario in tmp_path on the bundled mock portal (pymap),
the robot run as a real subprocess, and what the portal's SQLite file holds afterwards."""

from __future__ import annotations

import json
import os
import re
import resource
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from robot.portal_rules import nit_check_digit

ROOT = Path(__file__).resolve().parents[2]
PASSWORD_ENV = "SECOP_TEST_PASSWORD"
PASSWORD = "Prueba-Robusta-2026!"
CRASH_ENV = "SECOP_ROBOT_CRASH_AFTER"
CRASH_LOG_ENV = "SECOP_ROBOT_CRASH_LOG"


def derive_profile(
    folder: Path, source: str, tag: str, nit_number: str, *, extra_users: int | None = None
) -> Path:
    """profiles/<source>.yaml with a fresh NIT, e-mails and user names (``tag`` in each)."""
    data = yaml.safe_load((ROOT / "profiles" / f"{source}.yaml").read_text(encoding="utf-8"))
    supplier = data["supplier"]
    old_number = re.sub(r"\D", "", supplier["nit"])[:-1]
    supplier["nit"] = f"{nit_number}-{nit_check_digit(nit_number)}"
    supplier["legal_name"] = f"{supplier['legal_name']} {tag.upper()}"
    people = [data["administrator"], *data.get("additional_users", [])]
    if extra_users is not None:
        data["additional_users"] = data.get("additional_users", [])[:extra_users]
        people = [data["administrator"], *data["additional_users"]]
    for person in [*people, supplier.get("legal_representative") or {}]:
        if "email" in person:
            person["email"] = person["email"].replace("@", f"-{tag}@")
        if person.get("id_number") == old_number:  # a persona natural: NIT = cédula
            person["id_number"] = nit_number
    supplier["email"] = supplier["email"].replace("@", f"-{tag}@")
    for person in people:
        person["username"] = f"{person['username']}.{tag}"
        person["password"] = "${" + PASSWORD_ENV + "}"
    for doc in data.get("documents", []):
        doc["path"] = str(ROOT / "profiles" / doc["path"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{source}-{tag}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def scenario(
    folder: Path,
    profiles: list[Path],
    *,
    faults: dict[str, Any] | None = None,
    existing: list[Path] | None = None,
    concurrency: int = 2,
    name: str = "robusta",
) -> Path:
    data = {
        "name": name,
        "portal": {
            "mock": {
                "mail_backend": "pymap",
                "faults": faults or {},
                "settings": {"existing_suppliers": [str(p) for p in existing or []]},
            }
        },
        "profiles": [str(p) for p in profiles],
        "concurrency": concurrency,
        "steps": ["user", "account", "additional_users"],
        "output": str(folder / "out"),
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float
    cpu: float  # CPU seconds of the run and the processes it waited for (browser, mail stack)

    @property
    def text(self) -> str:
        return f"exit {self.code}\n{self.out}\n{self.err[-6000:]}"


def run_robot(scenario_path: Path, out: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """``python -m robot run SCENARIO --out OUT`` as a real subprocess."""
    started = time.monotonic()
    cpu = _children_cpu()
    done = subprocess.run(
        [sys.executable, "-m", "robot", "run", str(scenario_path), "--out", str(out), *args],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("SECOP_")},
            PASSWORD_ENV: PASSWORD,
            **(env or {}),
        },
    )
    took = time.monotonic() - started
    return Run(done.returncode, done.stdout, done.stderr, took, _children_cpu() - cpu)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def portal_rows(out: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(out / "portal" / "portal.sqlite3")
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


DUPLICATE_CHECKS = {
    "users by user name": "SELECT lower(username), count(*) FROM users GROUP BY 1",
    "users by e-mail": "SELECT lower(email), count(*) FROM users GROUP BY 1",
    "users by ID document": "SELECT id_type, id_number, count(*) FROM users GROUP BY 1, 2",
    "accounts by NIT": "SELECT nit, count(*) FROM accounts GROUP BY 1",
    "accounts by name": "SELECT lower(name), count(*) FROM accounts GROUP BY 1",
    "accounts created by one user": "SELECT created_by, count(*) FROM accounts GROUP BY 1",
    "memberships": "SELECT user_id, account_id, count(*) FROM memberships GROUP BY 1, 2",
    "documents": "SELECT account_id, slot, count(*) FROM documents GROUP BY 1, 2",
}


def duplicates(out: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every kind of duplicate the portal could hold (empty lists when there is none)."""
    found = {
        what: [r for r in portal_rows(out, sql) if r[-1] > 1]
        for what, sql in DUPLICATE_CHECKS.items()
    }
    found["accounts without NIT"] = portal_rows(
        out, "SELECT id, name FROM accounts WHERE nit IS NULL"
    )
    return {k: v for k, v in found.items() if v}


def results(out: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return {entry["nit"]: entry for entry in data["suppliers"]}


def ledger_rows(out: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(out / "ledger.sqlite3")
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def check_onboarded_on_portal(out: Path, profile_path: Path) -> None:
    """The portal holds what results.json says of an onboarded supplier: its account active
    and created by its administrator, the manifest's documents, every user Aceptado."""
    data = yaml.safe_load(profile_path.read_text(encoding="utf-8"))
    nit = data["supplier"]["nit"]
    number = nit.split("-")[0]
    entry = results(out)[nit]
    assert entry["status"] == "onboarded", entry
    [(account_id, status, creator)] = portal_rows(
        out,
        "SELECT a.id, a.status, u.username FROM accounts a JOIN users u ON u.id = a.created_by"
        " WHERE a.nit = ?",
        number,
    )
    assert status == "active", (nit, status)
    published = entry["identifiers"]["account.directory"]["directory_url"]
    assert published == f"/Public/Directory/Supplier/{account_id}", (nit, published)
    assert creator.lower() == data["administrator"]["username"].lower()
    manifest = json.loads((out / "suppliers" / number / "documents" / "manifest.json").read_text())
    expected = sorted(
        (e["slot"], e["output"]["name"], e["output"]["size"], e["output"]["sha256"])
        for e in manifest["entries"]
    )
    on_portal = portal_rows(
        out,
        "SELECT slot, filename, size, sha256 FROM documents WHERE account_id = ? ORDER BY slot",
        account_id,
    )
    assert sorted(on_portal) == expected, nit
    members = dict(
        portal_rows(
            out,
            "SELECT lower(u.username), m.state FROM memberships m JOIN users u ON u.id = m.user_id"
            " WHERE m.account_id = ?",
            account_id,
        )
    )
    people = [data["administrator"], *data.get("additional_users", [])]
    assert members == {p["username"].lower(): "Aceptado" for p in people}, nit
    for person in people:
        state = portal_rows(
            out, "SELECT status FROM users WHERE lower(username) = ?", person["username"].lower()
        )
        assert state == [("active",)], (nit, person["username"], state)
    steps_done = set(entry["steps_done"])
    assert "account.directory" in steps_done and "admin.activate" in steps_done, entry
    for person in people[1:]:
        assert f"users.{person['username']}.accept" in steps_done, entry


def check_access_requested(out: Path, nit_number: str, username: str) -> None:
    """results.json says the NIT's supplier asked for access, and the portal holds the
    administrator's request to the existing account, Pendiente."""
    entry = results(out)[f"{nit_number}-{nit_check_digit(nit_number)}"]
    assert entry["status"] == "access_requested", entry
    [(state,)] = portal_rows(
        out,
        "SELECT m.state FROM memberships m JOIN users u ON u.id = m.user_id"
        " JOIN accounts a ON a.id = m.account_id WHERE a.nit = ? AND u.username = ?",
        nit_number,
        username,
    )
    assert state == "Pendiente"
