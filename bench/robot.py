"""Benchmark: suppliers per minute of the robot against the bundled mock, next to a minimal
hand-written Playwright script doing the same page actions (the robot's overhead ratio).

    .venv/bin/python bench/robot.py [--suppliers 8] [--concurrency 1 4] [--repeats 2] [--quick]
                                    [--bare] [--save FILE] [--report-from FILE]

For every (repeat, concurrency) the parent generates N synthetic profiles (unique NITs with
computed check digits, unique e-mails in proveedores.test and user names, the sample ACME
documents: two plain PDFs, a PNG and a PDF watermarked; no additional users), then measures
in a fresh child process each:

- robot: ``load_batch`` + ``robot.run_cli.execute`` in process (what ``secop-robot run``
  does after Python started): the bundled mock started with pymap and no faults, Chromium
  launched, the batch, the results, the mock stopped;
- baseline: bench/baseline_playwright.py: the same kind of fresh mock (``Bundle``, pymap, no
  faults) started, Chromium launched, the same page actions, everything stopped. Its documents
  are prepared before the clock starts, with the robot's own ``prepare_documents``.

Both clocks include the mock's and Chromium's start and stop; neither includes Python's
start-up or imports. Each run is verified on the portal's SQLite file: every administrator
active, every account active with its administrator Aceptado and exactly the prepared files.
Suppliers per minute = N / wall time; overhead ratio = robot time / baseline time. ``--bare``
also measures the robot with the report's evidence off (a diagnosis); ``--save`` keeps the raw
figures after every batch, ``--report-from`` writes the page again from them. Writes
docs/benchmarks/robot.md (not with --quick).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# This file is bench/robot.py: its folder must not shadow the robot package, so it goes last.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))

from robot import portal_rules, refdata  # noqa: E402

OUT = ROOT / "docs" / "benchmarks" / "robot.md"
PASSWORD_ENV = "SECOP_BENCH_PASSWORD"
PASSWORD = "Bench-Clave-2026!"
DOCS = ROOT / "profiles" / "docs"

TEMPLATE = """\
if_exists: stop
supplier:
  person_type: juridica
  organization_type: {org}
  legal_name: Empresa Medida {tag} S.A.S.
  short_name: MEDIDA {tag}
  nit: {nit}
  address: Calle {i} # 10-20
  departamento: "{dep}"
  municipio: "{mun}"
  phone: 601 745 {phone:04d}
  email: tramites+empresa-{tag}@proveedores.test
  company_size: {size}
  unspsc_main: "{unspsc0}"
  unspsc_others: ["{unspsc1}", "{unspsc2}"]
  legal_representative:
    first_name: Persona
    last_name: Medida {i}
    id_type: CC
    id_number: "{cc}"
    phone: 300 {phone:03d} {phone:04d}
    email: tramites+rep-{tag}@proveedores.test
  financial:
    fiscal_year: 2025
    total_assets: 1250000000
    current_assets: 800000000
    total_liabilities: 430000000
    current_liabilities: 210000000
    equity: 820000000
    operating_income: 145000000
administrator:
  first_name: Admin
  last_name: Medido {i}
  id_type: CC
  id_number: "{cc2}"
  email: tramites+admin-{tag}@proveedores.test
  phone: 310 555 {phone:04d}
  username: admin.{tag}
  password: ${{{password_env}}}
  accept_terms: true
  data_policy_consent: true
documents:
  - slot: rut
    path: {docs}/acme-rut.pdf
  - slot: existencia
    path: {docs}/acme-existencia.pdf
  - slot: cedula_representante
    path: {docs}/acme-cedula-representante.png
    confidential: true
    marking: watermark
    image_output: pdf
  - slot: estados_financieros
    path: {docs}/acme-estados-financieros.pdf
    confidential: true
    marking: watermark
