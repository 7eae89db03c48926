"""Random YAML, field values, scenarios and command lines: problems in Spanish, never a
traceback, never a raw control character."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robot.cli import main
from robot.errors import CONTROL_CHARACTERS, ProfileError
from robot.profiles import load_profile
from robot.profiles.yamlsource import parse_yaml
from robot.scenarios import check_scenario

DATA = Path(__file__).resolve().parent.parent / "data" / "profiles"
BASE = yaml.safe_load((DATA / "valid" / "empresa-pruebas.yaml").read_text(encoding="utf-8"))

# Control characters, bidirectional overrides, separators and lone surrogates: what a YAML
# double-quoted escape can smuggle into a value (a NUL in a path once gave a traceback).
controls = st.sampled_from(
    ["\x00", "\x01", "\x1b", "\t", "\n", "\r", "\x7f", "\x85", "\u2028", "\u202e", "\ud800"]
)
plausible = st.sampled_from(
    [
        "${X}",
        "$X",
        "file:",
        "file:clave.txt",
        "901234560-6",
        "2024-13-45",
        "CC",
        "rut",
        "--",
        "../docs/rut.pdf",
        "docs/x.pdf",
        "tramites+a@pruebas.test",
        "Bogotá",
        "81111500",
        "9" * 400,
    ]
)
# A plausible value with control characters inserted: the shape that found the NUL bug.
tainted = st.builds(
    lambda head, bad, tail: head + "".join(bad) + tail,
    plausible,
    st.lists(controls, min_size=1, max_size=3),
    st.one_of(st.just(""), plausible, st.text(max_size=5)),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.integers().map(lambda n: n * 10**400),  # huge numbers
    st.floats(allow_nan=True),
    st.text(max_size=30),
    plausible,
    tainted,
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += paths(value, (*prefix, index))
    return out


ALL_PATHS = paths(BASE)


def get_path(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def set_path(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = set_path(copy[path[0]], path[1:], value)
    return copy


def check(tmp_path: Path, text: str) -> None:
    target = tmp_path / "perfil.yaml"
    target.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_profile(target)
    except ProfileError as err:
        assert err.problems
        for problem in err.problems:
            assert problem.file == str(target)
            assert problem.message
            assert printable(str(problem))


def printable(text: str) -> bool:
    """One line, no control character, encodable: what reaches a terminal."""
    return not CONTROL_CHARACTERS.search(text) and bool(text.encode("utf-8"))


common = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@common
@given(path=st.sampled_from(ALL_PATHS), value=values)
def test_random_field_values(tmp_path: Path, path: tuple[Any, ...], value: Any) -> None:
    data = set_path(BASE, path, value)
    text = yaml.safe_dump(data, allow_unicode=True).replace("../docs/", f"{DATA}/docs/")
    check(tmp_path, text)


TEXT_PATHS = [p for p in ALL_PATHS if isinstance(get_path(BASE, p), str)]


@common
@given(path=st.sampled_from(TEXT_PATHS), value=tainted)
def test_control_characters_in_any_text_field(
    tmp_path: Path, path: tuple[Any, ...], value: str
) -> None:
    """Every text field refuses control characters, with a message, never a traceback."""
    data = set_path(BASE, path, value)
    text = yaml.safe_dump(data, allow_unicode=True).replace("../docs/", f"{DATA}/docs/")
    target = tmp_path / "perfil.yaml"
    target.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_profile(target)
    except ProfileError as err:
        assert all(printable(str(p)) for p in err.problems)
    else:
        # Only the whitespace a field strips at its ends may pass. (YAML itself turns some
        # characters into others, e.g. a NEL into a line break, so look at what it read.)
        read = get_path(yaml.safe_load(text), path)
        assert not CONTROL_CHARACTERS.search(read.strip(" \t\n\r\v\f")), repr(read)


SCENARIO = {
    "name": "lote",
    "portal": {"mock": {"mail_backend": "auto", "faults": {"seed": 1}, "settings": {}}},
    "mailbox": {"host": "h", "port": 993, "user": "u", "password": "${X}"},
    "profiles": ["perfil.yaml"],
    "concurrency": 2,
    "steps": ["user", "account"],
    "output": "salida",
    "allow_literal_secrets": False,
}
SCENARIO_PATHS = paths(SCENARIO)


@common
@given(path=st.sampled_from(SCENARIO_PATHS), value=values)
def test_random_scenario_values(tmp_path: Path, path: tuple[Any, ...], value: Any) -> None:
    profile = yaml.safe_dump(BASE, allow_unicode=True).replace("../docs/", f"{DATA}/docs/")
    (tmp_path / "perfil.yaml").write_text(profile, encoding="utf-8")
    target = tmp_path / "lote.yaml"
    text = yaml.safe_dump(set_path(SCENARIO, path, value), allow_unicode=True)
    target.write_text(text, encoding="utf-8", errors="surrogatepass")
    result = check_scenario(target)  # never raises
    for problem in [*result.problems, *(p for c in result.profiles for p in c.problems)]:
        assert problem.message and printable(str(problem))


@common
@given(
    path=st.sampled_from([*ALL_PATHS, *(("<scenario>", *p) for p in SCENARIO_PATHS)]),
    value=values,
)
def test_random_input_through_the_command_line(
    tmp_path_factory: pytest.TempPathFactory, path: tuple[Any, ...], value: Any
) -> None:
    """``secop-robot validate`` exits 0 or 1 with lines a person can read, never a traceback."""
    folder = tmp_path_factory.mktemp("cli")
    profile, scenario = BASE, SCENARIO
    if path[0] == "<scenario>":
        scenario = set_path(SCENARIO, path[1:], value)
    else:
        profile = set_path(BASE, path, value)
    for name, data in (("perfil.yaml", profile), ("lote.yaml", scenario)):
        text = yaml.safe_dump(data, allow_unicode=True).replace("../docs/", f"{DATA}/docs/")
        (folder / name).write_text(text, encoding="utf-8", errors="surrogatepass")
    result = CliRunner().invoke(main, ["validate", str(folder / "lote.yaml")])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert all(printable(line) for line in result.output.splitlines())
    if result.exit_code == 1:
        assert result.stderr.splitlines()[-1].startswith("→ ")


@common
@given(text=st.text(max_size=300))
def test_random_text(tmp_path: Path, text: str) -> None:
    check(tmp_path, text)


@common
@given(data=st.dictionaries(st.sampled_from([*BASE, "x"]), values, max_size=6))
def test_random_top_level_mappings(tmp_path: Path, data: dict[str, Any]) -> None:
    check(tmp_path, yaml.safe_dump(data, allow_unicode=True))


yaml_tokens = st.sampled_from(
    [
        "a",
        ":",
        " ",
        "\n",
        "- ",
        "[",
        "]",
        "{",
        "}",
        "&x",
        "*x",
        "!!str",
        "<<",
        "'",
        '"',
        "#",
        "|",
        ">",
        "  ",
        "?",
        ",",
        "supplier",
        "documents",
        "1",
        "\t",
        "%YAML 1.1\n",
        "---\n",
    ]
)


@common
@given(parts=st.lists(yaml_tokens, max_size=40))
def test_random_yaml_tokens(parts: list[str]) -> None:
    try:
        parse_yaml("".join(parts), "f.yaml")
    except ProfileError:
        raise AssertionError("parse_yaml raises ConfigError, not ProfileError") from None
    except Exception as err:
        from robot.errors import ConfigError

        assert isinstance(err, ConfigError), repr(err)
