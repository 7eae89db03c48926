"""Defaults live in one place, follow one precedence, and are all documented."""

from __future__ import annotations

from pathlib import Path

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
