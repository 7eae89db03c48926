"""No English from pydantic (or PyYAML) ever reaches a person; no raw control character either."""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_core import ErrorDetails
from pydantic_core.core_schema import ErrorType

from robot.errors import ConfigError, Problem
from robot.profiles import Profile, load_profile
from robot.profiles.messages import message
from robot.scenarios import load_scenario

DATA = Path(__file__).resolve().parent.parent / "data" / "profiles"
BASE = yaml.safe_load((DATA / "valid" / "empresa-pruebas.yaml").read_text(encoding="utf-8"))
SCENARIO = {
    "name": "lote",
    "portal": {"mock": {"faults": {"seed": 1}, "settings": {"max_upload_mb": 5}}},
    "profiles": ["p.yaml"],
    "concurrency": 2,
    "steps": ["user"],
    "output": "salida",
}
ENGLISH = re.compile(
    r"Input should|Unable to|Field required|Value error|Extra inputs|should be|must be|"
    r"is not|not allowed|expected|found|invalid|Invalid|valid (number|integer|string)"
)
# Values that reach every pydantic error a YAML file can cause.
NASTY: list[Any] = [
    float("nan"),
    float("inf"),
    "9" * 5000,
    10**30,
    1.5,
    "1e999",
    True,
    None,
    [],
    [1, [2]],
    {},
    {"x": 1},
    "",
    "x" * 400,
    "a\0b",
    "\ud800",
    "\x1b[2J",
    "2024-13-45",
]


@pytest.mark.parametrize("kind", typing.get_args(ErrorType))
def test_every_pydantic_error_type_is_told_in_spanish(kind: str) -> None:
    error = typing.cast(
        ErrorDetails,
        {"type": kind, "loc": ("supplier", "x"), "msg": "ENGLISH TEXT", "input": 1, "ctx": {}},
    )
    text = message(error, Profile)
    assert "ENGLISH" not in text
    assert text


def leaves(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += leaves(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += leaves(value, (*prefix, index))
    return out


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = replaced(copy[path[0]], path[1:], value)
    return copy


def problems_of(load: Any, path: Path) -> list[Problem]:
    try:
        load(path)
    except ConfigError as err:
        return err.problems
    return []


def check_spanish(problems: list[Problem]) -> None:
    for problem in problems:
        text = str(problem)
        assert not ENGLISH.search(problem.message), text
        assert not re.search(r"[\x00-\x1f\x7f\ud800-\udfff]", text), repr(text)
        text.encode("utf-8")  # printable


def test_nasty_values_in_every_profile_field(tmp_path: Path) -> None:
    target = tmp_path / "p.yaml"
    for path in leaves(BASE):
        for value in NASTY:
            data = replaced(BASE, path, value)
            text = yaml.safe_dump(data, allow_unicode=True).replace("../docs/", f"{DATA}/docs/")
            target.write_text(text, encoding="utf-8", errors="surrogatepass")
            check_spanish(problems_of(load_profile, target))


def test_nasty_values_in_every_scenario_field(tmp_path: Path) -> None:
    target = tmp_path / "lote.yaml"
    (tmp_path / "p.yaml").write_text("supplier: {}\n", encoding="utf-8")
    for path in leaves(SCENARIO):
        for value in NASTY:
            text = yaml.safe_dump(replaced(SCENARIO, path, value), allow_unicode=True)
            target.write_text(text, encoding="utf-8", errors="surrogatepass")
            check_spanish(problems_of(load_scenario, target))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mailbox: {port: .nan}", "mailbox.port: debe ser un número finito (no .nan ni .inf)"),
        ("mailbox: {port: -.inf}", "mailbox.port: debe ser un número finito (no .nan ni .inf)"),
        ("mailbox: {port: " + "9" * 5000 + "}", "mailbox.port: número demasiado grande"),
        ("mailbox: {port: 1.5}", "mailbox.port: debe ser un número entero"),
        ("if_exists: [1]", "if_exists: valor no permitido «[1]»; use uno de: request_access, stop"),
    ],
)
def test_number_errors_in_spanish(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "p.yaml").write_text(text + "\n", encoding="utf-8")
    shown = [f"{p.field}: {p.message}" for p in problems_of(load_profile, tmp_path / "p.yaml")]
    assert expected in shown
