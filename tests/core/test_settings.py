"""Defaults live in one place, follow one precedence, and are all documented."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from robot.errors import ConfigError
from robot.settings import SETTINGS, Setting, resolve

DOCS = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def test_precedence_flag_env_scenario_default() -> None:
    name = "portal.session_ttl_seconds"
    env = {"SECOP_PORTAL_SESSION_TTL_SECONDS": "60"}
    scenario = {name: 30}
    assert resolve(name, environ={}) == 1800
    assert resolve(name, environ={}, scenario=scenario) == 30
    assert resolve(name, environ=env, scenario=scenario) == 60
    assert resolve(name, flag=5, environ=env, scenario=scenario) == 5


def test_environment_values_take_the_default_type() -> None:
    assert resolve("portal.state_endpoint", environ={"SECOP_PORTAL_STATE_ENDPOINT": "sí"}) is True
    assert resolve("portal.state_endpoint", environ={"SECOP_PORTAL_STATE_ENDPOINT": "0"}) is False
    assert resolve("portal.max_upload_mb", environ={"SECOP_PORTAL_MAX_UPLOAD_MB": "2.5"}) == 2.5


def test_env_names_are_derived_from_setting_names() -> None:
    assert Setting("mail.backend", "auto", "").env == "SECOP_MAIL_BACKEND"


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS.values() if f"`{s.name}`" not in text or s.env not in text]
    assert missing == [], f"document these in docs/settings.md: {missing}"


def test_every_number_has_a_range_and_it_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for setting in SETTINGS.values():
        if not setting.is_number:
            continue
        assert setting.low is not None and setting.high is not None, setting.name
        assert setting.low <= setting.default <= setting.high, setting.name
        row = next(line for line in text.splitlines() if line.startswith(f"| `{setting.name}`"))
        assert " to " in row, f"docs/settings.md: state the range of {setting.name}"


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("portal.port", "70000", "70000 está fuera del rango; use un número entero de 0 a 65535"),
        ("portal.port", "-1", "-1 está fuera del rango; use un número entero de 0 a 65535"),
        ("portal.port", "80.5", "«80.5» no es un número entero; use un número entero de 0 a 65535"),
        (
            "portal.max_upload_mb",
            "inf",
            "«inf» no es un número finito; use un número de 0.01 a 1024",
        ),
        (
            "portal.max_upload_mb",
            "nan",
            "«nan» no es un número finito; use un número de 0.01 a 1024",
        ),
        ("portal.max_upload_mb", "-3", "-3.0 está fuera del rango; use un número de 0.01 a 1024"),
        (
            "input.max_yaml_bytes",
            "mucho",
            "«mucho» no es un número entero; use un número entero de 1000 a 100000000",
        ),
        ("robot.retries", "", "«» no es un número entero; use un número entero de 0 a 100"),
        ("portal.state_endpoint", "quizás", "use sí o no (true/false, 1/0)"),
        (
            "mail.backend",
            "exim",
            "«exim» no es un valor permitido; use uno de: auto, pymap, dovecot",
        ),
    ],
)
def test_a_bad_environment_value_is_a_spanish_problem(name: str, raw: str, message: str) -> None:
    env = SETTINGS[name].env
    with pytest.raises(ConfigError) as info:
        resolve(name, environ={env: raw})
    assert [str(p) for p in info.value.problems] == [f"{env}: {message}"]
    assert info.value.exit_code == 1
    assert f"corrija {env}" in info.value.hint


def test_scenario_and_flag_values_are_checked_too() -> None:
    with pytest.raises(ConfigError, match=r"portal\.session_ttl_seconds: 0 está fuera del rango"):
        resolve(
            "portal.session_ttl_seconds", environ={}, scenario={"portal.session_ttl_seconds": 0}
        )
    with pytest.raises(ConfigError, match="--port: 99999 está fuera del rango"):
        resolve("portal.port", flag=99999, environ={})
    assert resolve("portal.max_upload_mb", flag=2, environ={}) == 2.0


def test_an_out_of_range_variable_stops_a_command_with_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    env = {**os.environ, "SECOP_INPUT_MAX_YAML_BYTES": "-5"}
    result = subprocess.run(
        [sys.executable, "-m", "robot", "validate", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "SECOP_INPUT_MAX_YAML_BYTES: -5 está fuera del rango" in result.stderr
    assert "Traceback" not in result.stderr
