"""Untrusted files (issue 14, point 1): profiles, scenarios, ``file:`` secrets, ``ca_file`` and
documents are checked for kind and size before they are read, and read with a bound. A FIFO, a
device, a folder, a symbolic-link loop or a file over its limit is a problem of that file or
field, in Spanish: never a hang, a crash or gigabytes of memory. Every input is built here."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from robot import secrets
from robot.cli import main
from robot.errors import ConfigError
from robot.inputfiles import read_limited, reason
from robot.mail.config import MailboxConfig
from robot.profiles import load_profile
from robot.profiles.yamlsource import read_yaml
from robot.scenarios import load_scenario

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "profiles"
PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

pytestmark = pytest.mark.timeout(60)  # a FIFO read by mistake would hang: fail instead


def profile_text() -> str:
    text = (DATA / "valid" / "empresa-pruebas.yaml").read_text(encoding="utf-8")
    return text.replace("../docs/", f"{DATA}/docs/")


@pytest.fixture(autouse=True)
def empty_registry() -> Iterator[None]:
    yield
    secrets.clear_secrets()


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def device(path: Path) -> Path:
    path.symlink_to("/dev/zero")  # endless: a plain read would fill the memory
    return path


def folder(path: Path) -> Path:
    path.mkdir()
    return path


def loop(path: Path) -> Path:
    other = path.with_name(path.name + ".otro")
    path.symlink_to(other.name)
    other.symlink_to(path.name)
    return path


KINDS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "fifo": (fifo, "no es un archivo normal sino una tubería (FIFO); indique un archivo"),
    "device": (device, "no es un archivo normal sino un dispositivo; indique un archivo"),
    "folder": (folder, "es una carpeta, no un archivo"),
    "loop": (loop, "no se puede leer el archivo (demasiados enlaces simbólicos)"),
}


# --- the reader itself --------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_only_a_regular_file_is_read(tmp_path: Path, kind: str) -> None:
    make, message = KINDS[kind]
    path = make(tmp_path / "x.yaml")
    with pytest.raises(ConfigError) as info:
        read_limited(path, 1000, "x.yaml")
    assert [str(p) for p in info.value.problems] == [f"x.yaml: {message}"]


def test_the_size_is_checked_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "grande.yaml"
    with huge.open("wb") as handle:
        handle.truncate(8 * 1024**3)  # 8 GB, sparse: reading it would exhaust the memory
    with pytest.raises(ConfigError) as info:
        read_limited(huge, 1000, "grande.yaml", "input.max_yaml_bytes")
    assert reason(info.value) == (
        f"el archivo es demasiado grande ({8 * 1024**3} bytes; el límite es 1000); si es "
        "correcto, suba el límite con SECOP_INPUT_MAX_YAML_BYTES (vea docs/settings.md)"
    )


def test_the_read_is_bounded_even_when_the_size_lies() -> None:
    # /proc files say they hold 0 bytes and then give more: the read stops past the limit.
    status = Path("/proc/self/status")
    assert status.stat().st_size == 0
    with pytest.raises(ConfigError, match="demasiado grande"):
        read_limited(status, 64, "status")
    assert read_limited(status, 1_000_000, "status").startswith(b"Name:")


# --- profiles and scenarios -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["device", "fifo", "loop"])  # a folder names its *.yaml
def test_a_profile_that_is_no_regular_file_is_a_problem(tmp_path: Path, kind: str) -> None:
    make, message = KINDS[kind]
    make(tmp_path / "p.yaml")
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "p.yaml")])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{tmp_path / 'p.yaml'}: {message}"


def test_a_profile_over_the_limit_says_how_to_raise_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(profile_text() + "#" * 3000 + "\n", encoding="utf-8")
    size = path.stat().st_size
    monkeypatch.setenv("SECOP_INPUT_MAX_YAML_BYTES", "2000")
    with pytest.raises(ConfigError) as info:
        read_yaml(path, "p.yaml")
    assert str(info.value) == (
        f"p.yaml: el archivo es demasiado grande ({size} bytes; el límite es 2000); si es "
        "correcto, suba el límite con SECOP_INPUT_MAX_YAML_BYTES (vea docs/settings.md)"
    )
    monkeypatch.setenv("SECOP_INPUT_MAX_YAML_BYTES", str(size))
    assert read_yaml(path, "p.yaml").data["if_exists"] == "stop"


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_scenario_that_is_no_regular_file_is_a_problem(tmp_path: Path, kind: str) -> None:
    make, message = KINDS[kind]
    make(tmp_path / "escenario.yaml")
    with pytest.raises(ConfigError) as info:
        load_scenario(tmp_path / "escenario.yaml")
    assert [p.message for p in info.value.problems] == [message]


def test_a_scenario_profile_that_is_a_fifo_is_a_problem_of_that_profile(tmp_path: Path) -> None:
    fifo(tmp_path / "perfil.yaml")
    (tmp_path / "escenario.yaml").write_text(
        "name: lote\nportal:\n  mock: {}\nprofiles: [perfil.yaml]\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "escenario.yaml")])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        f"{tmp_path / 'escenario.yaml'}:4: profiles[0]: «perfil.yaml»: no es un archivo normal "
        "sino una tubería (FIFO); indique un archivo",
        f"{tmp_path / 'perfil.yaml'}: no es un archivo normal sino una tubería (FIFO); indique "
        "un archivo",
    ]


# --- file: secrets ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "device", "folder", "loop"])
def test_a_file_secret_that_is_no_regular_file(tmp_path: Path, kind: str) -> None:
    make, message = KINDS[kind]
    make(tmp_path / "clave.txt")
    assert secrets.lookup("file:clave.txt", base_dir=tmp_path) is None
    described = secrets.describe_missing("file:clave.txt", base_dir=tmp_path)
    assert described == f"no se puede leer el archivo del secreto clave.txt ({message})"


def test_a_file_secret_over_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "clave.txt").write_text("Clave-Larga-2026" + "x" * 70_000 + "\n")
    assert secrets.lookup("file:clave.txt", base_dir=tmp_path) is None
    described = secrets.describe_missing("file:clave.txt", base_dir=tmp_path)
    assert "el límite es 65536" in described and "SECOP_INPUT_MAX_SECRET_FILE_BYTES" in described
    assert "Clave-Larga" not in described
    monkeypatch.setenv("SECOP_INPUT_MAX_SECRET_FILE_BYTES", "100000")
    assert secrets.lookup("file:clave.txt", base_dir=tmp_path) == "Clave-Larga-2026" + "x" * 70_000


def test_validate_resolve_secrets_with_a_fifo_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SECOP_TEST_PASSWORD", "Fuerte-Clave-2026")
    monkeypatch.setenv("SECOP_TEST_IMAP_PASSWORD", "Otra-Clave-2026")
    fifo(tmp_path / "clave.txt")
    text = profile_text().replace(
        "  password: ${SECOP_TEST_PASSWORD}", "  password: file:clave.txt", 1
    )
    Path("p.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--resolve-secrets", "p.yaml"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "p.yaml:35: administrator.password: no se puede leer el archivo del secreto clave.txt "
        "(no es un archivo normal sino una tubería (FIFO); indique un archivo)"
    )


# --- ca_file ----------------------------------------------------------------------------------


def with_ca_file(name: str) -> str:
    return profile_text() + f"  ca_file: {name}\n"


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_profile_ca_file_that_is_no_regular_file(tmp_path: Path, kind: str) -> None:
    make, message = KINDS[kind]
    make(tmp_path / "ca.pem")
    (tmp_path / "p.yaml").write_text(with_ca_file("ca.pem"), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_profile(tmp_path / "p.yaml")
    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path / 'p.yaml'}:65: mailbox.ca_file: ca.pem: {message}"
    ]


def test_a_profile_ca_file_over_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ca.pem").write_text(PEM * 100, encoding="ascii")
    (tmp_path / "p.yaml").write_text(with_ca_file("ca.pem"), encoding="utf-8")
    monkeypatch.setenv("SECOP_INPUT_MAX_CA_FILE_BYTES", "1024")
    with pytest.raises(ConfigError) as info:
        load_profile(tmp_path / "p.yaml")
    [problem] = info.value.problems
    assert problem.field == "mailbox.ca_file"
    assert "demasiado grande" in problem.message
    assert "SECOP_INPUT_MAX_CA_FILE_BYTES" in problem.message
    monkeypatch.delenv("SECOP_INPUT_MAX_CA_FILE_BYTES")
    assert load_profile(tmp_path / "p.yaml").mailbox is not None


@pytest.mark.parametrize("kind", ["fifo", "device", "folder", "loop"])
def test_a_mailbox_config_ca_file_that_is_no_regular_file(tmp_path: Path, kind: str) -> None:
    make, message = KINDS[kind]
    path = make(tmp_path / "ca.pem")
    with pytest.raises(ConfigError) as info:
        MailboxConfig(
            host="imap.test",
            user="u",
            password="clave-1234",
            ca_file=str(path),
            allowed_hosts=("portal.test",),
        )
    assert [(p.field, p.message) for p in info.value.problems] == [
        ("ca_file", f"{path}: {message}")
    ]


def test_a_mailbox_config_ca_file_is_read_with_a_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ca.pem"
    path.write_text(PEM * 40, encoding="ascii")
    box = MailboxConfig(
        host="h", user="u", password="clave-1234", ca_file=str(path), allowed_hosts=("p",)
    )
    assert box.ca_file == str(path)
    monkeypatch.setenv("SECOP_INPUT_MAX_CA_FILE_BYTES", "1024")
    with pytest.raises(ConfigError, match="demasiado grande"):
        MailboxConfig(
            host="h", user="u", password="clave-1234", ca_file=str(path), allowed_hosts=("p",)
        )
    path.write_text("no soy un certificado\n", encoding="ascii")
    with pytest.raises(ConfigError, match="no es un certificado PEM"):
        MailboxConfig(
            host="h", user="u", password="clave-1234", ca_file=str(path), allowed_hosts=("p",)
        )


# --- documents (the profile loader's side) ----------------------------------------------------


def with_rut(path: str) -> str:
    return profile_text().replace(f"{DATA}/docs/rut.pdf", path)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_document_that_is_no_regular_file(tmp_path: Path, kind: str) -> None:
    make, message = KINDS[kind]
    make(tmp_path / "rut.pdf")
    (tmp_path / "p.yaml").write_text(with_rut("rut.pdf"), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_profile(tmp_path / "p.yaml")
    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path / 'p.yaml'}:51: documents[0].path: rut.pdf: {message}"
    ]


def test_a_document_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "rut.pdf"
    with huge.open("wb") as handle:
        handle.truncate(8 * 1024**3)  # sparse 8 GB: its first bytes are not even a PDF
    (tmp_path / "p.yaml").write_text(with_rut("rut.pdf"), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_profile(tmp_path / "p.yaml", max_upload_mb=10)
    assert [p.message for p in info.value.problems] == [
        "el archivo rut.pdf pesa 8192,0 MB; el portal acepta hasta 10,0 MB"
    ]


def test_a_missing_document_still_says_where_paths_start(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(with_rut("no-esta.pdf"), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_profile(tmp_path / "p.yaml")
    assert [p.message for p in info.value.problems] == [
        "no se encuentra el archivo no-esta.pdf (la ruta es relativa al perfil)"
    ]


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_scenario_mailbox_ca_file_that_is_no_regular_file(tmp_path: Path, kind: str) -> None:
    make, message = KINDS[kind]
    make(tmp_path / "ca.pem")
    (tmp_path / "perfil.yaml").write_text(profile_text(), encoding="utf-8")
    (tmp_path / "escenario.yaml").write_text(
        "name: lote\nportal:\n  base_url: https://portal.example\nprofiles: [perfil.yaml]\n"
        "mailbox:\n  host: imap.example\n  port: 993\n  user: u\n"
        "  password: ${SECOP_TEST_IMAP_PASSWORD}\n  ca_file: ca.pem\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_scenario(tmp_path / "escenario.yaml")
    assert [(p.line, p.field, p.message) for p in info.value.problems] == [
        (10, "mailbox.ca_file", f"ca.pem: {message}")
    ]


def test_a_bad_limit_variable_is_a_problem_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ca.pem").write_text(PEM, encoding="ascii")
    (tmp_path / "p.yaml").write_text(with_ca_file("ca.pem"), encoding="utf-8")
    monkeypatch.setenv("SECOP_INPUT_MAX_CA_FILE_BYTES", "nan")
    with pytest.raises(ConfigError) as info:
        load_profile(tmp_path / "p.yaml")
    [problem] = info.value.problems
    assert problem.message == (
        "ca.pem: SECOP_INPUT_MAX_CA_FILE_BYTES: «nan» no es un número entero; use un número "
        "entero de 1024 a 67108864"
    )
