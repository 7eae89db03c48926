"""``secop-robot documents PROFILE [--out DIR]``: prepare the documents, touch no portal."""

from __future__ import annotations

from pathlib import Path

import click

from robot import settings
from robot.cli import explain_errors
from robot.cliusage import SettingNumber
from robot.documents.filetype import mb
from robot.documents.from_profile import specs_from_profile, supplier_from_profile
from robot.documents.manifest import MANIFEST_NAME
from robot.documents.model import FIELDS
from robot.documents.prepare import prepare_documents
from robot.documents.template import template_problem
from robot.errors import DocumentError
from robot.portal_rules import WATERMARK_TEXT
from robot.profiles import load_profile


@click.command("documents")
@click.argument("profile", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="output folder  [default: ./documentos-<NIT>]",
)
@click.option(
    "--max-upload-mb",
    type=SettingNumber("portal.max_upload_mb"),
    default=None,
    help="the portal's size limit per file, in MB  [default: setting portal.max_upload_mb]",
)
@click.option(
    "--watermark-text",
    default=None,
    metavar="TEXT",
    help="watermark text, with {razon_social}, {nit} and {fecha}  "
    "[default: the profile's watermark_text, else the standard text]",
)
@explain_errors
def documents(
    profile: Path, out: Path | None, max_upload_mb: float | None, watermark_text: str | None
) -> None:
    """Prepare a profile's documents without touching the portal.

    Watermarks, the constancia de confidencialidad, previews and manifest.json go to the
    output folder so a reviewer can look at them first; the originals are never modified.
    """
    if watermark_text is not None:
        _check_option(watermark_text)
    limit_mb = float(settings.resolve("portal.max_upload_mb", flag=max_upload_mb))
    loaded = load_profile(profile, max_upload_mb=limit_mb)
    supplier = supplier_from_profile(loaded)
    target = out or Path(f"documentos-{supplier.nit}")
    manifest = prepare_documents(
        specs_from_profile(loaded),
        supplier,
        target,
        max_bytes=int(limit_mb * 1024 * 1024),
        template=watermark_text or loaded.watermark_text or WATERMARK_TEXT,
    )
    for entry in manifest.entries:
        click.echo(
            f"{entry.slot:22} {entry.output.name:40} {entry.output.pages:>4} pág. "
            f"{_size(entry.output.size):>9}  {entry.marking}"
        )
    click.echo(f"→ {len(manifest.entries)} documentos en {target}; ver {target / MANIFEST_NAME}")


def _check_option(template: str) -> None:
    problem = template_problem(template)
    if problem is not None:
        raise DocumentError(f"--watermark-text: {problem}", hint=f"campos: {FIELDS}")


def _size(size: int) -> str:
    return mb(size) if size >= 1024 * 1024 else f"{max(size // 1024, 1)} kB"
