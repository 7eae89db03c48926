"""``run`` probes the portal it drives before any supplier: it refuses a breaking drift, naming
it (exit 3, nothing created), of the supplier form too (read with the scenario's test
account), starts on a cosmetic one, and ``--no-probe`` skips the probe."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from robot.portal.canary import NO_ACCOUNT

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Prueba-Sondeo-2026!"
PROBE_USER = "sondeo.consultora"  # the test account the scenario names; the mock creates it
pytestmark = pytest.mark.browser


def _scenario(tmp_path: Path, faults: dict[str, Any], *, account: bool = True) -> Path:
    shutil.copytree(ROOT / "profiles" / "docs", tmp_path / "docs", dirs_exist_ok=True)
    profile = tmp_path / "rodriguez-natural.yaml"
    shutil.copy(ROOT / "profiles" / "rodriguez-natural.yaml", profile)
    data = {
        "name": "sondeo",
        "portal": {"mock": {"mail_backend": "pymap", "faults": faults}},
        "profiles": [str(profile)],
        "output": str(tmp_path / "out"),
    }
    if account:
        data["probe_account"] = {"username": PROBE_USER, "password": "${SECOP_DEMO_PASSWORD}"}
    path = tmp_path / "lote.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _run(*args: str, quiet: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "robot", "run", *args, *(["--quiet"] if quiet else [])],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "SECOP_DEMO_PASSWORD": PASSWORD},
    )


def _users(tmp_path: Path) -> int:
    """The portal's users but the test account's."""
    with sqlite3.connect(tmp_path / "out" / "portal" / "portal.sqlite3") as db:
        sql = "SELECT count(*) FROM users WHERE username != ?"
        return int(db.execute(sql, (PROBE_USER,)).fetchone()[0])


def _entry(tmp_path: Path) -> dict[str, Any]:
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    [entry] = results["suppliers"]
    return dict(entry)


def test_run_refuses_a_breaking_drift_and_names_it(tmp_path: Path) -> None:
    result = _run(str(_scenario(tmp_path, {"drift": 1, "seed": 1}, account=False)))
    assert result.returncode == 3, result.stdout + result.stderr
    assert "el portal cambió y el robot no puede trabajar" in result.stderr
    assert "login: reetiquetado «Usuario» (#txtUserName)" in result.stderr
    assert "Traceback" not in result.stderr
    assert _users(tmp_path) == 0  # no supplier was started
    record = (tmp_path / "out" / "sondeo.txt").read_text(encoding="utf-8")
    assert "login (Ingresar): CAMBIO QUE ROMPE" in record
    assert f"supplier (Registro de Proveedor) y sus lupas: {NO_ACCOUNT}" in record
    assert _entry(tmp_path)["steps_done"] == []


def test_run_refuses_a_breaking_drift_of_the_supplier_form(tmp_path: Path) -> None:
    # drift=0.05 with seed 1 relabels only the MiPyme «No» radio of the supplier form: the
    # public pages are unchanged, only the test account's form shows the change
    scenario = _scenario(tmp_path, {"drift": 0.05, "seed": 1, "drift_kinds": ["relabel"]})
    result = _run(str(scenario))
    assert result.returncode == 3, result.stdout + result.stderr
    assert "supplier: reetiquetado «No» (#rdbMipyme_no) (ahora «No (actualizado)»)" in (
        result.stderr
    )
    assert "login" not in result.stderr.split("no puede trabajar:", 1)[1].split("\n")[0]
    assert _users(tmp_path) == 0
    record = (tmp_path / "out" / "sondeo.txt").read_text(encoding="utf-8")
    assert "supplier (Registro de Proveedor): CAMBIO QUE ROMPE" in record
    assert "login (Ingresar): sin cambios" in record
    assert PASSWORD not in result.stdout + result.stderr + record


def test_run_starts_on_a_cosmetic_drift(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, {"drift": 0.5, "seed": 2, "drift_kinds": ["move"]})
    result = _run(str(scenario), "--until", "admin.activate", quiet=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "solo cambios cosméticos; el lote sigue" in result.stdout + result.stderr
    record = (tmp_path / "out" / "sondeo.txt").read_text(encoding="utf-8")
    assert "[cosmético] movido: «" in record and "[rompe]" not in record
    assert "supplier (Registro de Proveedor): " in record  # read with the test account
    assert "no sondeado" not in record
    entry = _entry(tmp_path)
    assert entry["status"] == "stopped"
    assert "admin.register" in entry["steps_done"]  # through the drifted Registrar usuario
    assert _users(tmp_path) == 1


def test_no_probe_skips_the_probe(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, {"drift": 1, "seed": 1})
    result = _run(str(scenario), "--no-probe", "--until", "admin.register")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sondeo" not in result.stdout + result.stderr
    assert not (tmp_path / "out" / "sondeo.txt").exists()
