"""``results.json``: one entry per supplier, written from the ledger (so a killed run's next
run, or ``secop-robot report``, can always write it again).

Each entry: ``profile``, ``nit``, ``legal_name``, ``status`` (onboarded, access_requested,
parked, failed, stopped, pending), ``reason``, ``steps_done`` (in order), ``steps`` (every step
with its status, times and attempts), ``identifiers`` (the portal's: account decision, the
Directorio page, user names), ``started_at``/``ended_at`` (ISO, America/Bogota) and
``duration_seconds``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from robot import secrets
from robot.ledger import Ledger, StepRecord
from robot.outfiles import write_text

RESULTS_NAME = "results.json"
BOGOTA = ZoneInfo("America/Bogota")
IDENTIFIER_KEYS = ("decision", "account_id", "directory_url", "user", "state")


def iso(stamp: float | None) -> str | None:
    if stamp is None:
        return None
    return dt.datetime.fromtimestamp(stamp, BOGOTA).isoformat(timespec="seconds")


def entries(ledger: Ledger) -> list[dict[str, Any]]:
    result = []
    for supplier in ledger.suppliers():
        steps = ledger.steps(supplier.key)
        ids: dict[str, Any] = dict(supplier.identifiers)
        for name, record in steps.items():
            found = {k: record.detail[k] for k in IDENTIFIER_KEYS if k in record.detail}
            if found:
                ids[name] = found
        duration = None
        if supplier.started_at is not None and supplier.ended_at is not None:
            duration = round(supplier.ended_at - supplier.started_at, 1)
        result.append(
            {
                "profile": supplier.profile,
                "nit": supplier.nit,
                "legal_name": supplier.legal_name,
                "status": supplier.status,
                "reason": supplier.reason,
                "steps_done": [n for n, r in steps.items() if r.done],
                "steps": [_step(r) for r in steps.values()],
                "identifiers": ids,
                "started_at": iso(supplier.started_at),
                "ended_at": iso(supplier.ended_at),
                "duration_seconds": duration,
            }
        )
    return result


def _step(record: StepRecord) -> dict[str, Any]:
    return {
        "step": record.step,
        "status": record.status,
        "attempts": record.attempts,
        "started_at": iso(record.started_at),
        "ended_at": iso(record.ended_at),
        "duration_seconds": None if record.duration is None else round(record.duration, 2),
        "message": record.message,
    }


def write_results(ledger: Ledger, out_dir: Path) -> Path:
    """Write ``results.json`` whole (``robot.outfiles``)."""
    data = {"suppliers": entries(ledger), "runs": ledger.runs()}
    text = secrets.mask(json.dumps(data, ensure_ascii=False, indent=2)) + "\n"
    target = out_dir / RESULTS_NAME
    write_text(target, text)
    return target
