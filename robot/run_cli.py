"""``secop-robot run``: onboard a batch of suppliers; ``secop-robot demo``: the sample batch.

Everything is validated before any browser opens: the scenario, every profile, the batch's
duplicates and every secret. The output folder holds the ledger, ``results.json``, the
prepared documents, the evidence of failures and (for the bundled mock) the portal's state.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from robot import asyncrun, secrets, settings
from robot.bounded import Limits
from robot.cli import explain_errors, say
from robot.errors import ConfigError, Problem
from robot.flows.plan import hashes, plan
from robot.flows.runtime import Job, Options
from robot.ledger import FINAL, LEDGER_NAME, STOPPED, Ledger
from robot.mail import MailboxConfig
from robot.portal.mapping import supplier_values, user_fields
from robot.profiles.loader import secret_problems
from robot.profiles.models import Mailbox, Profile
from robot.results import RESULTS_NAME, write_results
from robot.scenarios import STEPS, MockPortal, Portal, Scenario, load_scenario

if TYPE_CHECKING:
    from robot.reporting.progress import Progress
    from robot.reporting.render import ReportWriter

PROJECT = Path(__file__).resolve().parents[1]
DEMO_SCENARIO = PROJECT / "scenarios" / "demo.yaml"
DEMO_PASSWORD_ENV = "SECOP_DEMO_PASSWORD"
# The demo's fictitious users log in to the local mock portal only; a person may set their own.
DEMO_PASSWORD = "Demo-Clave-2026!"
EXIT_SOME_NOT_FINISHED = 1


def _is_scenario(path: Path) -> bool:
    from robot.profiles.yamlsource import read_yaml

    if not path.is_file():
        return False
    try:
        data = read_yaml(path, str(path)).data
    except ConfigError:
        return False
    return isinstance(data, dict) and "portal" in data and "profiles" in data


def load_batch(inputs: tuple[Path, ...]) -> tuple[Scenario, list[Profile]]:
    """A scenario (one file with ``portal`` and ``profiles``) or profiles on the bundled mock."""
    if len(inputs) == 1 and _is_scenario(inputs[0]):
        scenario = load_scenario(inputs[0])
    else:
        scenario = Scenario(
            name="perfiles",
            portal=Portal(mock=MockPortal()),
            profiles=[str(p.resolve()) for p in inputs],
            output=str(Path.cwd() / "reports" / "perfiles"),
        )
        scenario._source = Path.cwd() / "(perfiles de la línea de órdenes)"
    profiles = scenario.load_profiles()
    problems: list[Problem] = []
    for profile in profiles:
        problems += secret_problems(profile)
    try:
        scenario.probe_login()  # the drift probe's test account (docs/probe.md)
    except ConfigError as err:
        problems += err.problems
    if problems:
        raise ConfigError(problems, hint="defina las variables o archivos de las contraseñas")
    return scenario, profiles


def make_jobs(profiles: list[Profile], phases: list[str]) -> list[Job]:
    from robot.flows.runtime import Job

    return [
        Job(
            key=p.supplier.nit_number,
            profile=p,
            values=supplier_values(p),
            display=p.display_name,
            hashes=hashes(p, phases),
        )
        for p in profiles
    ]


LANG_OPTION = click.option(
    "--lang",
    type=click.Choice(["es", "en"]),
    default="es",
    show_default=True,
    help="language of the progress display and the report",
)


@click.command("run")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), help="output folder")
@click.option("--concurrency", type=click.IntRange(1, 16), help="suppliers at once")
@click.option("--headed", is_flag=True, help="a visible browser (an operator solves a CAPTCHA)")
@click.option("--plan", "plan_only", is_flag=True, help="print what would be sent; touch nothing")
@click.option("--until", metavar="STEP", help="stop before this step (e.g. account.finalize)")
@click.option("--accept-changes", is_flag=True, help="continue suppliers whose profile changed")
@click.option("--quiet", is_flag=True, help="no progress lines, only the summary")
@click.option("--no-probe", is_flag=True, help="skip the portal drift probe (docs/probe.md)")
@LANG_OPTION
@explain_errors
def run(
    inputs: tuple[Path, ...],
    out: Path | None,
    concurrency: int | None,
    headed: bool,
    plan_only: bool,
    until: str | None,
    accept_changes: bool,
    quiet: bool,
    lang: str = "es",
    no_probe: bool = False,
) -> None:
    """Onboard the suppliers of SCENARIO (or of PROFILE files, on the bundled mock portal).

    Re-running the same command resumes each supplier at its first unfinished step and never
    creates anything twice. Exit code 0: every supplier finished (onboarded, or access
    requested); 1: some failed or were parked; 2: bad input or machine; 3: the portal's pages
    changed in a way that breaks the robot (the probe run makes first; --no-probe skips it).
    """
    scenario, profiles = load_batch(inputs)
    phases: list[str] = [str(s) for s in STEPS if s in scenario.steps]
    if until is not None:
        _check_until(until, profiles, phases)
    if plan_only:
        print_plan(profiles, phases, scenario)
        return
    out_dir = (out or scenario.output_dir).resolve()
    options = _options(headed, until, accept_changes)
    code = execute(
        scenario,
        profiles,
        phases,
        out_dir,
        options,
        concurrency or scenario.concurrency,
        quiet=quiet,
        lang=lang,
        probe=not no_probe,
    )
    sys.exit(code)


def _check_until(until: str, profiles: list[Profile], phases: list[str]) -> None:
    names = {n for p in profiles for n in (s.name for s in plan(p, phases))}
    prefixes = {n.rsplit(".", 1)[0] for n in names} | {n.split(".")[0] for n in names}
    if until not in names | prefixes:
        shown = ", ".join(sorted({n for n in names if not n.startswith("users.")}))
        raise ConfigError(
            [Problem("--until", None, until, f"no es un paso; pasos: {shown}, users")],
        )


def _options(headed: bool, until: str | None, accept_changes: bool) -> Options:
    # Read now so that a limit out of its range stops the batch before anything starts, not
    # each supplier's documents step (prepare_documents reads them again).
    Limits.from_settings("document.memory_mb", "document.cpu_seconds")
    return Options(
        timeout=float(settings.resolve("robot.timeout_seconds")),
        mail_timeout=float(settings.resolve("robot.mail_timeout_seconds")),
        retries=int(settings.resolve("robot.retries")),
        backoff=float(settings.resolve("robot.backoff_seconds")),
        backoff_max=float(settings.resolve("robot.backoff_max_seconds")),
        headed=headed,
        until=until,
        accept_changes=accept_changes,
    )


def execute(
    scenario: Scenario,
    profiles: list[Profile],
    phases: list[str],
    out_dir: Path,
    options: Options,
    concurrency: int,
    *,
    quiet: bool = False,
    lang: str = "es",
    probe: bool = True,
) -> int:
    """Run the batch into ``out_dir``; print the summary; return the exit code. With ``probe``
    the portal's pages are checked first (robot/probe_cli.py): a breaking change raises
    PortalDrift before any supplier."""
    from robot.reporting.progress import Progress
    from robot.reporting.render import ReportWriter
    from robot.runner import changed_steps, register_jobs

    out_dir.mkdir(parents=True, exist_ok=True)
    ledger = Ledger(out_dir / LEDGER_NAME)
    writer = ReportWriter(ledger, out_dir, lang)
    finished = False
    try:
        ledger.begin_run(shlex.join(["secop-robot", *sys.argv[1:]]))
        jobs = make_jobs(profiles, phases)
        register_jobs(ledger, jobs)
        write_results(ledger, out_dir)
        writer.update()
        names = {j.key: j.profile.supplier.short_name for j in jobs}
        progress = Progress(names, quiet=quiet, lang=lang)
        todo = [
            j
            for j in jobs
            if _needs_work(ledger, j, phases)
            or (changed_steps(ledger, j) and options.accept_changes)
        ]
        if todo:
            progress.attach(ledger.path, [j.key for j in todo])
            try:
                _drive(
                    scenario,
                    todo,
                    phases,
                    out_dir,
                    options,
                    concurrency,
                    ledger,
                    progress,
                    writer,
                    probe=probe,
                )
            finally:
                progress.close()
        else:
            progress.log("-", "todos los proveedores ya estaban terminados")
        ledger.end_run("fin")
        results = write_results(ledger, out_dir)
        index = writer.update(final=True)
        finished = True
        return summary(ledger, results, out_dir, index)
    finally:
        if not finished:  # interrupted or broken: the report still says how far it got
            with contextlib.suppress(Exception):
                writer.update(final=True)
        ledger.close()


def _needs_work(ledger: Ledger, job: Job, phases: list[str]) -> bool:
    record = ledger.supplier(job.key)
    if record is None or record.status not in FINAL:
        return True
    steps = ledger.steps(job.key)
    names = [s.name for s in plan(job.profile, phases)]
    done = all(n in steps and steps[n].done for n in names)
    access = any(r.detail.get("decision") == "access_requested" for r in steps.values())
    return not (done or access)


def _drive(
    scenario: Scenario,
    jobs: list[Job],
    phases: list[str],
    out_dir: Path,
    options: Options,
    concurrency: int,
    ledger: Ledger,
    progress: Progress,
    writer: ReportWriter,
    *,
    probe: bool = True,
) -> None:
    from robot.bundled import bundled_portal

    max_bytes = int(scenario.portal.max_upload_mb * 1024 * 1024)
    log = progress.log
    probe_login = scenario.probe_login() if probe else None

    def go(base_url: str, mailbox_for: Callable[[Profile], MailboxConfig], mock: bool) -> None:
        asyncrun.run(
            _batch(
                base_url,
                mailbox_for,
                jobs,
                phases,
                out_dir,
                options,
                concurrency,
                ledger,
                log,
                max_bytes,
                writer,
                mock=mock,
                probe=probe,
                probe_login=probe_login,
            )
        )

    if scenario.portal.mock is not None:
        with bundled_portal(scenario, out_dir) as portal:
            log("-", f"portal simulado en {portal.base_url} (correo: {portal.backend})")
            box = scenario.mailbox
            if box is None:
                go(portal.base_url, lambda profile: portal.mailbox, mock=True)
            else:
                shared = _mailbox(box, portal.base_url, scenario.base_dir)
                go(portal.base_url, lambda profile: shared, mock=True)
        return
    base_url = scenario.portal.base_url
    assert base_url is not None

    def mailbox_of(profile: Profile) -> MailboxConfig:
        """The profile's own mailbox first, then the scenario's (each relative to its file)."""
        if profile.mailbox is not None:
            return _mailbox(profile.mailbox, base_url, profile.base_dir)
        assert scenario.mailbox is not None  # validation requires one with a real portal
        return _mailbox(scenario.mailbox, base_url, scenario.base_dir)

    go(base_url, mailbox_of, mock=False)


def _mailbox(box: Mailbox, base_url: str, base_dir: Path) -> MailboxConfig:
    """The IMAP settings of a profile's or scenario's mailbox: its password resolved and its
    ca_file taken relative to the file that names them; links only to the portal's host."""
    from urllib.parse import urlsplit

    from robot.mail import MailboxConfig

    ca_file = None if box.ca_file is None else str((base_dir / box.ca_file).resolve())
    return MailboxConfig(
        host=box.host,
        port=box.port,
        user=box.user,
        password=secrets.resolve(box.password, base_dir=base_dir),
        tls=box.tls,
        ca_file=ca_file,
        folder=box.folder,
        allowed_hosts=(urlsplit(base_url).netloc,),
        source="buzón",
    )


