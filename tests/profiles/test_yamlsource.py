"""YAML reading: lines per key and item, and hostile input turned into problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from robot.errors import ConfigError
from robot.profiles.yamlsource import dotted, parse_yaml, read_yaml


def test_lines_of_keys_and_items() -> None:
    doc = parse_yaml("a: 1\nb:\n  - x: 1\n  - x: 2\n    y: 3\n", "f.yaml")
    assert doc.lines[("a",)] == 1
    assert doc.lines[("b", 1)] == 4
    assert doc.line_of(("b", 1, "y")) == 5
    assert doc.line_of(("b", 1, "missing")) == 4
    assert dotted(("b", 1, "y")) == "b[1].y"


def test_merge_keys_are_supported() -> None:
    doc = parse_yaml("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n", "f.yaml")
    assert doc.data["c"] == {"x": 1, "y": 3}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [1, 2\n", "f.yaml:2: YAML no válido: falta «,» o «]» en la lista"),
        (
            "a: &x [*x]\n",
            "f.yaml:1: YAML anidado demasiado profundo (más de 40 niveles de listas o mapeos); "
            "si el archivo es correcto, suba el límite con SECOP_INPUT_MAX_YAML_DEPTH",
        ),
        (
            "a: !!python/object:os.system x\n",
            "f.yaml:1: YAML no válido: etiqueta YAML no permitida (solo YAML simple)",
        ),
        (
            "x",
            "f.yaml:1: el archivo debe ser un mapeo de claves (clave: valor), no una lista o un "
            "texto",
        ),
    ],
)
def test_hostile_yaml_becomes_a_problem(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_yaml(text, "f.yaml")
    assert str(info.value) == message


def test_alias_bomb_is_stopped() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    with pytest.raises(ConfigError) as info:
        parse_yaml("\n".join(lines) + "\n", "f.yaml")
    assert "demasiado grande" in str(info.value)


def test_invalid_date_stays_text() -> None:
    assert parse_yaml("d: 2024-13-45\n", "f.yaml").data == {"d": "2024-13-45"}


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no se encuentra el archivo"):
        read_yaml(tmp_path / "nada.yaml", "nada.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("a: café\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="no está en UTF-8"):
        read_yaml(latin, "latin.yaml")
    with pytest.raises(ConfigError, match="es una carpeta"):
        read_yaml(tmp_path, "carpeta")


def test_duplicate_and_non_text_keys_do_not_stop_the_reading() -> None:
    doc = parse_yaml("a: 1\n? [x]\n: 2\nb: 3\na: 4\nc: {d: 5, d: 6}\n", "f.yaml")
    assert doc.data == {"a": 1, "b": 3, "c": {"d": 5}}  # the first value of a key wins
    assert [str(p) for p in doc.problems] == [
        "f.yaml:2: las claves deben ser texto simple",
        "f.yaml:5: a: clave repetida",
        "f.yaml:6: c.d: clave repetida",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: x\nb: y\x01z\n", "f.yaml:2: carácter no permitido (U+0001) en el archivo; quítelo"),
        ("a: é\nb: ñ\x7fz\n", "f.yaml:2: carácter no permitido (U+007F) en el archivo; quítelo"),
        (
            "a: 1\n---\nb: 2\n",
            "f.yaml:2: YAML no válido: el archivo debe tener un solo documento "
            "(quite los «---» de más)",
        ),
        (
            'a: "\\q"\n',
            "f.yaml:1: YAML no válido: secuencia de escape desconocida dentro de "
            "comillas dobles (escriba \\\\ para una barra invertida, o use comillas simples)",
        ),
        (
            "a: @x\n",
            "f.yaml:1: YAML no válido: carácter no permitido al comienzo (¿un tabulador, "
            "«@» o «`»? use espacios o ponga el texto entre comillas)",
        ),
    ],
)
def test_yaml_errors_are_told_in_spanish(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_yaml(text, "f.yaml")
    assert str(info.value) == message
