"""``secop-robot validate`` and ``secop-robot schema``."""

from __future__ import annotations

from pathlib import Path

import click

from robot.cli import explain_errors, say
from robot.cliusage import SettingNumber
from robot.errors import ConfigError
from robot.portal_rules import DEFAULT_MAX_UPLOAD_MB
from robot.profiles.schema import write_schemas
from robot.profiles.validate import validate_paths


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--resolve-secrets",
    is_flag=True,
    help="Also resolve every ${VARIABLE} / file: secret now and check password policy.",
)
@click.option(
    "--max-upload-mb",
    type=SettingNumber("portal.max_upload_mb"),
    default=DEFAULT_MAX_UPLOAD_MB,
    show_default=True,
    help="Largest document the portal accepts (profiles given directly).",
)
@explain_errors
def validate(paths: tuple[Path, ...], resolve_secrets: bool, max_upload_mb: float) -> None:
    """Validate profiles and scenarios (files, folders or globs) before any browser opens.

    Prints OK for each valid file, or every problem as file:line: field: message.
    Everything named in one call is one batch (no NIT, e-mail or user name twice).
    Exit code 0 when everything is valid, 1 otherwise. Default PATH: profiles/.
    """
    report = validate_paths(
        paths or (Path("profiles"),), max_upload_mb=max_upload_mb, resolve_secrets=resolve_secrets
    )
    for name in report.ok:
        say(f"OK {name}")
    if report.problems:
        raise ConfigError(
            report.problems, hint=f"{report.count} problema(s); corríjalos y valide otra vez"
        )


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("docs/schema"),
    show_default=True,
    help="Folder for profile.schema.json, scenario.schema.json and their field tables.",
)
@explain_errors
def schema(out: Path) -> None:
    """Write the JSON Schemas of profiles and scenarios (for yaml-language-server)."""
    for path in write_schemas(out):
        say(f"escrito {path}")
