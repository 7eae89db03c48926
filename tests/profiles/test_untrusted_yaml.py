"""Hostile YAML (issue 14, point 2): nesting, values and aliases are bounded before the parser
can exhaust the stack, and numbers that YAML 1.1 reads otherwise than written (octal,
sexagesimal, hexadecimal, binary) are refused with a message that says to quote them. Every
input is built here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from robot.errors import ConfigError
from robot.profiles import load_profile
from robot.profiles.yamlsource import Limits, parse_yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "profiles"
DEPTH_HINT = "si el archivo es correcto, suba el límite con SECOP_INPUT_MAX_YAML_DEPTH"


def profile_text() -> str:
    text = (DATA / "valid" / "empresa-pruebas.yaml").read_text(encoding="utf-8")
    return text.replace("../docs/", f"{DATA}/docs/")


def problems(text: str, limits: Limits | None = None) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_yaml(text, "f.yaml", limits)
    return [str(p) for p in info.value.problems]


def test_60_kb_of_brackets_is_a_message_not_a_dead_process(tmp_path: Path) -> None:
    # libyaml's composer recurses in C: this file killed the interpreter (SIGSEGV), no message.
    path = tmp_path / "corchetes.yaml"
    path.write_text("a: " + "[" * 30_000 + "]" * 30_000 + "\n", encoding="utf-8")
    assert path.stat().st_size > 60_000
    result = subprocess.run(
        [sys.executable, "-m", "robot", "validate", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[0] == (
        f"{path}:1: YAML anidado demasiado profundo (más de 40 niveles de listas o mapeos); "
        f"{DEPTH_HINT}"
    )


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 200_000 + "]" * 200_000,
        "a: " + "{b: " * 50_000 + "1" + "}" * 50_000,
        "".join(f"{'  ' * i}k{i}:\n" for i in range(60)) + "  " * 60 + "fin: 1\n",
        "".join(f"{'  ' * i}- \n" for i in range(60)),
    ],
    ids=["flow-lists", "flow-mappings", "block-mappings", "block-lists"],
)
def test_deep_nesting_of_every_style_is_stopped(text: str) -> None:
    [message] = problems(text)
    assert message.startswith("f.yaml:")
    assert "YAML anidado demasiado profundo (más de 40 niveles" in message


def test_the_depth_limit_is_exact_and_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    nested = "a: " + "[" * 39 + "]" * 39  # the mapping and 39 lists: 40 levels
    value = parse_yaml(nested, "f.yaml").data["a"]
    for _ in range(38):
        [value] = value
    assert value == []
    deeper = "a: " + "[" * 40 + "]" * 40
    assert "más de 40 niveles" in problems(deeper)[0]
    monkeypatch.setenv("SECOP_INPUT_MAX_YAML_DEPTH", "41")
    parse_yaml(deeper, "f.yaml")
    monkeypatch.setenv("SECOP_INPUT_MAX_YAML_DEPTH", "100000")
    assert problems(deeper) == [
        "SECOP_INPUT_MAX_YAML_DEPTH: 100000 está fuera del rango; use un número entero de 5 a 100"
    ]


def test_aliases_are_bounded() -> None:
    lines = ["base: &b x"] + [f"k{i}: *b" for i in range(1_001)]
    [message] = problems("\n".join(lines) + "\n")
    assert message == (
        "f.yaml:1002: YAML demasiado grande: más de 1000 alias (*nombre) (¿alias que se "
        "repiten sin fin?); si el archivo es correcto, suba el límite con "
        "SECOP_INPUT_MAX_YAML_ALIASES"
    )
    assert len(parse_yaml("\n".join(lines[:1001]) + "\n", "f.yaml").data) == 1001


def test_values_are_bounded_also_through_aliases() -> None:
    # A billion laughs: ten aliases of ten aliases... Few aliases, a huge expansion.
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    [message] = problems("\n".join(lines) + "\n")
    assert "YAML demasiado grande: más de 50000 valores" in message
    small = Limits(depth=40, nodes=100, aliases=1000)
    [message] = problems("a: [" + ", ".join(["x"] * 200) + "]\n", small)
    assert "más de 100 valores" in message


def test_a_self_nesting_alias_is_stopped_by_the_depth() -> None:
    [message] = problems("a: &x [*x]\n")
    assert message.startswith("f.yaml:1: YAML anidado demasiado profundo")


@pytest.mark.parametrize(
    ("written", "kind", "read_as"),
    [
        ("0654321", "octal", 219345),
        ("+0123", "octal", 83),
        ("59:59:59", "sexagesimal", 215999),
        ("1:30.5", "sexagesimal", 90.5),
        ("0x1F", "hexadecimal", 31),
        ("0b1010", "binario", 10),
    ],
)
def test_numbers_read_otherwise_than_written_are_refused(
    written: str, kind: str, read_as: object
) -> None:
    doc = parse_yaml(f"a: 1\nid_number: {written}\n", "f.yaml")
    assert doc.data["id_number"] == written  # kept as written: the rest is still checked
    assert [str(p) for p in doc.problems] == [
        f"f.yaml:2: id_number: YAML lee {written} como un número {kind} ({read_as}), no como "
        f"está escrito; si es un número de identificación, un teléfono o un valor, escríbalo "
        f'entre comillas: "{written}"'
    ]


@pytest.mark.parametrize(
    "text", ['a: "0654321"', "a: '59:59'", "a: 1_000_000", "a: 0", "a: -12", "a: 3.5", "a: 1e3"]
)
def test_quoted_and_decimal_numbers_are_fine(text: str) -> None:
    assert parse_yaml(text, "f.yaml").problems == []


def test_a_profile_with_octal_and_sexagesimal_values(tmp_path: Path) -> None:
    text = profile_text()
    text = text.replace('id_number: "79123456"', "id_number: 0654321")
    text = text.replace("phone: 310 555 0101", "phone: 310:55:01")
    text = text.replace(
        "  legal_representative:",
        "  financial:\n    fiscal_year: 2025\n    total_assets: 0700\n    current_assets: 1\n"
        "    total_liabilities: 1\n    current_liabilities: 1\n    equity: 1\n"
        "    operating_income: 1\n  legal_representative:",
    )
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_profile(tmp_path / "p.yaml")
    found = [(p.line, p.field, p.message.split(";")[0]) for p in info.value.problems]
    octal = "YAML lee 0700 como un número octal (448), no como está escrito"
    id_number = "YAML lee 0654321 como un número octal (219345), no como está escrito"
    phone = "YAML lee 310:55:01 como un número sexagesimal (1119301), no como está escrito"
    assert found == [
        (22, "supplier.financial.total_assets", octal),
        (39, "administrator.id_number", id_number),
        (41, "administrator.phone", phone),
        (41, "administrator.phone", "número de teléfono no válido"),  # as written, it is not
    ]
    assert all('escríbalo entre comillas: "' in p.message for p in info.value.problems[:3])


def test_the_pure_python_parser_is_bounded_too(monkeypatch: pytest.MonkeyPatch) -> None:
    # Where libyaml is missing the same composer runs over PyYAML's own parser.
    import yaml

    from robot.profiles import yamlsource

    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    loader = yamlsource._loader_class()
    assert loader.__name__ == "PyLoader"
    monkeypatch.setattr(yamlsource, "_LOADER", loader)
    assert parse_yaml("a: [1, {b: 2}]\n", "f.yaml").data == {"a": [1, {"b": 2}]}
    [message] = problems("a: " + "[" * 5_000 + "]" * 5_000)
    assert "YAML anidado demasiado profundo" in message
    doc = parse_yaml("a: 0654321\n", "f.yaml")
    assert doc.data == {"a": "0654321"} and len(doc.problems) == 1
