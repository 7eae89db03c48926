"""``secop-robot probe``: the portal drift canary (docs/probe.md), and the probe ``run`` makes
before every batch.

The probe opens, with GETs only, the pages the page objects declare (login, Registrar usuario,
the public Directorio; with the scenario's test account, its supplier form and lupa pop-ups,
never saving), reads each one's fingerprint and compares it with the stored one
(robot/portal/fingerprints/<portal>/<page>.json). Exit 0 when nothing breaks, 3 otherwise.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click

from robot.cli import explain_errors, say
from robot.errors import ConfigError, Problem
from robot.portal import probe as fp
from robot.portal.canary import ProbeAccount, Reading, describe, diffs, probe_url

EXIT_BREAKING = 3


@click.command("probe")
@click.argument("scenario", required=False, type=click.Path(path_type=Path))
@click.option("--portal", "portal_url", metavar="URL", help="probe this portal instead")
@click.option("--update", is_flag=True, help="store what the portal shows as the expected pages")
@click.option(
    "--fingerprints",
    type=click.Path(path_type=Path, file_okay=False),
    help="folder of the expected fingerprints (default: robot/portal/fingerprints/<host>,"
    " mock for a local portal)",
)
@click.option("--headed", is_flag=True, help="a visible browser")
@explain_errors
def probe(
    scenario: Path | None,
    portal_url: str | None,
    update: bool,
    fingerprints: Path | None,
    headed: bool,
) -> None:
    """Check that the portal's pages still are what the robot expects (the drift canary).

    Opens only what can be seen without creating anything: login, Registrar usuario and the
    public Directorio of SCENARIO's portal (its bundled mock, started for the probe, or its
    base_url) or of --portal URL; with the scenario's probe_account, the supplier form and its
    lupas too, logged in as that test account, never saving. Prints each page's changes,
    breaking or cosmetic. Exit code 0: nothing breaks; 3: a breaking change; 1: bad input
    (also a test account the portal does not let in); 2: the machine.
    """
    if (scenario is None) == (portal_url is None):
        raise ConfigError(
            [Problem("probe", None, "", "indique un ESCENARIO o --portal URL (uno de los dos)")]
        )
    started = time.monotonic()
    where = Problem("probe", None, "probe_account", "")
    if portal_url is not None:
        live = probe_url(portal_url.rstrip("/"), headed=headed)
        folder = fingerprints or fp.folder_for(portal_url)
    else:
        assert scenario is not None
        url, live, where = _probe_scenario(scenario, headed)
        folder = fingerprints or fp.folder_for(url)
    took = time.monotonic() - started
    if update:
        for data in live.pages.values():
            say(f"huella guardada: {fp.save(data, folder)}")
        for line in describe([], live.skipped).splitlines():
            say(f"huella no guardada (queda la anterior): {line}")
        _account_problem(live, where)
        return
    found = diffs(live, folder)
    say(describe(found, live.skipped))
    broken = any(d.breaking for d in found)
    say(
        f"sondeo en {took:.1f} s: "
        + ("hay cambios que rompen" if broken else "el robot puede trabajar")
    )
    if broken:
        raise SystemExit(EXIT_BREAKING)
    _account_problem(live, where)


def _account_problem(live: Reading, where: Problem) -> None:
    """A test account named but unusable is bad input (exit 1): the form was asked for."""
    if live.account_problem:
        raise ConfigError(
            [Problem(where.file, where.line, where.field, live.account_problem)],
            hint="revise la cuenta de prueba en el portal (docs/probe.md, «La cuenta de prueba»)",
        )


def _probe_scenario(path: Path, headed: bool) -> tuple[str, Reading, Problem]:
    from robot.bundled import bundled_portal
    from robot.scenarios import load_scenario

    scenario = load_scenario(path)
    where = scenario.problem(("probe_account", "username"), "")
    login = scenario.probe_login()
    account = ProbeAccount(*login) if login is not None else None
    if scenario.portal.base_url is not None:
        url = scenario.portal.base_url.rstrip("/")
        return url, probe_url(url, headed=headed, account=account), where
    with (
        tempfile.TemporaryDirectory(prefix="secop-probe-") as tmp,
        bundled_portal(scenario, Path(tmp)) as portal,
    ):
        live = probe_url(portal.base_url, headed=headed, mock=True, account=account)
        return portal.base_url, live, where
