"""The JSON Schema agrees with the validator: what the loader accepts, an editor accepts."""

from __future__ import annotations

import re
from typing import Any

import pytest

from robot.profiles import fields
from robot.profiles.models import Profile
from robot.profiles.schema import json_schema
from robot.scenarios import Scenario

PROFILE = json_schema(Profile, "p")
SCENARIO = json_schema(Scenario, "s")


def node(schema: dict[str, Any], *path: str) -> dict[str, Any]:
    """The schema of a dotted field (following $ref, Optional and list items)."""
    current = schema
    for part in path:
        current = _deref(schema, current)
        current = current["items"] if part == "[]" else current["properties"][part]
    return _deref(schema, current)


def _deref(root: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in current:
        return root["$defs"][current["$ref"].split("/")[-1]]  # type: ignore[no-any-return]
    options = [o for o in current.get("anyOf", []) if o.get("type") != "null"]
    return _deref(root, options[0]) if len(options) == 1 else current


@pytest.mark.parametrize(
    "path",
    [
        ("administrator", "id_number"),
        ("administrator", "phone"),
        ("administrator", "username"),
        ("supplier", "unspsc_main"),
        ("supplier", "unspsc_others", "[]"),
        ("supplier", "legal_representative", "id_number"),
        ("supplier", "legal_name"),
        ("documents", "[]", "path"),
    ],
)
def test_numbers_written_as_text_are_allowed(path: tuple[str, ...]) -> None:
    assert "integer" in node(PROFILE, *path)["type"]


def test_scenario_texts_allow_numbers() -> None:
    for path in (("name",), ("output",), ("profiles", "[]")):
        assert "integer" in node(SCENARIO, *path)["type"]


def test_consents_must_be_true() -> None:
    for name in ("accept_terms", "data_policy_consent"):
        assert node(PROFILE, "administrator", name) == {
            "const": True,
            "description": node(PROFILE, "administrator", name)["description"],
            "title": name.replace("_", " ").title(),
            "type": "boolean",
        }
    assert {"accept_terms", "data_policy_consent"} <= set(PROFILE["$defs"]["User"]["required"])


def accepted(check: Any, value: str) -> bool:
    try:
        check(value)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("path", "check", "values"),
    [
        (
            ("supplier", "nit"),
            fields.check_nit,
            ["900123456-8", "900.123.456-8", "900 123 456 - 8", "900123456", "9001-2345", "x-1"],
        ),
        (
            ("supplier", "unspsc_main"),
            fields.check_unspsc,
            ["43211500", "4321150", "432115000", "abcdefgh", "99999999"],
        ),
        (
            ("administrator", "username"),
            fields.check_username,
            ["pruebas.admin", "a_b-c.d", "corto", "con espacio", "x" * 31, "123456"],
        ),
        (
            ("administrator", "password"),
            fields.check_secret,
            ["${SECOP_X}", "file:clave.txt", "file:", "$X", "${1X}", "Clave-Literal-1", "f"],
        ),
    ],
)
def test_patterns_are_never_stricter_than_the_validators(
    path: tuple[str, ...], check: Any, values: list[str]
) -> None:
    pattern = re.compile(node(PROFILE, *path)["pattern"])
    for value in values:
        if accepted(check, value):
            assert pattern.search(value), (path, value)
    # …and they do catch what they are for.
    assert not all(pattern.search(v) for v in values)