"""

BASELINE_PHASES = [
    "register",
    "mail",
    "activate",
    "login",
    "entity",
    "form",
    "save",
    "finalize",
    "directory",
]


# --- the batch ------------------------------------------------------------------------------


def generate(folder: Path, count: int, batch: int) -> Path:
    """``count`` valid profiles and a scenario on the bundled mock (pymap, no faults)."""
    rng = random.Random(2026 + batch)
    municipios = refdata.municipios()
    classes = [c for c, e in refdata.unspsc().items() if e.nivel == "clase"]
    paths = []
    for i in range(count):
        tag = f"b{batch:02d}s{i:03d}"
        number = str(901_000_000 + batch * 1000 + i * 7)
        mun = rng.choice(municipios)
        codes = rng.sample(classes, 3)
        text = TEMPLATE.format(
            tag=tag,
            i=i,
            org=rng.choice(["sas", "ltda", "sa"]),
            nit=f"{number}-{portal_rules.nit_check_digit(number)}",
            dep=mun.departamento,
            mun=mun.nombre,
            phone=i % 10_000,
            size=rng.choice(list(portal_rules.COMPANY_SIZES)),
            unspsc0=codes[0],
            unspsc1=codes[1],
            unspsc2=codes[2],
            cc=str(10_000_000 + batch * 1000 + i),
            cc2=str(20_000_000 + batch * 1000 + i),
            password_env=PASSWORD_ENV,
            docs=DOCS,
        )
        path = folder / f"empresa-{tag}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    scenario = {
        "name": "bench",
        "portal": {"mock": {"mail_backend": "pymap", "faults": {}}},
        "profiles": [str(p) for p in paths],
        "concurrency": 1,
        "steps": ["user", "account", "additional_users"],
        "output": str(folder / "out"),
    }
    path = folder / "scenario.yaml"
    path.write_text(json.dumps(scenario, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def verify(db: Path, manifests: dict[str, list[tuple[str, str, int, str]]]) -> None:
    """The portal holds what an onboarding leaves: active admin, active account, the files."""
    with sqlite3.connect(db) as conn:
        accounts = dict(conn.execute("SELECT nit, status FROM accounts").fetchall())
        members = conn.execute(
            "SELECT a.nit, u.status, m.state FROM memberships m"
            " JOIN users u ON u.id = m.user_id JOIN accounts a ON a.id = m.account_id"
            " WHERE m.role = 'admin'"
        ).fetchall()
        documents = conn.execute(
            "SELECT a.nit, d.slot, d.filename, d.size, d.sha256 FROM documents d"
            " JOIN accounts a ON a.id = d.account_id"
        ).fetchall()
    assert accounts == dict.fromkeys(manifests, "active"), accounts
    assert sorted(members) == sorted((n, "active", "Aceptado") for n in manifests), members
    for nit, expected in manifests.items():
        held = sorted(tuple(row[1:]) for row in documents if row[0] == nit)
        assert held == sorted(expected), (nit, held, expected)


def manifest_rows(folder: Path) -> list[tuple[str, str, int, str]]:
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [
        (e["slot"], e["output"]["name"], e["output"]["size"], e["output"]["sha256"])
        for e in data["entries"]
    ]


# --- the two sides, each in a child process ----------------------------------------------------


def cpu() -> float:
    """CPU seconds of this process and of its ended children (Chromium through Playwright's
    driver, the mock's processes), user + system: the work done, whatever the machine's load."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + ended.ru_utime + ended.ru_stime


def without_evidence() -> None:
    """Diagnosis only: the robot with the report's evidence off (the screenshot after every
    step and the Playwright trace chunk of every step), to show what that evidence costs."""
    import robot.runner
    from robot.reporting.traces import StepTrace

    async def no_shot(*args: object, **kwargs: object) -> None:
        return None

    async def no_trace(*args: object, **kwargs: object) -> StepTrace:
        return StepTrace(None)

    robot.runner.__dict__.update(shoot=no_shot, _trace=no_trace)


def child_robot(scenario_path: Path, concurrency: int, *, bare: bool = False) -> dict[str, Any]:
    import robot.bundled
    import robot.cli  # first, as the command line does (it registers run_cli's commands)
    import robot.runner  # noqa: F401  # imports before the clock, as for the baseline
    from robot import run_cli, settings
    from robot.flows.runtime import Options
    from robot.scenarios import STEPS

    if bare:
        without_evidence()
    options = Options(
        timeout=float(settings.resolve("robot.timeout_seconds")),
        mail_timeout=float(settings.resolve("robot.mail_timeout_seconds")),
        retries=int(settings.resolve("robot.retries")),
        backoff=float(settings.resolve("robot.backoff_seconds")),
        backoff_max=float(settings.resolve("robot.backoff_max_seconds")),
    )
    start, cpu_start = time.perf_counter(), cpu()
    scenario, profiles = run_cli.load_batch((scenario_path,))
    loaded = time.perf_counter()
    phases = [str(s) for s in STEPS if s in scenario.steps]
    out = scenario.output_dir.resolve() / ("bare" if bare else "robot")
    code = run_cli.execute(scenario, profiles, phases, out, options, concurrency, quiet=True)
    seconds, cpu_seconds = time.perf_counter() - start, cpu() - cpu_start
    assert code == 0, f"the robot ended with exit code {code}; see {out}"
    nits = [p.supplier.nit_number for p in profiles]
    verify(
        out / "portal" / "portal.sqlite3",
        {n: manifest_rows(out / "suppliers" / n / "documents") for n in nits},
    )
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "load_seconds": loaded - start,
        "suppliers": len(profiles),
        "spans": step_spans(out / "ledger.sqlite3"),
        "gaps": gaps(out / "ledger.sqlite3"),
    }