def _politeness(mock: bool) -> object:
    from robot.portal.limiter import Politeness

    names = ("robot.requests_per_second", "robot.sessions_per_minute")
    if mock and not any(settings.SETTINGS[n].env in os.environ for n in names):
        return Politeness.unlimited()
    return Politeness(
        float(settings.resolve(names[0])),
        float(settings.resolve(names[1])),
    )


async def _batch(
    base_url: str,
    mailbox_for: Callable[[Profile], MailboxConfig],
    jobs: list[Job],
    phases: list[str],
    out_dir: Path,
    options: Options,
    concurrency: int,
    ledger: Ledger,
    log: Callable[[str, str], None],
    max_bytes: int,
    writer: ReportWriter,
    *,
    mock: bool,
    probe: bool = True,
    probe_login: tuple[str, str] | None = None,
) -> None:
    from playwright.async_api import async_playwright

    from robot.flows.runtime import Runtime
    from robot.mail import stop_watchers
    from robot.portal.browser import launch
    from robot.runner import run_batch

    async with async_playwright() as pw:
        browser = await launch(pw, headed=options.headed)
        if probe:  # before any supplier: refuse a portal whose pages changed (docs/probe.md)
            from robot.portal.canary import PROBE_RECORD, ProbeAccount, gate

            try:
                politeness = _politeness(mock)
                record = out_dir / PROBE_RECORD
                account = ProbeAccount(*probe_login) if probe_login is not None else None
                await gate(browser, base_url, politeness, log, record, account)  # type: ignore[arg-type]
            except BaseException:
                await browser.close()
                raise
        rt = Runtime(
            browser=browser,
            base_url=base_url,
            ledger=ledger,
            politeness=_politeness(mock),  # type: ignore[arg-type]
            options=options,
            out_dir=out_dir,
            mailbox_for=mailbox_for,
            log=log,
        )
        after = AfterSupplier(ledger.path, out_dir, writer)
        try:
            await run_batch(rt, jobs, phases, concurrency, max_bytes, on_done=after)
        finally:
            await after.close()
            await browser.close()
            await asyncio.to_thread(stop_watchers)


