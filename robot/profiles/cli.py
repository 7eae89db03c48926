"""``secop-robot validate`` and ``secop-robot schema``."""

from __future__ import annotations

from pathlib import Path

import click

from robot.cli import explain_errors
from robot.errors import ConfigError, Problem
from robot.portal_rules import DEFAULT_MAX_UPLOAD_MB
from robot.profiles.loader import expand, load_profiles, secret_problems
from robot.profiles.models import Profile
from robot.profiles.schema import write_schemas
from robot.profiles.yamlsource import parse_yaml

SCENARIO_KEYS = frozenset({"portal", "profiles", "concurrency", "steps"})


def is_scenario(path: Path) -> bool:
    """A YAML file with scenario keys (portal, profiles…) and no ``supplier``."""
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"), str(path)).data
    except (ConfigError, OSError, UnicodeDecodeError):
        return "scenario" in path.parent.name
    return "supplier" not in data and bool(SCENARIO_KEYS & set(data))


def _scenario_problems(path: Path, resolve: bool) -> tuple[list[Profile], list[Problem]]:
    from robot.scenarios import load_scenario

    try:
        scenario = load_scenario(path)
        profiles = scenario.load_profiles()
    except ConfigError as err:
        return [], err.problems
    return (profiles if resolve else []), []


def _profile_problems(
    paths: list[Path], max_upload_mb: float
) -> tuple[list[Profile], list[Problem]]:
    if not paths:
        return [], []
    try:
        return load_profiles(paths, max_upload_mb=max_upload_mb), []
    except ConfigError as err:
        return [], err.problems


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--resolve-secrets",
    is_flag=True,
    help="Also resolve every ${VARIABLE} / file: secret now and check password policy.",
)
@click.option(
    "--max-upload-mb",
    type=float,
    default=DEFAULT_MAX_UPLOAD_MB,
    show_default=True,
    help="Largest document the portal accepts (profiles given directly).",
)
@explain_errors
def validate(paths: tuple[Path, ...], resolve_secrets: bool, max_upload_mb: float) -> None:
    """Validate profiles and scenarios (files or folders) before any browser opens.

    Prints OK for each valid file, or every problem as file:line: field: message.
    Exit code 0 when everything is valid, 1 otherwise. Default PATH: profiles/.
    """
    paths = paths or (Path("profiles"),)
    files = expand(paths)
    problems: list[Problem] = []
    profiles: list[Profile] = []
    scenarios = [f for f in files if f.is_file() and is_scenario(f)]
    plain = [f for f in files if f not in scenarios]
    bad: set[str] = set()
    for scenario in scenarios:
        found_profiles, found = _scenario_problems(scenario, resolve_secrets)
        profiles += found_profiles
        problems += found
        if found:
            bad.add(str(scenario))  # its profiles' problems make the scenario fail too
    found_profiles, found = _profile_problems(plain, max_upload_mb)
    profiles += found_profiles
    problems += found
    if resolve_secrets:
        for profile in profiles:
            problems += secret_problems(profile)
    bad |= {p.file for p in problems}
    for path in [*scenarios, *plain]:
        if str(path) not in bad:
            click.echo(f"OK {path}")
    if not files and not problems:
        problems.append(Problem(", ".join(map(str, paths)), None, "", "no hay archivos YAML"))
    if problems:
        raise ConfigError(
            problems, hint=f"{len(problems)} problema(s); corríjalos y valide otra vez"
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
        click.echo(f"escrito {path}")
