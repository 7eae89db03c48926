"""bench/robot.py runs: one supplier through the robot and through the hand-written baseline,
each against a fresh bundled mock (real Chromium, SMTP and IMAP), both verified on the portal's
database by the bench itself; --quick writes nothing to docs/benchmarks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser


def test_the_robot_bench_measures_both_sides_and_writes_nothing_when_quick() -> None:
    page = ROOT / "docs" / "benchmarks" / "robot.md"
    before = page.stat().st_mtime_ns if page.exists() else None
    done = subprocess.run(
        [sys.executable, "bench/robot.py", "--suppliers", "1", "--concurrency", "1", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=280,
        env={k: v for k, v in os.environ.items() if not k.startswith("SECOP_")},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "concurrency 1, robot:" in done.stdout
    assert "concurrency 1, baseline:" in done.stdout
    row = next(line for line in done.stdout.splitlines() if line.startswith("| 1 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    robot_per_min, baseline_per_min = float(cells[2]), float(cells[4])
    ratio = re.fullmatch(r"\*\*([\d.]+)\*\* \(one run\)", cells[5])
    assert robot_per_min > 0 and baseline_per_min > 0
    assert ratio is not None and float(ratio.group(1)) > 0, row
    assert "`account.directory`" in done.stdout  # the split from the ledger
    assert (page.stat().st_mtime_ns if page.exists() else None) == before
