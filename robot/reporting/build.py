"""Contexts for the report's templates, from the ledger and the files of the output folder."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from robot import secrets
from robot.errors import escape_controls
from robot.ledger import Ledger, StepRecord, SupplierRecord
from robot.reporting.context import (
    Count,
    DocumentRow,
    FieldRow,
    Image,
    IndexContext,
    MailRow,
    ProblemBox,
    RunRow,
    StepRow,
    SupplierContext,
    SupplierRow,
    UserRow,
)
from robot.reporting.i18n import label, texts

BOGOTA = ZoneInfo("America/Bogota")
SUPPLIER_PAGE = "index.html"
SHOTS_DIR = "screenshots"
SHOT_SUFFIX = ".webp"
OUTCOMES = ("onboarded", "access_requested", "parked", "failed", "stopped", "pending", "running")


def clean(value: Any) -> str:
    """A value as safe text: secrets masked, control characters (bidi overrides) escaped."""
    return escape_controls(secrets.mask("" if value is None else str(value)))


def when(stamp: float | None) -> str:
    if stamp is None:
        return ""
    return dt.datetime.fromtimestamp(stamp, BOGOTA).strftime("%Y-%m-%d %H:%M:%S")


def when_iso(text: Any) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return clean(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(BOGOTA).strftime("%Y-%m-%d %H:%M:%S")


def seconds_text(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 60:
        return f"{value:.1f} s"
    minutes, secs = divmod(round(value), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def size_text(size: Any) -> str:
    try:
        number = float(size)
    except (TypeError, ValueError):
        return "—"
    for unit in ("B", "KB", "MB"):
        if number < 1024 or unit == "MB":
            return f"{number:.0f} {unit}" if unit == "B" else f"{number:.1f} {unit}"
        number /= 1024
    return f"{number:.1f} MB"


def href(target: Path, page_dir: Path) -> str:
    """A link from a page in ``page_dir`` to ``target``, percent-encoded for file:// pages."""
    return quote(Path(os.path.relpath(target, page_dir)).as_posix())


def supplier_dir(out_dir: Path, key: str) -> Path:
    return out_dir / "suppliers" / key


def supplier_page(out_dir: Path, key: str) -> Path:
    return supplier_dir(out_dir, key) / SUPPLIER_PAGE


def _duration(record: SupplierRecord) -> float | None:
    if record.started_at is None or record.ended_at is None:
        return None
    return max(record.ended_at - record.started_at, 0.0)


def _identifiers(record: SupplierRecord, steps: dict[str, StepRecord]) -> list[str]:
    found = [f"{k}: {clean(v)}" for k, v in record.identifiers.items()]
    for name, step in steps.items():
        detail = step.detail
        if "decision" in detail:
            found.append(f"{name}: {clean(detail['decision'])}")
        if "directory_url" in detail:
            found.append(clean(detail["directory_url"]))
    return found


