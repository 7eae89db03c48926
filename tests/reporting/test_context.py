"""Every field of every template context has its one-line help; both languages say the same
things; a template asking for something its context lacks fails instead of printing nothing."""

from __future__ import annotations

import dataclasses
import typing

import jinja2
import pytest

from robot.reporting import context
from robot.reporting.context import CONTEXTS, Image, IndexContext
from robot.reporting.i18n import TEXTS
from robot.reporting.render import environment, render


def _dataclasses(root: type) -> set[type]:
    found = {root}
    hints = typing.get_type_hints(root, vars(context))
    for hint in hints.values():
        for arg in (hint, *typing.get_args(hint)):
            if dataclasses.is_dataclass(arg) and isinstance(arg, type) and arg not in found:
                found |= _dataclasses(arg)
    return found


def test_every_context_field_has_a_one_line_help() -> None:
    classes = set().union(*(_dataclasses(c) for c in CONTEXTS))
    assert len(classes) >= 10  # the walk reached the nested rows
    for cls in classes:
        for field in dataclasses.fields(cls):
            text = field.metadata.get("help", "")
            assert text.strip(), f"{cls.__name__}.{field.name} has no help"
            assert "\n" not in text, f"{cls.__name__}.{field.name}: help on one line"


def test_both_languages_have_the_same_words() -> None:
    assert set(TEXTS["es"]) == set(TEXTS["en"])
    assert all(v.strip() for lang in TEXTS.values() for v in lang.values())


def test_a_missing_word_or_field_is_an_error_not_an_empty_string() -> None:
    env = environment()
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ t.no_such_word }}").render(t={})
    broken = IndexContext(
        lang="es", t={}, title="x", generated="", runs=[], counts=[], total=0,
        suppliers=[], statuses=[],
    )  # fmt: skip
    with pytest.raises(jinja2.UndefinedError):
        render(env, "index.html", broken)


def test_autoescape_is_on_for_every_template() -> None:
    env = environment()
    page = env.from_string("{{ value }}").render(value="<b>")
    assert page == "&lt;b&gt;"
    assert Image(href="a", alt="b", caption="c").alt == "b"
