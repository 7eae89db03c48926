"""The ledger: every step recorded as it completes; a fresh ledger on the same file resumes."""

from __future__ import annotations

from pathlib import Path

from robot import secrets
from robot.ledger import FAILED, ONBOARDED, RUNNING, Ledger


def _ledger(path: Path) -> Ledger:
    ledger = Ledger(path)
    ledger.begin_run("secop-robot run demo.yaml")
    ledger.add_supplier("900123456", profile="p.yaml", legal_name="ACME", nit="900123456-8", h="h1")
    return ledger


def test_steps_survive_a_new_process_on_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    first = _ledger(path)
    first.start_step("900123456", "admin.register", 1, "a1")
    first.finish_step("900123456", "admin.register", detail={"user": "acme.admin"})
    first.start_step("900123456", "admin.activate", 2, "a1")  # killed before it finished
    first.close()

    again = Ledger(path)
    steps = again.steps("900123456")
    assert list(steps) == ["admin.register", "admin.activate"]
    assert steps["admin.register"].done and steps["admin.register"].detail == {"user": "acme.admin"}
    assert steps["admin.activate"].status == "started" and not steps["admin.activate"].done
    assert steps["admin.register"].duration is not None


def test_a_supplier_is_recorded_once_and_keeps_its_history(tmp_path: Path) -> None:
    ledger = _ledger(tmp_path / "l.sqlite3")
    ledger.add_supplier("900123456", profile="otro.yaml", legal_name="X", nit="x", h="h2")
    [record] = ledger.suppliers()
    assert (record.profile, record.input_hash) == ("p.yaml", "h1")
    ledger.set_status("900123456", RUNNING)
    ledger.set_status("900123456", ONBOARDED)
    record = ledger.supplier("900123456")
    assert record is not None and record.status == ONBOARDED
    assert record.started_at is not None and record.ended_at is not None


def test_a_retried_step_counts_its_attempts(tmp_path: Path) -> None:
    ledger = _ledger(tmp_path / "l.sqlite3")
    for _ in range(3):
        ledger.start_step("900123456", "account.form", 4, "f")
    ledger.finish_step("900123456", "account.form", status=FAILED, message="Teléfono: no válido")
    step = ledger.step("900123456", "account.form")
    assert step is not None and step.attempts == 3 and step.status == FAILED
    assert step.message == "Teléfono: no válido"


def test_secrets_never_reach_the_file(tmp_path: Path) -> None:
    secrets.register_secret("Clave-Secreta-123!")
    try:
        ledger = _ledger(tmp_path / "l.sqlite3")
        ledger.set_status("900123456", FAILED, "falló con Clave-Secreta-123!")
        ledger.event("900123456", "retry", "intento con Clave-Secreta-123!")
        ledger.start_step("900123456", "admin.register", 1, "h")
        ledger.finish_step("900123456", "admin.register", detail={"x": "Clave-Secreta-123!"})
        ledger.close()
    finally:
        secrets.clear_secrets()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"Clave-Secreta-123!" not in raw


def test_runs_are_recorded_with_their_outcome(tmp_path: Path) -> None:
    ledger = _ledger(tmp_path / "l.sqlite3")
    ledger.end_run("fin")
    [run] = ledger.runs()
    assert run["outcome"] == "fin" and run["ended_at"] >= run["started_at"]