def index_context(ledger: Ledger, out_dir: Path, lang: str) -> IndexContext:
    t = texts(lang)
    records = ledger.suppliers()
    steps = {r.key: ledger.steps(r.key) for r in records}
    starts = [r.started_at for r in records if r.started_at is not None]
    now = time.time()
    ends = [r.ended_at if r.ended_at is not None else now for r in records if r.started_at]
    first = min(starts, default=now)
    span = max(max(ends, default=now) - first, 1e-6)
    rows = []
    for r in records:
        duration = _duration(r)
        left = width = 0.0
        if r.started_at is not None:
            left = (r.started_at - first) / span * 100
            end = r.ended_at if r.ended_at is not None else now
            width = max((end - r.started_at) / span * 100, 0.5)
        rows.append(
            SupplierRow(
                key=clean(r.key),
                href=href(supplier_page(out_dir, r.key), out_dir),
                legal_name=clean(r.legal_name),
                nit=clean(r.nit),
                profile=clean(r.profile),
                status=clean(r.status),
                status_label=label(lang, "status", r.status),
                duration_seconds=-1.0 if duration is None else round(duration, 1),
                duration_text=seconds_text(duration),
                identifiers=_identifiers(r, steps[r.key]),
                reason=clean(r.reason),
                bar_left=round(min(left, 99.5), 2),
                bar_width=round(min(width, 100 - min(left, 99.5)), 2),
                span_text=f"{when(r.started_at)} → {when(r.ended_at)}" if r.started_at else "",
            )
        )
    tally: dict[str, int] = {}
    for r in records:
        tally[r.status] = tally.get(r.status, 0) + 1
    order = [s for s in OUTCOMES if s in tally] + sorted(set(tally) - set(OUTCOMES))
    counts = [Count(clean(s), label(lang, "status", s), tally[s]) for s in order]
    runs = [
        RunRow(
            number=int(run["id"]),
            command=clean(run["command"]),
            started=when(run["started_at"]),
            ended=when(run["ended_at"]) or "—",
            outcome=clean(run["outcome"] or "—"),
        )
        for run in ledger.runs()
    ]
    return IndexContext(
        lang=lang,
        t=t,
        title=t["report_title"],
        generated=when(now),
        runs=runs,
        counts=counts,
        total=len(records),
        suppliers=rows,
        statuses=counts,
    )


def _users(steps: dict[str, StepRecord], lang: str) -> list[UserRow]:
    t = texts(lang)
    users: dict[str, str] = {}
    for name, step in steps.items():
        user = step.detail.get("user")
        if user is None:
            continue
        role = t["administrator"] if name.startswith("admin.") else t["additional_user"]
        users.setdefault(clean(user), role)
    return [UserRow(role=role, username=u, password=secrets.MASK) for u, role in users.items()]


def _fields(steps: dict[str, StepRecord]) -> tuple[list[FieldRow], list[str]]:
    form = steps.get("account.form")
    if form is None:
        return [], []
    sent: dict[str, Any] = form.detail.get("sent") or {}
    shown: dict[str, Any] = form.detail.get("shown") or {}
    rows = []
    for name in [*sent, *(k for k in shown if k not in sent)]:
        a = clean(sent.get(name, ""))
        b = clean(shown.get(name, ""))
        rows.append(FieldRow(label=clean(name), sent=a, shown=b, same=a == b))
    return rows, [clean(c) for c in form.detail.get("unspsc") or []]


def _manifest(out_dir: Path, steps: dict[str, StepRecord], key: str) -> tuple[dict[str, Any], Path]:
    docs = steps.get("documents")
    relative = (docs.detail.get("manifest") if docs else None) or (
        f"suppliers/{key}/documents/manifest.json"
    )
    path = out_dir / str(relative)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, path
    return (data if isinstance(data, dict) else {}), path


def _documents(
    out_dir: Path, steps: dict[str, StepRecord], key: str, lang: str
) -> list[DocumentRow]:
    t = texts(lang)
    manifest, path = _manifest(out_dir, steps, key)
    page_dir = supplier_dir(out_dir, key)
    uploaded = steps.get("account.documents")
    checks: dict[str, Any] = (uploaded.detail.get("documents") or {}) if uploaded else {}
    rows = []
    for entry in manifest.get("entries") or []:
        output = entry.get("output") or {}
        slot = str(entry.get("slot", ""))
        preview = None
        if entry.get("preview"):
            target = path.parent / str(entry["preview"])
            if target.is_file():
                preview = Image(
                    href=href(target, page_dir),
                    alt=f"{t['preview_alt']} {clean(output.get('name'))}",
                    caption="",
                )
        check = checks.get(slot)
        if not isinstance(check, dict) or "match" not in check:
            match = "unknown"
        else:
            match = "match" if check["match"] else "mismatch"
        rows.append(
            DocumentRow(
                slot=clean(slot),
                name=clean(output.get("name")),
                size_text=size_text(output.get("size")),
                sha256=clean(output.get("sha256")),
                marking=clean(entry.get("marking")),
                method=clean(entry.get("method")),
                preview=preview,
                match=match,
                match_text=t[f"hash_{match}"],
            )
        )
    return rows


