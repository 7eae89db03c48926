"""Secrets: references, resolution at run time, masking in text and logs."""

from __future__ import annotations

import io
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
        f"{display}:46: additional_users[0].password: " + missing.format("SECOP_TEST_PASSWORD"),
        f"{display}:63: mailbox.password: " + missing.format("SECOP_TEST_IMAP_PASSWORD"),
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


def test_a_file_secret_is_its_first_line_exactly(tmp_path: Path) -> None:
    (tmp_path / "espacios.txt").write_text("  Clave con espacios  \notra\n", encoding="utf-8")
    (tmp_path / "crlf.txt").write_bytes(b"\xef\xbb\xbfClave-Windows-1\r\n")
    (tmp_path / "sin-fin.txt").write_text("Clave-Sin-Fin-1", encoding="utf-8")
    assert secrets.resolve("file:espacios.txt", base_dir=tmp_path) == "  Clave con espacios  "
    assert secrets.resolve("file:crlf.txt", base_dir=tmp_path) == "Clave-Windows-1"
    assert secrets.resolve("file:sin-fin.txt", base_dir=tmp_path) == "Clave-Sin-Fin-1"


@pytest.mark.parametrize(
    ("ref", "reason"),
    [
        ("file:falta.txt", "no existe; la ruta es relativa al archivo que la nombra"),
        ("file:vacio.txt", "su primera línea está vacía"),
        ("file:latin.txt", "no está en UTF-8"),
        ("file:carpeta", "es una carpeta, no un archivo"),
        ("file:cl\0ave.txt", "ruta no válida: contiene un carácter de control"),
    ],
)
def test_a_file_secret_that_cannot_be_read(tmp_path: Path, ref: str, reason: str) -> None:
    (tmp_path / "vacio.txt").write_text("\nsegunda\n", encoding="utf-8")
    (tmp_path / "latin.txt").write_bytes("contraseña".encode("latin-1"))
    (tmp_path / "carpeta").mkdir()
    assert secrets.lookup(ref, base_dir=tmp_path) is None  # never an exception
    where = Problem("p.yaml", 7, "mailbox.password", "")
    with pytest.raises(ConfigError) as info:
        secrets.resolve(ref, base_dir=tmp_path, where=where)
    written = ref.removeprefix("file:").replace("\0", "\\x00")
    assert str(info.value) == (
        f"p.yaml:7: mailbox.password: no se puede leer el archivo del secreto {written} ({reason})"
    )


def test_models_and_errors_never_show_a_password(tmp_path: Path) -> None:
    text = (DATA / "valid" / "empresa-pruebas.yaml").read_text(encoding="utf-8")
    text = text.replace("../docs/", f"{DATA}/docs/")
    text = "allow_literal_secrets: true\n" + text.replace(
        "${SECOP_TEST_PASSWORD}", "Clave-Literal-2026", 1
    ).replace("${SECOP_TEST_IMAP_PASSWORD}", "Buzon-Literal-2026")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    profile = load_profile(tmp_path / "p.yaml")
    assert profile.administrator.password == "Clave-Literal-2026"
    for shown in (repr(profile), str(profile), repr(profile.administrator), repr(profile.mailbox)):
        assert "Clave-Literal-2026" not in shown
        assert "Buzon-Literal-2026" not in shown
        assert "SECOP_TEST_PASSWORD" not in shown  # not even the reference
    # A literal password is registered as soon as it is read: every output masks it.
    assert secrets.mask("x Clave-Literal-2026 Buzon-Literal-2026") == "x ******** ********"
    broken = text.replace("nit: 901234560-6", "nit: Clave-Literal-2026")
    (tmp_path / "p.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_profile(tmp_path / "p.yaml")
    assert "Clave-Literal-2026" not in str(info.value) + repr(info.value)


def test_resolved_values_do_not_show_in_messages_or_models() -> None:
    profile = load_profile(DATA / "valid" / "empresa-pruebas.yaml")
    env = {"SECOP_TEST_PASSWORD": "debilucha", "SECOP_TEST_IMAP_PASSWORD": "Imap-Resuelta-9"}
    problems = secret_problems(profile, environ=env)
    assert problems and all("debilucha" not in repr(p) for p in problems)
    assert "Imap-Resuelta-9" not in repr(profile) + str(ConfigError(problems))


def test_masking_filter_masks_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    secrets.register_secret("Clave-En-Traza-1")
    logger = logging.getLogger("secop-test-masking-exc")
    handler = secrets.masked(logging.StreamHandler(io.StringIO()))
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError("fallo con Clave-En-Traza-1")
        except RuntimeError:
            logger.exception("error %s", "Clave-En-Traza-1")
        stream = handler.stream  # type: ignore[attr-defined]
        assert "Clave-En-Traza-1" not in stream.getvalue()
        assert "fallo con ********" in stream.getvalue()
    finally:
        logger.removeHandler(handler)


def test_install_masking_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logging, "lastResort", logging.lastResort)  # restored afterwards
    root = logging.getLogger()
    handler = logging.StreamHandler(io.StringIO())
    monkeypatch.setattr(root, "handlers", [handler])
    secrets.install_masking()
    secrets.install_masking()
    for each in (handler, logging.lastResort):
        assert each is not None
        assert sum(isinstance(f, secrets.MaskingFilter) for f in each.filters) == 1