def step_spans(ledger: Path) -> dict[str, list[float]]:
    """Per step, the time from the end of the previous step (the supplier's start for the
    first) to its end: probes, ledger writes and evidence included, so they add up."""
    with sqlite3.connect(ledger) as conn:
        starts = dict(conn.execute("SELECT key, started_at FROM suppliers").fetchall())
        rows = conn.execute(
            "SELECT supplier, step, ended_at FROM steps WHERE status = 'done' ORDER BY 1, 3"
        ).fetchall()
    spans: dict[str, list[float]] = {}
    last: dict[str, float] = {}
    for key, step, ended in rows:
        spans.setdefault(step, []).append(ended - last.get(key, starts[key]))
        last[key] = ended
    return spans


def gaps(ledger: Path) -> dict[str, list[float]]:
    """Per step, the part of its span outside the step's own recorded start..end: the looks at
    the portal before acting (login probes, opening the form), the ledger, the evidence."""
    with sqlite3.connect(ledger) as conn:
        starts = dict(conn.execute("SELECT key, started_at FROM suppliers").fetchall())
        rows = conn.execute(
            "SELECT supplier, step, started_at, ended_at FROM steps"
            " WHERE status = 'done' ORDER BY 1, 4"
        ).fetchall()
    out: dict[str, list[float]] = {}
    last: dict[str, float] = {}
    for key, step, began, ended in rows:
        out.setdefault(step, []).append(max(began - last.get(key, starts[key]), 0.0))
        last[key] = ended
    return out


def baseline_suppliers(scenario_path: Path) -> tuple[list[Any], dict[str, Any]]:
    """The profiles as the script gets them, their documents prepared (before the clock)."""
    import baseline_playwright as base

    from robot import secrets
    from robot.documents.from_profile import specs_from_profile, supplier_from_profile
    from robot.documents.prepare import prepare_documents
    from robot.portal.mapping import supplier_values
    from robot.portal_rules import WATERMARK_TEXT
    from robot.scenarios import load_scenario

    scenario = load_scenario(scenario_path)
    suppliers = []
    manifests = {}
    for p in scenario.load_profiles():
        docs = scenario_path.parent / "baseline" / p.supplier.nit_number
        manifest = prepare_documents(
            specs_from_profile(p),
            supplier_from_profile(p),
            docs,
            max_bytes=int(scenario.portal.max_upload_mb * 1024 * 1024),
            template=p.watermark_text or WATERMARK_TEXT,
        )
        files = {e.slot: docs / e.output.name for e in manifest.entries}
        manifests[p.supplier.nit_number] = manifest_rows(docs)
        password = secrets.resolve(p.administrator.password, base_dir=p.base_dir)
        suppliers.append(base.Supplier(p, supplier_values(p), password, files))
    return suppliers, manifests


