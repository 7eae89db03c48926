"""Options and click's own messages (issue 14, point 4): every numeric option has a range (no
inf, nan, negative sizes, port 70000); a value out of it, and every usage error of click, is a
Spanish message with exit 1, for every command, also one added later."""

from __future__ import annotations

import ast
import math
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from robot.cli import main
from robot.cliusage import CLICK_MODULES, SPANISH, SettingNumber

COMMANDS = sorted(main.commands)
ENGLISH = ("Usage:", "Error:", "Invalid value", "No such", "Missing", "is not", "Try '")


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args))


def assert_spanish_usage_error(result: click.testing.Result, first_line: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == first_line
    assert not any(word in result.stderr for word in ENGLISH), result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["registrar-todo"], "error: no existe la orden 'registrar-todo'."),
        (["valdate"], "error: no existe la orden 'valdate'. ¿quiso decir 'validate'?"),
        (["validate", "--nada"], "error: no existe la opción '--nada'."),
        (["validate", "--max-upload-mb"], "error: la opción '--max-upload-mb' necesita un valor."),
        (["documents"], "error: falta el argumento 'PROFILE'."),
        (["schema", "sobra"], "error: sobra un argumento (sobra)"),
        (
            ["mock-portal", "--mail-backend", "exim"],
            "error: valor no válido para '--mail-backend': 'exim' no es ninguno de estos: "
            "'auto', 'pymap', 'dovecot'.",
        ),
        (
            ["validate", "--resolve-secrets=sí"],
            "error: la opción '--resolve-secrets' no lleva valor.",
        ),
    ],
)
def test_click_usage_errors_are_spanish_and_exit_1(args: list[str], message: str) -> None:
    result = run(*args)
    assert_spanish_usage_error(result, message)


def test_a_usage_error_says_what_to_type() -> None:
    result = run("documents")
    assert result.stderr.splitlines()[1] == (
        "→ uso: main documents [OPTIONS] PROFILE; ayuda: main documents --help"
    )


def test_a_path_argument_that_is_a_folder(tmp_path: Path) -> None:
    result = run("documents", str(tmp_path))
    assert_spanish_usage_error(
        result,
        f"error: valor no válido para 'PROFILE': '{tmp_path}' es una carpeta, no un archivo.",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["mock-portal", "--port", "70000"],
            "70000 está fuera del rango; use un número entero de 0 a 65535",
        ),
        (
            ["mock-portal", "--port", "-1"],
            "-1 está fuera del rango; use un número entero de 0 a 65535",
        ),
        (
            ["mock-portal", "--port", "80.5"],
            "«80.5» no es un número entero; use un número entero de 0 a 65535",
        ),
        (
            ["mock-portal", "--session-ttl-seconds", "0"],
            "0 está fuera del rango; use un número entero de 1 a 604800",
        ),
        (
            ["mock-portal", "--token-ttl-hours", "nan"],
            "«nan» no es un número finito; use un número de 0.01 a 8760",
        ),
        (
            ["mock-portal", "--max-upload-mb", "inf"],
            "«inf» no es un número finito; use un número de 0.01 a 1024",
        ),
        (
            ["validate", "--max-upload-mb", "-5"],
            "-5.0 está fuera del rango; use un número de 0.01 a 1024",
        ),
        (
            ["validate", "--max-upload-mb", "NaN"],
            "«nan» no es un número finito; use un número de 0.01 a 1024",
        ),
        (
            ["documents", "p.yaml", "--max-upload-mb", "1e400"],
            "«inf» no es un número finito; use un número de 0.01 a 1024",
        ),
        (
            ["documents", "p.yaml", "--max-upload-mb", "diez"],
            "«diez» no es un número; use un número de 0.01 a 1024",
        ),
    ],
)
def test_numeric_options_out_of_range(args: list[str], message: str) -> None:
    option = next(a for a in args if a.startswith("--"))
    result = run(*args)
    assert_spanish_usage_error(result, f"error: valor no válido para '{option}': {message}")


def numeric_options() -> Iterator[tuple[str, click.Option]]:
    for name in COMMANDS:
        for param in main.commands[name].params:
            if isinstance(param, click.Option) and _is_number(param.type):
                yield name, param


def _is_number(kind: click.ParamType) -> bool:
    return isinstance(kind, click.types.IntParamType | click.types.FloatParamType | SettingNumber)


def test_every_numeric_option_has_a_range() -> None:
    options = list(numeric_options())
    assert len(options) >= 6
    for command, option in options:
        kind = option.type
        bounded_int = (
            isinstance(kind, click.IntRange) and kind.min is not None and kind.max is not None
        )
        # A FloatRange lets nan through (every comparison with nan is false): SettingNumber.
        assert isinstance(kind, SettingNumber) or bounded_int, (
            f"secop-robot {command} {option.opts[0]}: give it a range "
            "(type=SettingNumber('<setting>') or click.IntRange(min, max))"
        )


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_says_its_usage_errors_in_spanish(command: str) -> None:
    result = run(command, "--opcion-que-no-existe")
    assert_spanish_usage_error(result, "error: no existe la opción '--opcion-que-no-existe'.")


