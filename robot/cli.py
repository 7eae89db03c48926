"""The ``secop-robot`` command line. Errors become messages and exit codes here only."""

from __future__ import annotations

import errno
import functools
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from robot import __version__, cliusage, secrets
from robot.errors import ConfigError, SecopRobotError, escape_controls, os_reason

F = TypeVar("F", bound=Callable[..., Any])


def say(text: str, *, err: bool = False) -> None:
    """Print text for a person: registered secrets masked, control characters (but the line
    breaks) escaped."""
    lines = secrets.mask(text).split("\n")
    click.echo("\n".join(escape_controls(line) for line in lines), err=err)


def explain_errors(func: F) -> F:
    """Turn the project's errors into a clear message and an exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConfigError as err:
            for problem in err.problems:
                say(str(problem), err=True)
            if err.hint:
                say(f"→ {err.hint}", err=True)
            sys.exit(err.exit_code)
        except SecopRobotError as err:
            say(f"error: {err}", err=True)
            if err.hint:
                say(f"→ {err.hint}", err=True)
            sys.exit(err.exit_code)
        except KeyboardInterrupt:
            click.echo("interrumpido", err=True)
            sys.exit(130)
        except OSError as err:  # the disk or the system, not the robot: say which file
            where = f" ({err.filename})" if err.filename else ""
            reason = "sin permiso" if err.errno in (errno.EACCES, errno.EPERM) else os_reason(err)
            say(f"error: {reason}{where}", err=True)
            say("→ revise la ruta, los permisos y el espacio en disco, y repita", err=True)
            sys.exit(2)
        except Exception as err:
            if os.environ.get(DEBUG_ENV):
                raise
            report = _write_crash_report(err)
            say(f"error interno de secop-robot: {type(err).__name__}: {err}", err=True)
            say(
                f"→ es un fallo del programa, no de su entrada; el detalle está en {report}."
                f" Repórtelo con ese archivo (sin contraseñas: ya están ocultas), o repita"
                f" con {DEBUG_ENV}=1 para ver la traza.",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


DEBUG_ENV = "SECOP_ROBOT_DEBUG"
EXIT_INTERNAL = 70  # EX_SOFTWARE (sysexits.h)


def _write_crash_report(err: BaseException) -> Path:
    """The traceback, secrets masked, in a file a person can attach to a bug report."""
    text = secrets.mask("".join(traceback.format_exception(err)))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    fd, name = tempfile.mkstemp(prefix=f"secop-robot-fallo-{stamp}-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    return Path(name)


cliusage.install()  # click's own messages in Spanish, for every command


class Group(click.Group):
    """The ``secop-robot`` group: click's usage errors (an unknown option, a missing argument,
    a value out of range), for any command it holds, are shown like every problem: one Spanish
    line, what to type, exit 1."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as err:
            _usage_error(err)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as err:
            _usage_error(err)


def _usage_error(err: click.UsageError) -> NoReturn:
    if isinstance(err, click.exceptions.NoArgsIsHelpError):  # no command given: the help
        click.echo(err.format_message())
        sys.exit(0)
    say(f"error: {err.format_message()}", err=True)
    ctx = err.ctx
    if ctx is not None:
        usage = " ".join([ctx.command_path, *ctx.command.collect_usage_pieces(ctx)])
        say(f"→ uso: {usage}; ayuda: {ctx.command_path} --help", err=True)
    sys.exit(1)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="secop-robot")
def main() -> None:
    """secop-robot: onboard suppliers onto SECOP II from YAML profiles."""
    secrets.install_masking()


def _register_commands() -> None:
    from robot.mock_portal.cli import mail_stack, mock_portal

    main.add_command(mock_portal)
    main.add_command(mail_stack)

    from robot.run_cli import demo, run

    main.add_command(run)
    main.add_command(demo)

    from robot.profiles.cli import schema, validate

    main.add_command(validate)
    main.add_command(schema)

    from robot.documents.cli import documents

    main.add_command(documents)

    from robot.reporting.cli import report

    main.add_command(report)

    from robot.probe_cli import probe

    main.add_command(probe)


_register_commands()
