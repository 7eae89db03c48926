"""``secop-robot report OUTPUT``: write the report of a run's output folder again, from its
ledger (``index.html``, the supplier pages, ``results.json``, ``junit.xml``)."""

from __future__ import annotations

from pathlib import Path

import click

from robot.cli import explain_errors, say
from robot.errors import ConfigError, Problem
from robot.ledger import LEDGER_NAME


@click.command("report")
@click.argument("output", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--lang",
    type=click.Choice(["es", "en"]),
    default="es",
    show_default=True,
    help="language of the report",
)
@explain_errors
def report(output: Path, lang: str) -> None:
    """Write the report of the run in OUTPUT (the folder given to `run --out`) from its
    ledger; prints the path of index.html."""
    ledger = output / LEDGER_NAME
    if not ledger.is_file():
        raise ConfigError(
            [Problem(str(output), None, LEDGER_NAME, "no hay registro de pasos en esta carpeta")],
            hint="indique la carpeta de salida de una ejecución (la de run --out)",
        )
    from robot.reporting.render import render_report

    say(str(render_report(output.resolve(), lang)))
