"""Secrets: references, resolution at run time, masking in text and logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from robot import secrets
from robot.errors import ConfigError, Problem
from robot.profiles import load_profile, secret_problems

DATA = Path(__file__).resolve().parent.parent / "data" / "profiles"


@pytest.fixture(autouse=True)
def empty_registry() -> Iterator[None]:
    secrets.clear_secrets()
    yield
    secrets.clear_secrets()


@pytest.mark.parametrize(
    ("text", "is_ref"),
    [
        ("${SECOP_X}", True),
        ("file:clave.txt", True),
        ("$SECOP_X", False),
        ("${}", False),
        ("${1ABC}", False),
        ("file:", False),
        ("Clave-Literal-1", False),
    ],
)
def test_reference_syntax(text: str, is_ref: bool) -> None:
    assert secrets.is_reference(text) is is_ref


def test_resolve_env_registers_the_value() -> None:
    value = secrets.resolve("${SECOP_T}", environ={"SECOP_T": "Valor-Secreto-9"})
    assert value == "Valor-Secreto-9"
    assert secrets.mask("clave=Valor-Secreto-9 fin") == "clave=******** fin"


def test_resolve_file_relative_to_base(tmp_path: Path) -> None:
    (tmp_path / "clave.txt").write_text("De-Archivo-42\nignored\n", encoding="utf-8")
    assert secrets.resolve("file:clave.txt", base_dir=tmp_path) == "De-Archivo-42"
    assert "De-Archivo-42" not in secrets.mask("x De-Archivo-42 y")


def test_missing_secret_names_the_variable_not_a_value() -> None:
    where = Problem("p.yaml", 7, "administrator.password", "")
    with pytest.raises(ConfigError) as info:
        secrets.resolve("${SECOP_FALTA}", environ={}, where=where)
    assert str(info.value) == (
        "p.yaml:7: administrator.password: la variable de entorno SECOP_FALTA no está definida "
        "o está vacía; defínala"
    )


def test_mask_covers_url_encoded_forms_and_longest_first() -> None:
    secrets.register_secret("a b&c/Secreto")
    secrets.register_secret("a b&c")
    out = secrets.mask("q=a+b%26c%2FSecreto raw=a b&c/Secreto short=a b&c")
    assert out == "q=******** raw=******** short=********"


def test_short_values_are_not_registered() -> None:
    secrets.register_secret("ab")
    assert secrets.registered_count() == 0
    assert secrets.mask("ab") == "ab"


def test_logging_filter_masks_message_and_args(caplog: pytest.LogCaptureFixture) -> None:
    secrets.register_secret("https://portal.test/Confirm?token=abc123XYZ")
    logger = logging.getLogger("secop-test-masking")
    logger.addFilter(secrets.MaskingFilter())
    with caplog.at_level(logging.INFO, logger="secop-test-masking"):
        logger.info("enlace %s recibido", "https://portal.test/Confirm?token=abc123XYZ")
    assert caplog.messages == ["enlace ******** recibido"]
    assert "abc123XYZ" not in caplog.text


def test_secret_problems_report_missing_env_with_line() -> None:
    profile = load_profile(DATA / "valid" / "empresa-pruebas.yaml")
    display = str(DATA / "valid" / "empresa-pruebas.yaml")
    problems = [str(p) for p in secret_problems(profile, environ={})]
    missing = "la variable de entorno {} no está definida o está vacía; defínala"
    assert problems == [
        f"{display}:35: administrator.password: " + missing.format("SECOP_TEST_PASSWORD"),
        f"{display}:44: additional_users[0].password: " + missing.format("SECOP_TEST_PASSWORD"),
        f"{display}:59: mailbox.password: " + missing.format("SECOP_TEST_IMAP_PASSWORD"),
    ]


def test_secret_problems_check_policy_without_showing_the_value() -> None:
    profile = load_profile(DATA / "valid" / "empresa-pruebas.yaml")
    env = {"SECOP_TEST_PASSWORD": "debilucha", "SECOP_TEST_IMAP_PASSWORD": "imap-ok-123"}
    problems = secret_problems(profile, environ=env)
    assert [p.field for p in problems] == ["administrator.password", "additional_users[0].password"]
    assert all("debilucha" not in str(p) for p in problems)
    assert secrets.mask("debilucha imap-ok-123") == "******** ********"
    good = {**env, "SECOP_TEST_PASSWORD": "Fuerte-Clave-2026"}
    assert secret_problems(profile, environ=good) == []
