"""``secop-robot mock-portal`` and ``secop-robot mail-stack``: start the bundled services."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from pydantic import ValidationError

from robot.cli import explain_errors
from robot.cliusage import SettingNumber
from robot.errors import ConfigError, Problem
from robot.mock_portal.faults import FaultConfig
from robot.settings import resolve

if TYPE_CHECKING:
    from robot.profiles.models import Profile

FAULT_NAMES = sorted(FaultConfig.model_fields)


def parse_fault_flags(flags: tuple[str, ...], base: FaultConfig | None = None) -> FaultConfig:
    """``NAME=VALUE`` pairs (values in YAML syntax) over a base configuration."""
    from robot.profiles.messages import message

    values: dict[str, Any] = base.model_dump() if base is not None else {}
    problems = []
    for flag in flags:
        name, sep, raw = flag.partition("=")
        if not sep:
            msg = "escriba NOMBRE=VALOR, p. ej. error_rate=0.2"
            problems.append(Problem("--fault", None, flag, msg))
            continue
        name = name.strip()
        try:
            values[name] = _flag_value(name, raw)
        except ConfigError as err:
            detail = "; ".join(p.message for p in err.problems)
            problems.append(Problem("--fault", None, name, f"valor no válido: {detail}"))
    if problems:
        raise ConfigError(problems, hint="interruptores de fallas: " + ", ".join(FAULT_NAMES))
    try:
        return FaultConfig.model_validate(values)
    except ValidationError as err:
        raise ConfigError(
            [
                Problem(
                    "--fault", None, ".".join(str(p) for p in e["loc"]), message(e, FaultConfig)
                )
                for e in err.errors()
            ],
            hint="interruptores de fallas: " + ", ".join(FAULT_NAMES),
        ) from err


def _flag_value(name: str, raw: str) -> Any:
    """A flag's value in YAML syntax, read within the limits of a YAML file (a deep or huge
    value is a problem, not a crash); words like 'off' stay words unless the switch is a bool."""
    from robot.profiles.yamlsource import parse_value

    field = FaultConfig.model_fields.get(name)
    value = parse_value(raw, "--fault")
    if isinstance(value, bool) and field is not None and field.annotation is not bool:
        return raw.strip()
    return value


@dataclass
class ScenarioMock:
    """What a scenario's ``portal.mock`` section asks of the mock portal."""

    faults: FaultConfig
    mail_backend: str
    settings: dict[str, Any]
    existing: list[Profile]
    probe_account: tuple[str, str] | None = None
    probe_account_note: str = ""  # why the scenario's probe_account was not created


def _mock_from_scenario(path: Path) -> ScenarioMock:
    """Faults, mail backend, settings and existing suppliers of a scenario's ``portal.mock``."""
    from robot.scenarios import load_scenario

    scenario = load_scenario(path)
    mock = scenario.portal.mock
    if mock is None:
        raise ConfigError(
            [Problem(str(path), None, "portal.mock", "este escenario no usa el portal simulado")],
            hint="give a scenario with a 'portal: mock:' section",
        )
    settings = mock.settings.model_dump(exclude_none=True) if mock.settings else {}
    paths = settings.pop("existing_suppliers", [])
    existing = _existing_suppliers(path, scenario.base_dir, paths, scenario.portal.max_upload_mb)
    try:
        login, note = scenario.probe_login(), ""
    except ConfigError as err:  # optional here: the portal starts without the test account
        login, note = None, "; ".join(p.message for p in err.problems)
    return ScenarioMock(mock.faults, mock.mail_backend, settings, existing, login, note)


def _existing_suppliers(
    source: Path, base: Path, paths: list[str], max_upload_mb: float
) -> list[Profile]:
    """The profiles of ``portal.mock.settings.existing_suppliers`` (relative to the scenario)."""
    from robot.profiles import load_profile
    from robot.profiles.yamlsource import read_yaml

    missing = [i for i, item in enumerate(paths) if not (base / item).is_file()]
    if missing:
        doc = read_yaml(source, str(source))
        loc = ("portal", "mock", "settings", "existing_suppliers")
        problems = [
            doc.problem((*loc, i), f"«{paths[i]}» no es un archivo (ruta relativa al escenario)")
            for i in missing
        ]
        raise ConfigError(problems, hint="name existing supplier profiles, e.g. ../profiles/x.yaml")
    return [load_profile(base / item, max_upload_mb=max_upload_mb) for item in paths]


PORTAL_SETTINGS = ("token_ttl_hours", "session_ttl_seconds", "max_upload_mb", "state_endpoint")


