"""The progress display: plain timestamped lines off a terminal, nothing with --quiet, and on
a terminal the live view (steps in flight, counts, ETA) read from the ledger; secrets and
control characters never reach the screen."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from robot import secrets
from robot.ledger import LEDGER_NAME, Ledger
from robot.reporting.progress import Progress, clock, eta_seconds

SECRET = "Progreso-Secreto-55!"


@pytest.fixture(autouse=True)
def registered() -> Iterator[None]:
    secrets.register_secret(SECRET)
    yield
    secrets.clear_secrets()


def test_plain_lines_have_a_time_and_no_secret() -> None:
    stream = io.StringIO()
    progress = Progress({"1": "ACME"}, stream=stream, live=False)
    progress.log("1", f"account.form ✓ clave {SECRET} \u202e")
    line = stream.getvalue()
    assert re.fullmatch(r"\[\d\d:\d\d:\d\d\] ACME: account\.form ✓ clave \*{8} \\u202e\n", line)


def test_quiet_prints_nothing() -> None:
    stream = io.StringIO()
    progress = Progress({"1": "ACME"}, stream=stream, quiet=True, live=True)
    progress.log("1", "admin.register ✓")
    progress.attach(Path("/nonexistent/ledger.sqlite3"), ["1"])  # never opened when quiet
    progress.close()
    assert stream.getvalue() == ""


def test_eta_from_the_pace_so_far() -> None:
    assert eta_seconds(0, 10, 30.0) is None
    assert eta_seconds(2, 10, 30.0) == pytest.approx(120.0)
    assert eta_seconds(10, 10, 30.0) == 0.0
    assert clock(None) == "—" and clock(125) == "2:05" and clock(3725) == "1:02:05"


def test_live_view_shows_suppliers_in_flight_counts_and_eta(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / LEDGER_NAME)
    ledger.begin_run("secop-robot run x")
    for key, name in (("1", "ACME S.A.S."), ("2", f"Clave {SECRET}"), ("3", "Caribe")):
        ledger.add_supplier(key, profile=f"{key}.yaml", legal_name=name, nit=key, h="h")
    progress = Progress({}, stream=io.StringIO(), live=True)
    progress.attach(tmp_path / LEDGER_NAME, ["1", "2", "3"])
    try:
        ledger.set_status("1", "onboarded")
        ledger.set_status("2", "running")
        ledger.start_step("2", "account.form", 4, "h")
        console = Console(file=io.StringIO(), width=100, color_system=None)
        time.sleep(0.05)
        console.print(progress.render())
        shown = console.file.getvalue()  # type: ignore[attr-defined]
    finally:
        progress.close()
        ledger.close()
    assert "Clave ********" in shown and SECRET not in shown
    assert "account.form" in shown
    assert "1/3" in shown and "registrado: 1" in shown and "en curso: 1" in shown
    assert "ETA" in shown
