"""Random YAML and random field values never give anything but ProfileError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robot.errors import ProfileError
from robot.profiles import load_profile
from robot.profiles.yamlsource import parse_yaml

DATA = Path(__file__).resolve().parent.parent / "data" / "profiles"
BASE = yaml.safe_load((DATA / "valid" / "empresa-pruebas.yaml").read_text(encoding="utf-8"))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["${X}", "$X", "file:", "901234560-6", "2024-13-45", "CC", "rut", "--"]),
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


common = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@common
@given(path=st.sampled_from(ALL_PATHS), value=values)
def test_random_field_values(tmp_path: Path, path: tuple[Any, ...], value: Any) -> None:
    data = set_path(BASE, path, value)
    text = yaml.safe_dump(data, allow_unicode=True).replace("../docs/", f"{DATA}/docs/")
    check(tmp_path, text)


@common
@given(text=st.text(max_size=300))
def test_random_text(tmp_path: Path, text: str) -> None:
    check(tmp_path, text.replace("\x00", ""))


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
