"""After each supplier the batch writes results.json and the report in a worker thread, with a
read-only ledger connection of its own: the event loop (the other suppliers' browser work)
goes on during the write, suppliers that end meanwhile are in the next write, and after
``close`` nothing is written any more (the run's final report is never overwritten)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import threading
import time
from pathlib import Path

import pytest

import robot.cli  # noqa: F401  # first, as the command line does (it imports run_cli)
from robot.ledger import LEDGER_NAME, Ledger
from robot.reporting.render import ReportWriter
from robot.results import RESULTS_NAME
from robot.run_cli import AfterSupplier

SLOW = 0.4


class SlowWriter(ReportWriter):
    """A report that takes ``SLOW`` s to write, remembering the threads it was written in."""

    threads: list[int]

    def update(self, *, final: bool = False, ledger: Ledger | None = None) -> Path:
        self.threads.append(threading.get_ident())
        time.sleep(SLOW)
        return super().update(final=final, ledger=ledger)


def _statuses(out: Path) -> list[str]:
    data = json.loads((out / RESULTS_NAME).read_text("utf-8"))
    return [s["status"] for s in data["suppliers"]]


async def _batch(ledger: Ledger, after: AfterSupplier) -> tuple[int, float]:
    """Three suppliers end 50 ms apart while a ticker counts how often the loop runs."""
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    began = time.perf_counter()
    for key in ("1", "2", "3"):
        ledger.set_status(key, "onboarded")
        after()
        await asyncio.sleep(0.05)
    blocked = time.perf_counter() - began
    await asyncio.sleep(SLOW * 3)  # the first write, then one for the two that ended during it
    await after.close()
    stop.set()
    await task
    return ticks, blocked


def test_the_report_is_written_off_the_loop_coalesced_and_never_after_close(
    tmp_path: Path,
) -> None:
    # Playwright's sync API, used by other tests in the same worker, leaves an event loop
    # running in this thread, where asyncio.run refuses to start: the batch, its ledger and
    # the checks run in a thread of their own (as robot.asyncrun does).
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(_written_off_the_loop, tmp_path).result()


def _written_off_the_loop(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / LEDGER_NAME)
    ledger.begin_run("secop-robot run x")
    for key in ("1", "2", "3"):
        ledger.add_supplier(key, profile=f"{key}.yaml", legal_name=f"P{key}", nit=key, h="h")
    writer = SlowWriter(ledger, tmp_path, "es")
    writer.threads = []
    after = AfterSupplier(ledger.path, tmp_path, writer)
    ticks, blocked = asyncio.run(_batch(ledger, after))
    assert blocked < SLOW, "a supplier's end waited for the report"
    assert ticks >= 10, "the loop ran while the report was written"
    assert threading.get_ident() not in writer.threads
    assert len(writer.threads) == 2  # the first end, then the two that ended during it
    assert _statuses(tmp_path) == ["onboarded"] * 3
    assert (tmp_path / "suppliers" / "3" / "index.html").is_file()
    ledger.set_status("3", "failed", "después del cierre")
    after()  # after close: nothing written any more
    assert _statuses(tmp_path) == ["onboarded"] * 3 and len(writer.threads) == 2
    assert writer.error is None
    ledger.close()


def test_the_worker_reads_the_ledger_only(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / LEDGER_NAME)
    ledger.add_supplier("1", profile="1.yaml", legal_name="P1", nit="1", h="h")
    reader = Ledger.reader(ledger.path)
    assert [s.key for s in reader.suppliers()] == ["1"]
    ledger.set_status("1", "onboarded")
    assert reader.suppliers()[0].status == "onboarded"  # sees each committed write
    with pytest.raises(Exception, match="readonly"):
        reader.set_status("1", "failed")
    reader.close()
    ledger.close()
