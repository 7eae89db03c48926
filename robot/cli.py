"""The ``secop-robot`` command line. Errors become messages and exit codes here only."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from robot import __version__, secrets
from robot.errors import ConfigError, SecopRobotError, escape_controls

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

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="secop-robot")
def main() -> None:
    """secop-robot: onboard suppliers onto SECOP II from YAML profiles."""
    secrets.install_masking()


def _register_commands() -> None:
    from robot.mock_portal.cli import demo, mail_stack, mock_portal

    main.add_command(mock_portal)
    main.add_command(mail_stack)
    main.add_command(demo)

    from robot.profiles.cli import schema, validate

    main.add_command(validate)
    main.add_command(schema)

    from robot.documents.cli import documents

    main.add_command(documents)


_register_commands()
