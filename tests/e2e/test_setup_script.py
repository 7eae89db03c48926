"""``./run`` and ``.ci/run``: help, the venv fallback on a minimal Debian, the dependency lock.

The set-up is run for real, with fake ``python3``, ``apt-get`` and ``id`` first on PATH, so the
branches for root-with-apt and for a normal user are exercised without touching the machine.
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FAKE_PYTHON = """#!/bin/bash
# python3 without its venv module until apt-get "installs" python3-venv.
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin"
  printf '#!/bin/sh\\necho "$*" >> "%s/venv-python.log"\\n' "$FAKE_STATE" > "$3/bin/python"
  chmod +x "$3/bin/python"
  if [ -f "$FAKE_STATE/venv-installed" ]; then exit 0; fi
  echo "The virtual environment was not created: ensurepip is not available." >&2
  exit 1
fi
exit 1
"""
FAKE_APT = """#!/bin/bash
echo "$*" >> "$FAKE_STATE/apt.log"
case " $* " in *" python3-venv "*) touch "$FAKE_STATE/venv-installed" ;; esac
"""
FAKE_ID = """#!/bin/bash
if [ "$1" = "-u" ]; then echo "$FAKE_UID"; else exec /usr/bin/id "$@"; fi
"""


def _run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(ROOT / "run"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_help_lists_the_commands_and_nothing_else() -> None:
    result = _run(["help"])
    assert result.returncode == 0, result.stderr
    for command in ("demo", "test", "setup", "lock"):
        assert re.search(rf"^\s+\./run {command}\b", result.stdout, re.MULTILINE), command
    assert "set -euo" not in result.stdout


@pytest.fixture
def fake_machine(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment whose python3 has no venv module, with fake apt-get and id."""
    bin_dir, state = tmp_path / "bin", tmp_path / "state"
    bin_dir.mkdir()
    state.mkdir()
    for name, text in (("python3", FAKE_PYTHON), ("apt-get", FAKE_APT), ("id", FAKE_ID)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "FAKE_STATE": str(state),
        "PYTHON": str(bin_dir / "python3"),
        "SECOP_ROBOT_VENV": str(tmp_path / "venv"),
        "CHROMIUM_PATH": "/bin/true",
    }
    return env, state


def test_root_with_apt_installs_python3_venv_and_retries(
    fake_machine: tuple[dict[str, str], Path],
) -> None:
    env, state = fake_machine
    result = _run(["setup"], {**env, "FAKE_UID": "0"})
    assert result.returncode == 0, result.stderr
    assert "installing python3-venv" in result.stderr
    apt = (state / "apt.log").read_text()
    assert re.search(r"^install .*python3-venv python3-pip", apt, re.MULTILINE), apt
    # The dependencies went into the new environment, under the lock.
    pip = (state / "venv-python.log").read_text()
    assert "-c constraints.txt -e .[dev]" in pip
    assert (Path(env["SECOP_ROBOT_VENV"]) / ".installed").is_file()


def test_without_root_it_says_what_to_install(fake_machine: tuple[dict[str, str], Path]) -> None:
    env, state = fake_machine
    result = _run(["setup"], {**env, "FAKE_UID": "1000"})
    assert result.returncode == 2
    assert "apt-get install python3-venv" in result.stderr
    assert not (state / "apt.log").exists()
    # The half-made environment is removed, so the next run does not take it as ready.
    assert not Path(env["SECOP_ROBOT_VENV"]).exists()


def _pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        name, sep, version = line.split(";")[0].split("#")[0].strip().partition("==")
        if sep:
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version.strip()
    return pins


def test_constraints_lock_every_installed_dependency_at_the_pinned_versions() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    direct = _pins(project["dependencies"] + project["optional-dependencies"]["dev"])
    locked = _pins((ROOT / "constraints.txt").read_text().splitlines())
    assert "werkzeug" in direct, "werkzeug is imported by the mock portal: pin it"
    assert "secop-robot" not in locked
    for name, version in direct.items():
        assert locked.get(name) == version, f"{name}: pyproject {version}, lock {locked.get(name)}"
    requires = metadata.requires("secop-robot") or []
    for requirement in requires:
        if "extra ==" in requirement and '"dev"' not in requirement:
            continue
        name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]
        assert re.sub(r"[-_.]+", "-", name).lower() in locked, name
    # The environment the tests run in is the locked one.
    for name, version in locked.items():
        assert metadata.version(name) == version, name


def test_ci_sets_ci_before_running_exactly_the_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert re.search(r'^export CI="\$\{CI:-1\}"$', script, re.MULTILINE)
    assert script.index("export CI=") < script.index("\n./run test\n")
