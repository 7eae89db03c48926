"""The CLI is thin and consistent: every command has help and is documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from robot import __version__
from robot.cli import main

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = sorted(main.commands)


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert len(main.commands[command].help or "") > 20


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`secop-robot ([a-z-]+)", readme))
    assert set(COMMANDS) <= documented, set(COMMANDS) - documented


def test_readme_shows_the_test_command_that_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "./run test" in readme
    assert re.search(r"^\./run test$", ci, re.MULTILINE)


def test_unknown_command_is_a_usage_error_not_a_traceback() -> None:
    result = CliRunner().invoke(main, ["registrar-todo"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