@click.command("mock-portal")
@click.option(
    "--port",
    type=SettingNumber("portal.port"),
    default=None,
    help="0 picks a free port  [default: 0]",
)
@click.option("--host", default=None, help="address to listen on  [default: 127.0.0.1]")
@click.option("--scenario", type=click.Path(path_type=Path), help="take faults and settings")
@click.option("--fault", "faults", multiple=True, metavar="NAME=VALUE", help="a fault switch")
@click.option(
    "--mail-backend",
    type=click.Choice(["auto", "pymap", "dovecot"]),
    default=None,
    help="IMAP server of the mail stack  [default: auto]",
)
@click.option("--mail-domain", default=None, help="catch-all domain  [default: proveedores.test]")
@click.option("--db", "db_path", type=click.Path(path_type=Path), help="SQLite file to keep")
@click.option("--state-endpoint/--no-state-endpoint", default=None, help="serve /_state JSON")
@click.option(
    "--token-ttl-hours",
    type=SettingNumber("portal.token_ttl_hours"),
    default=None,
    help="[default: 72]",
)
@click.option(
    "--session-ttl-seconds",
    type=SettingNumber("portal.session_ttl_seconds"),
    default=None,
    help="[default: 1800]",
)
@click.option(
    "--max-upload-mb",
    type=SettingNumber("portal.max_upload_mb"),
    default=None,
    help="[default: 10]",
)
@explain_errors
def mock_portal(
    port: int | None,
    host: str | None,
    scenario: Path | None,
    faults: tuple[str, ...],
    mail_backend: str | None,
    mail_domain: str | None,
    db_path: Path | None,
    state_endpoint: bool | None,
    token_ttl_hours: float | None,
    session_ttl_seconds: int | None,
    max_upload_mb: float | None,
) -> None:
    """Start the mock SECOP II portal and its mail stack; print the URL first.

    The first line is the portal's URL; the next lines say how to reach the mailbox
    (SMTP, IMAP, user, password); the last is 'listo'. Stops on Ctrl-C or SIGTERM.
    Precedence: flags > environment (SECOP_PORTAL_*, SECOP_MAIL_*) > scenario > defaults.
    """
    from robot.mock_portal.server import Bundle, SignalStop

    base_faults = FaultConfig()
    from_scenario: dict[str, Any] = {}
    existing: list[Profile] = []
    probe_account = None
    note = ""
    if scenario is not None:
        found = _mock_from_scenario(scenario)
        base_faults, existing = found.faults, found.existing
        probe_account, note = found.probe_account, found.probe_account_note
        from_scenario = {f"portal.{k}": v for k, v in found.settings.items()}
        from_scenario["mail.backend"] = found.mail_backend
    flags = {
        "portal.state_endpoint": state_endpoint,
        "portal.token_ttl_hours": token_ttl_hours,
        "portal.session_ttl_seconds": session_ttl_seconds,
        "portal.max_upload_mb": max_upload_mb,
    }

    def pick(name: str, flag: Any = None) -> Any:
        return resolve(name, flag=flag, scenario=from_scenario)

    settings = {k: pick(f"portal.{k}", flags[f"portal.{k}"]) for k in PORTAL_SETTINGS}
    settings["mail_from"] = pick("portal.mail_from")
    bundle = Bundle(
        faults=parse_fault_flags(faults, base_faults),
        mail_backend=pick("mail.backend", mail_backend),
        mail_domain=pick("mail.domain", mail_domain),
        db_path=db_path,
        port=pick("portal.port", port),
        host=pick("portal.host", host),
        settings=settings,
        existing_suppliers=existing,
        probe_account=probe_account,
    )
    stop = SignalStop()  # before the portal answers: a SIGTERM from then on stops it cleanly
    bundle.start()
    try:
        for line in bundle.describe():
            click.echo(line)
        if note:
            click.echo(f"probe_account: no creada ({note})")
        click.echo("listo")
        stop.wait(bundle.problem)
    finally:
        bundle.stop()


@click.command("mail-stack")
@click.option("--backend", type=click.Choice(["auto", "pymap", "dovecot"]), default="auto")
@click.option("--domain", default="proveedores.test", show_default=True)
@explain_errors
def mail_stack(backend: str, domain: str) -> None:
    """Start only the bundled mail stack (SMTP in, IMAP out) and print how to reach it."""
    from robot.mock_portal.mailstack import MailStack, serve_forever

    serve_forever(MailStack(backend=backend, domain=domain))