def child_baseline(scenario_path: Path, concurrency: int) -> dict[str, Any]:
    import baseline_playwright as base
    from playwright.async_api import async_playwright

    from robot.browser_path import CHROMIUM_ARGS, find_chromium
    from robot.mail import MailboxConfig, MailWatcher
    from robot.mock_portal.server import Bundle

    suppliers, manifests = baseline_suppliers(scenario_path)

    async def batch(url: str, watcher: MailWatcher) -> None:
        async with async_playwright() as pw:
            executable = find_chromium()
            browser = await pw.chromium.launch(
                headless=True, args=list(CHROMIUM_ARGS), executable_path=executable
            )
            try:
                await base.run_batch(browser, url, watcher, suppliers, concurrency)
            finally:
                await browser.close()

    db = scenario_path.parent / "baseline" / "portal.sqlite3"
    start, cpu_start = time.perf_counter(), cpu()
    bundle = Bundle(mail_backend="pymap", db_path=db).start()
    try:
        assert bundle.portal is not None and bundle.stack is not None
        info = bundle.stack.describe()
        config = MailboxConfig(
            host=str(info["imap_host"]),
            port=int(info["imap_port"]),
            user=str(info["user"]),
            password=str(info["password"]),
            tls="none",
            allowed_hosts=(bundle.portal.url.removeprefix("http://"),),
        )
        watcher = MailWatcher(config).start()
        try:
            asyncio.run(batch(bundle.portal.url, watcher))
        finally:
            watcher.stop()
    finally:
        bundle.stop()
    seconds, cpu_seconds = time.perf_counter() - start, cpu() - cpu_start
    verify(db, manifests)
    phases: dict[str, list[float]] = {}
    for s in suppliers:
        previous = 0.0
        for name in BASELINE_PHASES:
            phases.setdefault(name, []).append(s.marks[name] - previous)
            previous = s.marks[name]
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "suppliers": len(suppliers),
        "phases": phases,
    }


