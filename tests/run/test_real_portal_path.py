"""A scenario with ``base_url``: the robot drives that portal and reads the scenario's mailbox.

The portal here is the mock started on its own (as a real portal would be, outside the robot's
process), reached over HTTP, its mail read over IMAP with a password from the environment.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.fixtures.portal import PortalProcess
from tests.run.test_run_cli import PASSWORD, _profile

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser


def test_a_base_url_scenario_onboards_on_that_portal(
    tmp_path: Path, make_portal: Callable[..., PortalProcess]
) -> None:
    portal = make_portal()
    scenario = tmp_path / "real.yaml"
    scenario.write_text(
        yaml.safe_dump(
            {
                "name": "portal-externo",
                "portal": {"base_url": portal.url},
                "mailbox": {
                    "host": portal.info["imap_host"],
                    "port": int(portal.info["imap_port"]),
                    "tls": "none",
                    "user": portal.info["user"],
                    "password": "${SECOP_TEST_IMAP_PASSWORD}",
                    "catch_all_domain": "proveedores.test",
                },
                "profiles": [str(_profile(tmp_path))],
                "output": str(tmp_path / "out"),
            }
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "robot", "run", str(scenario), "--quiet"],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **os.environ,
            "SECOP_DEMO_PASSWORD": PASSWORD,
            "SECOP_TEST_IMAP_PASSWORD": portal.info["password"],
            "SECOP_ROBOT_REQUESTS_PER_SECOND": "0",  # politeness off for the local test portal
            "SECOP_ROBOT_SESSIONS_PER_MINUTE": "0",
        },
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [entry] = json.loads((tmp_path / "out" / "results.json").read_text("utf-8"))["suppliers"]
    assert entry["status"] == "onboarded"
    assert not (tmp_path / "out" / "portal").exists()  # no bundled portal was started
    with sqlite3.connect(portal.db_path) as db:
        assert db.execute("SELECT status FROM accounts WHERE nit = '52345678'").fetchall() == [
            ("active",)
        ]
    assert portal.info["password"] not in (tmp_path / "out" / "results.json").read_text("utf-8")