class AfterSupplier:
    """After each supplier: results.json, its report page and the index (at most every few
    s), written in a worker thread with a read-only ledger connection of its own, so that the
    other suppliers' browser work goes on meanwhile. One write at a time; suppliers that end
    during a write are in the next one. ``close`` waits for the last write; none starts after
    it, so the run's final report is never overwritten by an older one."""

    def __init__(self, ledger_path: Path, out_dir: Path, writer: ReportWriter) -> None:
        self.ledger_path = ledger_path
        self.out_dir = out_dir
        self.writer = writer
        self._reader: Ledger | None = None
        self._wanted = False
        self._closed = False
        self._task: asyncio.Task[None] | None = None

    def __call__(self) -> None:
        self._wanted = True
        if not self._closed and (self._task is None or self._task.done()):
            self._task = asyncio.get_running_loop().create_task(self._writes())

    async def _writes(self) -> None:
        while self._wanted and not self._closed:
            self._wanted = False
            await asyncio.to_thread(self._write)

    def _write(self) -> None:
        with self.writer.lock:
            if self._closed:
                return
            try:
                if self._reader is None:
                    self._reader = Ledger.reader(self.ledger_path)
                write_results(self._reader, self.out_dir)
            except Exception as err:  # evidence, never a reason to stop the batch
                self.writer.error = err
                return
            self.writer.update(ledger=self._reader)

    async def close(self) -> None:
        self._closed = True  # no write starts now; the run writes its final report next
        if self._task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self._task
        with self.writer.lock:  # a write still running in its thread ends first
            if self._reader is not None:
                self._reader.close()
                self._reader = None