def _problems(out_dir: Path, key: str, steps: dict[str, StepRecord], lang: str) -> list[ProblemBox]:
    t = texts(lang)
    page_dir = supplier_dir(out_dir, key)
    boxes = []
    for name, step in steps.items():
        if step.status not in ("failed", "parked"):
            continue
        shot = None
        if step.detail.get("screenshot") and (out_dir / step.detail["screenshot"]).is_file():
            shot = Image(
                href=href(out_dir / step.detail["screenshot"], page_dir),
                alt=f"{t['screenshot_of']} {name}",
                caption=t["screenshot_note"],
            )
        trace = ""
        command = ""
        if step.detail.get("trace") and (out_dir / step.detail["trace"]).is_file():
            trace = href(out_dir / step.detail["trace"], page_dir)
            command = f"playwright show-trace {Path(step.detail['trace']).as_posix()}"
        boxes.append(
            ProblemBox(
                step=clean(name),
                status_label=label(lang, "step", step.status),
                message=clean(step.message),
                screenshot=shot,
                trace_href=trace,
                trace_command=clean(command),
                url=clean(step.detail.get("url", "")),
            )
        )
    return boxes


def _shots(out_dir: Path, key: str, steps: dict[str, StepRecord], lang: str) -> list[Image]:
    t = texts(lang)
    page_dir = supplier_dir(out_dir, key)
    shots = []
    for name in steps:
        target = page_dir / SHOTS_DIR / f"{name}{SHOT_SUFFIX}"
        if target.is_file():
            shots.append(
                Image(
                    href=href(target, page_dir),
                    alt=f"{t['screenshot_of']} {name}",
                    caption=clean(name),
                )
            )
    return shots


def supplier_context(
    ledger: Ledger, out_dir: Path, record: SupplierRecord, lang: str
) -> SupplierContext:
    t = texts(lang)
    steps = ledger.steps(record.key)
    fields, unspsc = _fields(steps)
    directory = steps.get("account.directory")
    published_raw: dict[str, Any] = (directory.detail.get("published") or {}) if directory else {}
    url = clean(directory.detail.get("directory_url", "")) if directory else ""
    mails = [
        MailRow(
            user=clean(s.detail.get("user", "")),
            step=clean(n),
            arrived=when_iso(s.detail["mail_sent_at"]),
        )
        for n, s in steps.items()
        if s.detail.get("mail_sent_at")
    ]
    page_dir = supplier_dir(out_dir, record.key)
    return SupplierContext(
        lang=lang,
        t=t,
        title=f"{clean(record.legal_name)} — {t['supplier_title']}",
        generated=when(time.time()),
        back_href=href(out_dir / "index.html", page_dir),
        legal_name=clean(record.legal_name),
        nit=clean(record.nit),
        profile=clean(record.profile),
        status=clean(record.status),
        status_label=label(lang, "status", record.status),
        reason=clean(record.reason),
        started=when(record.started_at) or "—",
        ended=when(record.ended_at) or "—",
        duration_text=seconds_text(_duration(record)),
        users=_users(steps, lang),
        steps=[
            StepRow(
                name=clean(n),
                status=clean(s.status),
                status_label=label(lang, "step", s.status),
                started=when(s.started_at) or "—",
                duration_text=seconds_text(s.duration),
                attempts=s.attempts,
                message=clean(s.message),
            )
            for n, s in steps.items()
        ],
        fields=fields,
        unspsc=unspsc,
        published=[
            FieldRow(label=clean(k), sent="", shown=clean(v), same=False)
            for k, v in published_raw.items()
        ],
        directory_url=url,
        directory_is_link=url.startswith(("https://", "http://")),
        documents=_documents(out_dir, steps, record.key, lang),
        mails=mails,
        shots=_shots(out_dir, record.key, steps, lang),
        problems=_problems(out_dir, record.key, steps, lang),
    )
