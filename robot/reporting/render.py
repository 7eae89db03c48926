"""Write the report into the output folder: ``index.html``, ``suppliers/<NIT>/index.html``,
``results.json`` and ``junit.xml``, from the ledger alone (so ``secop-robot report`` and a
killed run's next run can always write it again).

Jinja2 with autoescape and StrictUndefined; every file is written to a temporary name and
renamed over the old one, so a reader (or a killed run) never sees half a page.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path
from typing import Any

import jinja2

from robot.ledger import Ledger, SupplierRecord
from robot.outfiles import write_text
from robot.reporting.build import index_context, supplier_context, supplier_page
from robot.reporting.i18n import DEFAULT_LANG
from robot.reporting.junit import JUNIT_NAME, junit_xml
from robot.results import write_results

INDEX_NAME = "index.html"
TEMPLATES = Path(__file__).with_name("templates")


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(env: jinja2.Environment, name: str, context: Any) -> str:
    """A template with the fields of its typed context (a dataclass) as variables."""
    values = {f.name: getattr(context, f.name) for f in dataclasses.fields(context)}
    return env.get_template(name).render(**values)


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, text)


class ReportWriter:
    """Keeps the report of a run current while it runs: a supplier's page when its ledger row
    changed, the index at most every ``interval`` seconds (and always on ``final``). One
    update at a time (``lock``): the batch may bring it up to date from a worker thread."""

    def __init__(
        self, ledger: Ledger, out_dir: Path, lang: str = DEFAULT_LANG, *, interval: float = 10.0
    ) -> None:
        self.ledger = ledger
        self.out_dir = out_dir
        self.lang = lang
        self.interval = interval
        self.lock = threading.RLock()
        self._env = environment()
        self._seen: dict[str, float] = {}
        self._index_at = 0.0
        self.error: Exception | None = None

    def update(self, *, final: bool = False, ledger: Ledger | None = None) -> Path:
        """Bring the report up to date; the path of index.html. While the run goes
        (``final`` false) a failure to write is remembered in ``error``, not raised: the
        report is evidence and never a reason to stop a batch; the final update raises.
        ``ledger``: another connection to the same ledger file (a worker thread's own)."""
        book = self.ledger if ledger is None else ledger
        with self.lock:
            if final:
                return self._update(book, final=True)
            try:
                return self._update(book, final=False)
            except Exception as err:
                self.error = err
                return self.out_dir / INDEX_NAME

    def _update(self, book: Ledger, *, final: bool) -> Path:
        index = self.out_dir / INDEX_NAME
        for record in book.suppliers():
            if final or self._seen.get(record.key) != record.updated_at:
                self._supplier(book, record)
        now = time.monotonic()
        if final or not index.exists() or now - self._index_at >= self.interval:
            write_results(book, self.out_dir)
            write_atomic(self.out_dir / JUNIT_NAME, junit_xml(book))
            write_atomic(
                index,
                render(self._env, "index.html", index_context(book, self.out_dir, self.lang)),
            )
            self._index_at = now
        return index

    def _supplier(self, book: Ledger, record: SupplierRecord) -> None:
        context = supplier_context(book, self.out_dir, record, self.lang)
        write_atomic(
            supplier_page(self.out_dir, record.key), render(self._env, "supplier.html", context)
        )
        self._seen[record.key] = record.updated_at


def render_report(out_dir: Path, lang: str = DEFAULT_LANG, ledger: Ledger | None = None) -> Path:
    """Write the whole report of ``out_dir`` from its ledger; the path of ``index.html``."""
    from robot.ledger import LEDGER_NAME

    own = ledger is None
    book = Ledger(out_dir / LEDGER_NAME) if ledger is None else ledger
    try:
        return ReportWriter(book, out_dir, lang).update(final=True)
    finally:
        if own:
            book.close()