LABELS = {
    "onboarded": "registrado",
    "access_requested": "acceso solicitado",
    "parked": "aparcado",
    "failed": "fallido",
    "stopped": "detenido",
    "pending": "pendiente",
    "running": "interrumpido",
}


def summary(ledger: Ledger, results: Path, out_dir: Path, index: Path | None = None) -> int:
    rows = ledger.suppliers()
    width = max([len(r.legal_name) for r in rows] + [9])
    say(f"{'Proveedor':{width}}  {'NIT':13}  {'Estado':18}  Motivo")
    for r in rows:
        say(f"{r.legal_name:{width}}  {r.nit:13}  {LABELS.get(r.status, r.status):18}  {r.reason}")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    say(", ".join(f"{LABELS.get(k, k)}: {v}" for k, v in sorted(counts.items())))
    say(f"Resultados: {results}")
    say(f"Registro de pasos: {out_dir / LEDGER_NAME}")
    if index is not None:
        say(f"Informe: {index}")
    finished = all(r.status in (*FINAL, STOPPED) for r in rows)
    return 0 if finished else EXIT_SOME_NOT_FINISHED


def print_plan(profiles: list[Profile], phases: list[str], scenario: Scenario) -> None:
    """Per supplier: every field value and document that would be sent (secrets masked)."""
    from robot.documents.from_profile import specs_from_profile, supplier_from_profile
    from robot.documents.prepare import prepare_documents
    from robot.portal_rules import DOCUMENT_SLOTS, WATERMARK_TEXT

    for profile in profiles:
        say(f"# {profile.supplier.legal_name} ({profile.display_name})")
        say(f"pasos: {', '.join(s.name for s in plan(profile, phases))}")
        for person in profile.users:
            say(f"## usuario {person.username}")
            for item in user_fields(person):
                say(f"  {item.label}: {item.display}")
            say("  Contraseña: ******** (de " + secrets.mask(person.password) + ")")
        values = supplier_values(profile)
        say("## Registro de Proveedor")
        for item in values.all_fields:
            say(f"  {item.label}: {item.display}")
        if values.location is not None:
            say(f"  Municipio: {values.location.municipio_name} ({values.location.municipio_code})")
        say(f"  UNSPSC: {', '.join(values.unspsc)} (principal {values.unspsc[0]})")
        if profile.documents:
            say("## Documentos")
            with tempfile.TemporaryDirectory(prefix="secop-plan-") as tmp:
                manifest = prepare_documents(
                    specs_from_profile(profile),
                    supplier_from_profile(profile),
                    Path(tmp),
                    max_bytes=int(scenario.portal.max_upload_mb * 1024 * 1024),
                    template=profile.watermark_text or WATERMARK_TEXT,
                )
            for e in manifest.entries:
                label = DOCUMENT_SLOTS[e.slot].label if e.slot in DOCUMENT_SLOTS else e.slot
                say(
                    f"  {label}: {e.output.name} ({e.output.size} bytes, {e.marking}, "
                    f"SHA-256 {e.output.sha256[:16]}…)"
                )


@click.command("demo")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), help="output folder")
@click.option("--quiet", is_flag=True, help="no progress lines, only the summary")
@LANG_OPTION
@click.pass_context
def demo(ctx: click.Context, out: Path | None, quiet: bool, lang: str) -> None:
    """The main job on the embedded default: the robot onboards the sample profiles
    (scenarios/demo.yaml) against the bundled mock portal and mail stack, and writes its
    output to reports/demo. The sample users' password comes from SECOP_DEMO_PASSWORD
    (a fixed demo value when unset: the mock portal is local and the people fictitious)."""
    if not DEMO_SCENARIO.is_file():
        raise click.UsageError("scenarios/demo.yaml no está: ejecute desde la carpeta del proyecto")
    os.environ.setdefault(DEMO_PASSWORD_ENV, DEMO_PASSWORD)
    ctx.invoke(
        run,
        inputs=(DEMO_SCENARIO,),
        out=out,
        concurrency=None,
        headed=False,
        plan_only=False,
        until=None,
        accept_changes=False,
        quiet=quiet,
        lang=lang,
    )


__all__ = ["RESULTS_NAME", "demo", "execute", "load_batch", "run"]
