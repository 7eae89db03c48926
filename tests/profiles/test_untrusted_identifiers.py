"""Identifiers are ASCII (issue 14, point 3): NIT, check digit, identity numbers and phones take
only the digits 0-9 (a look-alike digit is a problem, never silently converted); texts such as
names refuse invisible and direction-changing characters; the batch's duplicate checks compare
normalised values. Every input is built here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from robot.cli import main
from robot.errors import ConfigError
from robot.profiles import load_profile, load_profiles
from robot.profiles.batch import normal
from robot.profiles.fields import check_id_number, check_nit, check_phone, invisible_problem

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "profiles"

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
LOOKS_LIKE_A_DIGIT = "contiene un carácter que parece un dígito pero no lo es"


def profile_text() -> str:
    text = (DATA / "valid" / "empresa-pruebas.yaml").read_text(encoding="utf-8")
    return text.replace("../docs/", f"{DATA}/docs/")


def problems_of(
    tmp_path: Path, text: str, name: str = "p.yaml"
) -> list[tuple[int | None, str, str]]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_profile(tmp_path / name)
    return [(p.line, p.field, p.message) for p in info.value.problems]


@pytest.mark.parametrize("digits", [FULLWIDTH, ARABIC_INDIC, DEVANAGARI], ids=["fw", "ar", "dev"])
@pytest.mark.parametrize(
    ("line", "field", "written"),
    [
        (9, "supplier.nit", "901234560-6"),
        (24, "supplier.legal_representative.id_number", '"1020304050"'),
        (25, "supplier.legal_representative.phone", "300 123 4567"),
        (31, "administrator.id_number", '"79123456"'),
        (33, "administrator.phone", "310 555 0101"),
    ],
)
def test_look_alike_digits_are_a_problem(
    tmp_path: Path, digits: dict[int, int], line: int, field: str, written: str
) -> None:
    key = field.rsplit(".", 1)[1]
    text = profile_text()
    old = f"{key}: {written}"
    assert old in text
    lines = text.splitlines(keepends=True)
    lines[line - 1] = lines[line - 1].replace(written, written.translate(digits))
    found = problems_of(tmp_path, "".join(lines))
    assert [(n, f) for n, f, _ in found] == [(line, field)]
    assert found[0][2].startswith(LOOKS_LIKE_A_DIGIT)
    assert "0-9" in found[0][2]


def test_a_look_alike_check_digit_alone_is_a_problem(tmp_path: Path) -> None:
    text = profile_text().replace("nit: 901234560-6", "nit: 901234560-６")
    [(line, field, message)] = problems_of(tmp_path, text)
    assert (line, field) == (9, "supplier.nit")
    assert message == (
        "contiene un carácter que parece un dígito pero no lo es (U+FF16); escriba el NIT con "
        "los dígitos 0-9 del teclado"
    )


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("901\u00a0234560-6", "contiene un espacio especial (U+00A0); use un espacio normal"),
        ("901234560\u20116", "contiene un carácter no permitido (U+2011); escriba el NIT"),
        ("9012\u200b34560-6", "contiene un carácter no permitido (U+200B); escriba el NIT"),
    ],
)
def test_other_non_ascii_characters_in_a_nit(tmp_path: Path, written: str, message: str) -> None:
    text = profile_text().replace("nit: 901234560-6", f'nit: "{written}"')
    assert problems_of(tmp_path, text) == [(9, "supplier.nit", message)]


@pytest.mark.parametrize(
    "char",
    ["\u200b", "\u200c", "\u200d", "\u061c", "\u2060", "\ufeff", "\u00ad", "\u3164", "\ufe0f"],
    ids=["zwsp", "zwnj", "zwj", "alm", "wj", "bom", "shy", "filler", "vs16"],
)
def test_names_refuse_invisible_characters(tmp_path: Path, char: str) -> None:
    text = profile_text().replace("first_name: Pedro", f'first_name: "Pe{char}dro"')
    assert problems_of(tmp_path, text) == [
        (
            28,
            "administrator.first_name",
            f"contiene un carácter invisible o que cambia la dirección del texto "
            f"(U+{ord(char):04X}); quítelo",
        )
    ]


@pytest.mark.parametrize("char", ["\u202e", "\u200f", "\u2066"], ids=["rlo", "rlm", "lri"])
def test_names_refuse_bidi_controls(tmp_path: Path, char: str) -> None:
    text = profile_text().replace(
        "legal_name: Empresa de Pruebas S.A.S.", f'legal_name: "Empresa {char}de Pruebas"'
    )
    [(line, field, message)] = problems_of(tmp_path, text)
    assert (line, field) == (7, "supplier.legal_name")
    assert f"(U+{ord(char):04X})" in message


def test_accented_and_foreign_names_are_fine(tmp_path: Path) -> None:
    text = profile_text().replace("first_name: Pedro", "first_name: José Ñúñez Müller-Łódź")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    assert load_profile(tmp_path / "p.yaml").administrator.first_name.startswith("José")


def second_profile(text: str) -> str:
    """Another company: its own NIT and users, the mailbox of the first."""
    text = text.replace("nit: 901234560-6", "nit: 900888321-5")
    text = text.replace("pruebas.admin", "otra.admin").replace("pruebas.lucia", "otra.lucia")
    text = text.replace("tramites+admin@", "tramites+otro@").replace("+lucia@", "+otra@")
    return text


def test_the_same_nit_in_look_alike_digits_is_not_a_second_nit(tmp_path: Path) -> None:
    first = profile_text()
    (tmp_path / "a.yaml").write_text(first, encoding="utf-8")
    copy = second_profile(first).replace(
        "nit: 900888321-5", "nit: 901234560-6".translate(FULLWIDTH)
    )
    (tmp_path / "b.yaml").write_text(copy, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_profiles([tmp_path / "a.yaml", tmp_path / "b.yaml"])
    [problem] = info.value.problems
    assert (problem.field, problem.message.split(";")[0]) == (
        "supplier.nit",
        "contiene un carácter que parece un dígito pero no lo es (U+FF19)",
    )


def test_duplicates_are_found_in_normalised_form(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    first = profile_text()
    Path("a.yaml").write_text(first, encoding="utf-8")
    second = second_profile(first)
    # The same administrator e-mail, in full-width letters and another case.
    second = second.replace("tramites+otro@pruebas.test", "ＴＲＡＭＩＴＥＳ+admin@Pruebas.test")
    Path("b.yaml").write_text(second, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "a.yaml", "b.yaml"])
    assert result.exit_code == 1
    assert re.search(
        r"b\.yaml:32: administrator\.email: el correo .* ya lo usa otro usuario "
        r"\(a\.yaml:32\)",
        result.stderr,
    ), result.stderr


def test_normal_form() -> None:
    assert normal("ＡＮＡ@Pruebas.TEST") == normal("ana@pruebas.test")
    assert normal("Straße") == normal("STRASSE")
    assert normal("ﬁ") == "fi"


NON_ASCII_DIGITS = st.characters(categories=["Nd"]).filter(lambda c: not c.isascii())


@settings(max_examples=200, deadline=None)
@given(digit=NON_ASCII_DIGITS, data=st.data())
def test_any_non_ascii_digit_anywhere_is_refused(digit: str, data: st.DataObject) -> None:
    for check, text, what in [
        (check_nit, "901234560-6", "el NIT"),
        (check_phone, "310 555 0101", "el teléfono"),
        (check_id_number, "79123456", "el número"),
    ]:
        positions = [i for i, c in enumerate(text) if c.isdigit()]
        at = data.draw(st.sampled_from(positions))
        hostile = text[:at] + digit + text[at + 1 :]
        with pytest.raises(ValueError) as info:
            check(hostile)
        assert str(info.value) == (
            f"contiene un carácter que parece un dígito pero no lo es (U+{ord(digit):04X}); "
            f"escriba {what} con los dígitos 0-9 del teclado"
        )


@settings(max_examples=200, deadline=None)
@given(char=st.characters(categories=["Cf"]), data=st.data())
def test_any_format_character_in_a_name_is_refused(char: str, data: st.DataObject) -> None:
    name = "José Pérez"
    at = data.draw(st.integers(min_value=1, max_value=len(name) - 1))
    problem = invisible_problem(name[:at] + char + name[at:])
    assert problem is not None and f"(U+{ord(char):04X})" in problem


def test_a_scenario_name_refuses_invisible_characters(tmp_path: Path) -> None:
    from robot.scenarios import load_scenario

    (tmp_path / "p.yaml").write_text(profile_text(), encoding="utf-8")
    (tmp_path / "e.yaml").write_text(
        'name: "lote\\u200b"\nportal:\n  mock: {}\nprofiles: [p.yaml]\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError) as info:
        load_scenario(tmp_path / "e.yaml")
    assert [(p.line, p.field, p.message) for p in info.value.problems] == [
        (
            1,
            "name",
            "contiene un carácter invisible o que cambia la dirección del texto (U+200B); quítelo",
        )
    ]