def measure(mode: str, scenario: Path, concurrency: int) -> dict[str, Any]:
    """One measurement in a fresh Python process (no state shared between measurements)."""
    result = scenario.parent / f"{mode}.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECOP_")}
    env[PASSWORD_ENV] = PASSWORD
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(scenario), str(concurrency), str(result)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if done.returncode != 0:
        raise SystemExit(f"{mode} failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    data: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
    return data


# --- figures -------------------------------------------------------------------------------------


def med(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def spread(values: list[float]) -> str:
    return f"{min(values):.1f}–{max(values):.1f}" if len(values) > 1 else "one run"


def per_minute(n: int, seconds: float) -> float:
    return n / seconds * 60


def tree() -> str:
    """The commit measured, ``-dirty`` when the working tree had uncommitted changes."""
    done = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "?"


def load() -> str:
    try:
        return Path("/proc/loadavg").read_text(encoding="utf-8").split()[0]
    except OSError:
        return "?"


def report(
    args: argparse.Namespace, runs: list[dict[str, Any]], loads: list[str], trees: list[str]
) -> str:
    n = args.suppliers
    when = getattr(args, "when", None) or time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    bare = " --bare" if any("bare" in r for r in runs) else ""
    lines = [
        "# Benchmark: the robot against a minimal Playwright script",
        "",
        f"`python bench/robot.py --suppliers {n} --concurrency "
        f"{' '.join(map(str, args.concurrency))} --repeats {args.repeats}{bare}` on "
        f"{when} UTC: {platform.machine()}, "
        f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}.",
        "",
        "The machine is shared with other engineers' test runs: the 1-minute load average "
        f"was {', '.join(loads)} when the batches started (2 cores), so every figure "
        f"is the median of {len(runs) // max(len(args.concurrency), 1)} runs per concurrency "
        "and the spread (min–max) is shown.",
        "",
        *code_note(trees),
        "## Method",
        "",
        f"Each measured batch is {n} synthetic suppliers (unique NITs with computed check digits, "
        "unique e-mails in the mock's catch-all domain proveedores.test and user names, a random "
        "municipio and three UNSPSC classes for the lupas, ACME's four sample documents: two "
        "plain PDFs, a PNG turned into a watermarked PDF and a watermarked PDF); the "
        "administrator only, **no additional users**. Every batch meets a fresh bundled mock "
        "(pymap, no faults) and runs in a fresh Python process.",
        "",
        "- **robot**: `load_batch` + `robot.run_cli.execute` in process, i.e. `secop-robot run` "
        "after Python has started: validation, the documents step (watermarks), the ledger, "
        "the login probes before creating, the form filled and read back, the uploads checked "
        "by SHA-256, Finalizar, the Directorio check of the hashes, the report's evidence, "
        "results.json.",
        "- **baseline**: `bench/baseline_playwright.py`, plain async Playwright: Registrar "
        "usuario, the activation mail through the project's MailWatcher (same IMAP path), the "
        "link, Ingresar, Validar + Registrar Entidad + Generar formulario, every field with the "
        "same values (the robot's profile-to-form mapping), the municipio and UNSPSC lupas, the "
        "same prepared files (prepared before its clock starts), one Guardar, Finalizar, the "
        "supplier opened in the Directorio as the logged-in user. No ledger, no retries, no "
        "probes, no reading back.",
        "",
        "Both clocks include starting and stopping the mock (portal + SMTP + IMAP) and "
        "Chromium, and neither includes Python's start-up and imports. After each run the "
        "portal's SQLite file is checked: every administrator active and Aceptado, every "
        "account active, holding exactly the prepared files (name, size, SHA-256).",
        "",
        "## Figures",
        "",
        "| Concurrency | Robot s (spread) | Robot suppliers/min | Baseline s (spread) "
        "| Baseline suppliers/min | Overhead ratio (spread) |",
        "|---|---|---|---|---|---|",
    ]
    ratios: dict[int, float] = {}
    for c in args.concurrency:
        robot = [r["robot"]["seconds"] for r in runs if r["concurrency"] == c]
        baseline = [r["baseline"]["seconds"] for r in runs if r["concurrency"] == c]
        pairs = [
            r["robot"]["seconds"] / r["baseline"]["seconds"] for r in runs if r["concurrency"] == c
        ]
        ratios[c] = med(robot) / med(baseline)
        lines.append(
            f"| {c} | {med(robot):.1f} ({spread(robot)}) | {per_minute(n, med(robot)):.1f} "
            f"| {med(baseline):.1f} ({spread(baseline)}) | {per_minute(n, med(baseline)):.1f} "
            f"| **{ratios[c]:.2f}** ({spread_ratio(pairs)}) |"
        )
    if any("bare" in r for r in runs):
        lines += [
            "",
            "Diagnosis, not the product: the robot with the report's evidence switched "
            "off (no screenshot after each step, no Playwright trace chunk per step):",
            "",
            "| Concurrency | Robot without evidence s (spread) | suppliers/min "
            "| Ratio to baseline |",
            "|---|---|---|---|",
        ]
        for c in args.concurrency:
            off = [r["bare"]["seconds"] for r in runs if r["concurrency"] == c]
            base = [r["baseline"]["seconds"] for r in runs if r["concurrency"] == c]
            lines.append(
                f"| {c} | {med(off):.1f} ({spread(off)}) | {per_minute(n, med(off)):.1f} "
                f"| {med(off) / med(base):.2f} |"
            )
    if all("cpu_seconds" in r[m] for r in runs for m in ("robot", "baseline")):
        lines += cpu_table(runs, args.concurrency)
    load_s = med([r["robot"]["load_seconds"] for r in runs])
    lines += [
        "",
        "Overhead ratio = median robot time / median baseline time (in brackets: the ratios of "
        "the runs measured side by side). The goal is ≤ 1.15. "
        f"Validation of the {n} profiles (`load_batch`) is {load_s:.2f} s of the robot's time.",
        "",
    ]
    lines += split_table(runs, min(args.concurrency))
    lines += analysis(runs, args.concurrency, n)
    lines += WINS + RERUN
    return "\n".join(lines)


def cpu_table(runs: list[dict[str, Any]], levels: list[int]) -> list[str]:
    """The work each side did (CPU seconds of all its processes): the load of a shared
    machine stretches wall times, much less the work."""
    lines = [
        "",
        "Work done, whatever the load: CPU seconds (user + system) of every process of each "
        "side between the same clock points (the Python process, Chromium through Playwright's "
        "driver, the mock portal and its mail servers):",
        "",
        "| Concurrency | Robot CPU s | Baseline CPU s | CPU ratio |"
        + (" Robot without evidence CPU s |" if all("bare" in r for r in runs) else ""),
        "|---|---|---|---|" + ("---|" if all("bare" in r for r in runs) else ""),
    ]
    for c in levels:
        chosen = [r for r in runs if r["concurrency"] == c]
        robot = med([r["robot"]["cpu_seconds"] for r in chosen])
        base = med([r["baseline"]["cpu_seconds"] for r in chosen])
        row = f"| {c} | {robot:.1f} | {base:.1f} | {robot / base:.2f} |"
        if all("bare" in r and "cpu_seconds" in r["bare"] for r in chosen):
            row += f" {med([r['bare']['cpu_seconds'] for r in chosen]):.1f} |"
        lines.append(row)
    return lines


def outside(run: dict[str, Any], mode: str) -> float:
    """Seconds of a concurrency-1 run spent outside the suppliers' own work: starting and
    stopping the mock and Chromium, and (robot) the results and report pages written after
    each supplier and at the end."""
    side = run[mode]
    if mode == "baseline":
        busy = sum(sum(v) for v in side["phases"].values())
    else:
        busy = sum(sum(v) for v in side["spans"].values())
    return float(side["seconds"] - busy)


def analysis(runs: list[dict[str, Any]], levels: list[int], n: int) -> list[str]:
    lines = ["## Where the robot's extra time goes", ""]
    for c in levels:
        chosen = [r for r in runs if r["concurrency"] == c]
        robot = med([r["robot"]["seconds"] for r in chosen])
        baseline = med([r["baseline"]["seconds"] for r in chosen])
        if all("bare" in r for r in chosen):
            bare = med([r["bare"]["seconds"] for r in chosen])
            lines.append(
                f"- Concurrency {c}: the robot takes {robot - baseline:.0f} s more than the "
                f"baseline for {n} suppliers; {robot - bare:.0f} s of it is the report's "
                f"evidence (screenshot after every step, Playwright trace chunk of every step), "
                f"{bare - baseline:.0f} s the rest."
            )
    ones = [r for r in runs if r["concurrency"] == 1]
    if ones:
        modes = [m for m in ("robot", "bare", "baseline") if all(m in r for r in ones)]
        shown = ", ".join(f"{m} {med([outside(r, m) for r in ones]):.1f} s" for m in modes)
        lines.append(
            "- Outside the suppliers' steps at concurrency 1 (mock and Chromium start and stop; "
            f"for the robot also results.json and the report pages after every supplier): {shown}."
        )
    lines += [
        "- Inside the steps (table above, without evidence against the baseline): the look "
        "at the portal before creating the user (a login that is refused) in `admin.register`; "
        "a second Guardar (fields, then files, each its own resumable step); the form's fields "
        "read before typing and read back after Guardar, the uploads read back before and "
        "after, the Directorio's published fields and hashes read (one `evaluate` each); the "
        "documents step (watermarks); a ledger transaction at each step's start and end.",
        "",
    ]
    return lines


# The commits that applied the cheap wins (rewrite after a rebase).
APPLIED = {
    "trace": "16f9590",
    "shot": "4ca2d64",
    "after": "464d1ca",
    "form": "80a4d03",
    "reads": "0469136",
}
WINS = [
    "## Cheap wins seen (all five applied)",
    "",
    "The report's evidence was the largest single part of the gap. In order of expected gain:",
    "",
    f"1. Applied in {APPLIED['trace']}. `robot/runner.py` `_trace` / "
    "`robot/reporting/traces.py` `StepTrace.begin`: a trace chunk with DOM snapshots for "
    "every step, kept only when the step fails. Now a step's first attempt is traced without "
    "DOM snapshots (every action with its parameters, timing and error, and the console) and "
    "each retry in a new chunk with DOM snapshots and the network, so a first-attempt "
    "failure still has a trace of the failed attempt and a step parked after its retries the "
    "fuller one. Measured on 40 fields filled and read three times (120 actions): traced "
    "without snapshots +10 %, with snapshots +60 % over no trace; starting the trace only "
    "on a retry would have left every first-attempt failure (every data error) without one.",
    f"2. Applied in {APPLIED['shot']}. `Actor.screenshot` (`robot/flows/runtime.py`, "
    "`full_page=True`): a full-page PNG after every step, then WebP-compressed in a thread, "
    "of which the report keeps the top 1,400 px at 720 wide, i.e. 2,489 px of the 1,280 px "
    "window. Now a `clip` to those 2,489 px, captured as a JPEG (quality 90) before the same "
    "WebP compression, the same picture: 2–4 times cheaper on a synthetic 3,100 px form on "
    "the loaded machine, 188 against 223 ms (about 16 %) on the mock's own pages. One "
    "milestone per supplier instead of one per step would save more but drop evidence the "
    "report shows (docs/reports.md), so it was not done.",
    f"3. Applied in {APPLIED['after']}. `robot/run_cli.py` `_after_supplier`: results.json "
    "and the report pages were written in the event loop after every supplier, blocking the "
    "other suppliers' browser work at concurrency > 1. Now `AfterSupplier` writes them in a "
    "worker thread with a read-only ledger connection of its own, one write at a time, "
    "suppliers that end during a write folded into the next one.",
    f"4. Applied in {APPLIED['form']}. `robot/flows/account.py` `_open_form`: the form is not "
    "loaded again when the page already shows it (after the login that lands there, after "
    "Guardar).",
    f"5. Applied in {APPLIED['reads']}. `robot/portal/pages/supplier.py` `SupplierForm._set` "
    "(`is_editable()` and `input_value()` before every `fill`), `shown_values` (one "
    "`input_value()` per field) and `uploaded` (five calls per document row), "
    "`robot/portal/pages/directory.py` `DirectoryPage.read` (`count()` + `inner_text()` per "
    "published field and document): now one `evaluate` each, about 100 browser round trips "
    "less per supplier; a label that does not name exactly one control falls back to its "
    "`get_by_label` locator.",
    "",
    "Not cheap, and what the robot is for: the refused login before Registrar, the second "
    "login after activation, the separate Guardar of the documents step, the read-backs and "
    "the ledger are the idempotence and resume guarantees of issue 9; since 4ba9d55 also the "
    "Directorio search before Registrar for a profile with `if_exists: stop` (these "
    "benchmark profiles). What is left of the evidence's cost is one screenshot per step and "
    "one trace chunk (without snapshots) per step.",
    "",
]

RERUN = [
    "## Re-run",
    "",
    "```console",
    "$ .venv/bin/python bench/robot.py --suppliers 8 --concurrency 1 4 --repeats 2 --bare \\",
    "      --save /tmp/robot-bench.json   # about 30 min on a busy 2-core box; rewrites this page",
    "$ .venv/bin/python bench/robot.py --report-from /tmp/robot-bench.json   # the page again",
    "$ .venv/bin/python bench/robot.py --suppliers 1 --concurrency 1 --quick  # a smoke run",
    "```",
    "",
    "`--bare` adds the diagnosis (the robot with the evidence off); `--quick` writes nothing. "
    "tests/bench/test_robot_bench.py runs the smoke run.",
    "",
]


def code_note(trees: list[str]) -> list[str]:
    """What code was measured; a tree that moved or had uncommitted changes is said."""
    if not trees:
        return []
    first, last = trees[0], trees[-1]
    if first == last and not first.endswith("-dirty"):
        return [f"Code measured: commit {first}.", ""]
    return [
        f"Code measured: the working tree from {first} to {last} (`git describe --dirty` at "
        "each batch's start): other engineers were committing and editing robot/ during the "
        "run (page objects, mock portal, report), and each batch measured the tree as it was "
        "when its process started, so the repeats did not all run identical code.",
        "",
    ]


def spread_ratio(values: list[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}" if len(values) > 1 else "one run"


def split_table(runs: list[dict[str, Any]], c: int) -> list[str]:
    """Where the time of one supplier goes, at concurrency ``c`` (medians over every supplier)."""
    chosen = [r for r in runs if r["concurrency"] == c]
    spans: dict[str, list[float]] = {}
    bare: dict[str, list[float]] = {}
    gap: dict[str, list[float]] = {}
    phases: dict[str, list[float]] = {}
    for r in chosen:
        for k, v in r["robot"]["spans"].items():
            spans.setdefault(k, []).extend(v)
        for k, v in r.get("bare", {}).get("spans", {}).items():
            bare.setdefault(k, []).extend(v)
        for k, v in r["robot"]["gaps"].items():
            gap.setdefault(k, []).extend(v)
        for k, v in r["baseline"]["phases"].items():
            phases.setdefault(k, []).extend(v)
    pairs = {
        "documents": [],
        "admin.register": ["register"],
        "admin.activate": ["mail", "activate"],
        "account.entity": ["login", "entity"],
        "account.form": ["form"],
        "account.documents": ["save"],
        "account.finalize": ["finalize"],
        "account.directory": ["directory"],
    }
    lines = [
        f"## Where one supplier's time goes (concurrency {c})",
        "",
        "Robot: per step, from the end of the previous step to its end (ledger times), and the "
        "part of it before the step's recorded start (the look at the portal before acting: "
        "a login probe, opening the form; plus the previous step's evidence and ledger writes). "
        "Baseline: the same actions, timed in the script. Medians over every supplier, seconds.",
        "",
        "| Robot step | Robot s | of which before its start | Robot without evidence s "
        "| Baseline actions | Baseline s |",
        "|---|---|---|---|---|---|",
    ]
    total_r = total_n = total_b = 0.0
    for step, names in pairs.items():
        mine = med(spans.get(step, []))
        nb = med(bare.get(step, []))
        b = sum(med(phases.get(name, [])) for name in names)
        total_r += mine
        total_n += nb
        total_b += b
        lines.append(
            f"| `{step}` | {mine:.2f} | {med(gap.get(step, [])):.2f} | {nb:.2f} "
            f"| {' + '.join(names) or '(done before the clock)'} | {b:.2f} |"
        )
    lines += [
        f"| **sum of medians** | **{total_r:.2f}** | | **{total_n:.2f}** | | **{total_b:.2f}** |",
        "",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suppliers", type=int, default=8)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="one run each, nothing written")
    parser.add_argument(
        "--bare", action="store_true", help="also the robot without the report's evidence"
    )
    parser.add_argument("--save", type=Path, help="keep the raw figures here after each batch")
    parser.add_argument("--report-from", type=Path, help="only write the page from saved figures")
    parser.add_argument("--child", nargs=4, metavar=("MODE", "SCENARIO", "C", "RESULT"))
    args = parser.parse_args()
    if args.child:
        mode, scenario, c, result = args.child
        if mode == "baseline":
            data = child_baseline(Path(scenario), int(c))
        else:
            data = child_robot(Path(scenario), int(c), bare=mode == "bare")
        Path(result).write_text(json.dumps(data), encoding="utf-8")
        return
    if args.quick:
        args.repeats = 1
    if args.report_from:
        saved = json.loads(args.report_from.read_text(encoding="utf-8"))
        vars(args).update(saved["args"], bare=False, when=saved.get("when"))
        write(args, saved["runs"], saved["loads"], saved.get("trees", []))
        return
    runs: list[dict[str, Any]] = []
    loads: list[str] = []
    trees: list[str] = []
    began = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    with tempfile.TemporaryDirectory(prefix="secop-bench-robot-") as tmp:
        batch = 0
        for repeat in range(args.repeats):
            for c in args.concurrency:
                batch += 1
                folder = Path(tmp) / f"batch-{batch:02d}"
                folder.mkdir()
                scenario = generate(folder, args.suppliers, batch)
                loads.append(load())
                trees.append(tree())
                order = ["robot", "baseline"] + (["bare"] if args.bare else [])
                if repeat % 2:
                    order.reverse()
                run: dict[str, Any] = {"concurrency": c}
                for mode in order:
                    run[mode] = measure(mode, scenario, c)
                    print(
                        f"repeat {repeat + 1}, concurrency {c}, {mode}: "
                        f"{run[mode]['seconds']:.1f} s "
                        f"({per_minute(args.suppliers, run[mode]['seconds']):.1f} suppliers/min)",
                        flush=True,
                    )
                runs.append(run)
                if args.save:
                    keep = {k: v for k, v in vars(args).items() if k in SAVED_ARGS}
                    args.save.write_text(
                        json.dumps(
                            {
                                "args": keep,
                                "runs": runs,
                                "loads": loads,
                                "trees": trees,
                                "when": f"{began}–{time.strftime('%H:%M', time.gmtime())}",
                            }
                        ),
                        encoding="utf-8",
                    )
    write(args, runs, loads, trees)


SAVED_ARGS = ("suppliers", "concurrency", "repeats")


def write(
    args: argparse.Namespace, runs: list[dict[str, Any]], loads: list[str], trees: list[str]
) -> None:
    args.concurrency = [c for c in args.concurrency if any(r["concurrency"] == c for r in runs)]
    text = report(args, runs, loads, trees)
    print(text)
    if not args.quick:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