@pytest.fixture
def later_command() -> Iterator[click.Command]:
    """A command added after the others, with click's plain types."""

    @click.command("mas-tarde")
    @click.argument("archivo", type=click.Path(exists=True, dir_okay=False))
    @click.option("--veces", type=int, required=True)
    @click.option("--modo", type=click.Choice(["a", "b"]), default="a")
    def command(archivo: str, veces: int, modo: str) -> None:
        """A throw-away command for the tests, added to the group late."""

    main.add_command(command)
    yield command
    main.commands.pop("mas-tarde")


def test_a_command_added_later_is_spanish_too(later_command: click.Command, tmp_path: Path) -> None:
    missing = tmp_path / "no-esta.txt"
    result = run("mas-tarde", str(missing), "--veces", "2")
    assert_spanish_usage_error(
        result, f"error: valor no válido para 'ARCHIVO': '{missing}' no existe."
    )
    existing = tmp_path / "esta.txt"
    existing.write_text("x", encoding="utf-8")
    result = run("mas-tarde", str(existing), "--veces", "dos")
    assert_spanish_usage_error(
        result, "error: valor no válido para '--veces': 'dos' no es un número válido."
    )
    result = run("mas-tarde", str(existing))
    assert_spanish_usage_error(result, "error: falta la opción '--veces'.")
    result = run("mas-tarde", str(existing), "--veces", "2", "--modo", "c")
    assert_spanish_usage_error(
        result, "error: valor no válido para '--modo': 'c' no es ninguno de estos: 'a', 'b'."
    )
    assert run("mas-tarde", str(existing), "--veces", "2").exit_code == 0


def test_no_command_shows_the_help() -> None:
    result = run()
    assert result.exit_code == 0
    assert "validate" in result.stdout


# click's message ids that are help text or a programmer's mistake, not a person's input.
NOT_FOR_PEOPLE = {
    "deprecated",
    "Options",
    "Positional arguments",
    "Commands",
    "env var: {var}",
    "default: {default}",
    "(dynamic)",
    "Usage:",
    "Show this message and exit.",
    "Show the version and exit.",
    "%(prog)s, version %(version)s",
    "Do you want to continue?",
    "Confirm the action without prompting.",
    "Press any key to continue...",
    "Choice({choices})",
    "file",
    "directory",
    "path",
    "Unknown color {colour!r}",
    "Name '{name}' defined twice",
    "Invalid start character for option ({option})",
    "Could not determine name for option with declarations {decls!r}",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.",
    "Boolean option {decl!r} cannot use the same flag for true/false.",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument "
    "instead? Did you mean to pass '--{name}'?",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}",
}


def click_message_ids() -> set[str]:
    """Every literal message id click passes to gettext in the modules Spanish is given to."""
    found: set[str] = set()
    for name in CLICK_MODULES:
        module = __import__(name, fromlist=["_"])
        tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            call = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            if call and node.func.id in ("_", "ngettext"):  # type: ignore[attr-defined]
                found |= {
                    a.value
                    for a in node.args  # type: ignore[attr-defined]
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)
                }
    return found


def test_every_click_message_a_person_can_meet_is_translated() -> None:
    ids = click_message_ids()
    assert "No such option {name!r}." in ids  # the scan sees click's messages
    missing = sorted(ids - NOT_FOR_PEOPLE - set(SPANISH))
    assert missing == [], f"translate in robot/cliusage.py: {missing}"


def test_translations_keep_the_placeholders_they_use() -> None:
    for english, spanish in SPANISH.items():
        used = set(_fields(spanish))
        assert used <= set(_fields(english)), english


def _fields(template: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def test_setting_number_converts_and_bounds() -> None:
    port = SettingNumber("portal.port")
    assert port.convert("8080", None, None) == 8080
    size = SettingNumber("portal.max_upload_mb")
    assert size.convert("2", None, None) == 2.0
    assert isinstance(size.convert(3, None, None), float)
    for bad in ("nan", "inf", "-inf", "0", str(math.ulp(0.0))):
        with pytest.raises(click.BadParameter):
            size.convert(bad, None, None)


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        (
            "error_rate=" + "[" * 30_000,
            "--fault: error_rate: valor no válido: YAML anidado demasiado profundo (más de 40 "
            "niveles de listas o mapeos); si el archivo es correcto, suba el límite con "
            "SECOP_INPUT_MAX_YAML_DEPTH",
        ),
        (
            "error_rate=[1, 2",
            "--fault: error_rate: valor no válido: YAML no válido: falta «,» o «]» en la lista",
        ),
        ("error_rate=mucho", "--fault: error_rate: debe ser un número"),
        ("nada", "--fault: nada: escriba NOMBRE=VALOR, p. ej. error_rate=0.2"),
    ],
)
def test_fault_flags_are_read_within_limits_and_told_in_spanish(flag: str, message: str) -> None:
    # A deep value crashed the YAML reader (RecursionError, exit 70) before it started anything.
    result = run("mock-portal", "--fault", flag)
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[0] == message
    assert result.stderr.splitlines()[1].startswith("→ interruptores de fallas: captcha")
