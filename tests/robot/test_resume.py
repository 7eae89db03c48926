"""Resume: the robot killed (SIGKILL) at every point of a two-supplier batch, one kill per run.

``python -m robot run SCENARIO --out DIR`` runs again and again with
``SECOP_ROBOT_CRASH_AFTER=1`` and ``SECOP_ROBOT_CRASH_LOG``: each run kills itself at the first
checkpoint where no earlier run was killed, and writes that point's label (step, kind,
control). The points: every form-submitting click just made (the request may or may not reach
the portal), the portal's answer to every click that creates or changes something (it acted;
the robot has not looked yet: the ledger is behind the portal), and every step just recorded.
The answers to clicks that only log in, search or navigate are left out (listed in the log
beforehand): a kill there leaves the same state as the kill right after the click. The runs go
on until one passes every point without a new one to kill at; meanwhile the other supplier is
cut wherever it happens to be. Then the same command, without the seam, must finish every
supplier; the portal must hold no duplicate user, account, membership or document; and the
ledger and results.json must agree with the portal.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from robot.crashpoint import generic
from tests.robot.batch import (
    CRASH_ENV,
    CRASH_LOG_ENV,
    check_onboarded_on_portal,
    derive_profile,
    duplicates,
    ledger_rows,
    results,
    run_robot,
    scenario,
)

pytestmark = pytest.mark.browser

MIN_POINTS = 30
MIN_ANSWERS = 5  # of the 8 creating clicks (see below)
MAX_RUNS = 80  # more runs than points the batch has: a run that kills nothing ends the loop
STEPS = [
    "documents",
    "admin.register",
    "admin.activate",
    "account.entity",
    "account.form",
    "account.documents",
    "account.finalize",
    "account.directory",
    "users.*.register",
    "users.*.activate",
    "users.*.request",
    "users.*.accept",
]
# Controls that only log in, search or navigate: their answers are not kill points.
LOOKING = (
    "Ingresar",
    "Validar",
    "Buscar",
    "Registrar Entidad",
    "Entrar",
    "#tblSuppliers a[id^=lnkSupplier_]",
)
# Clicks after which the portal may have created something the ledger does not know yet.
CREATING_CLICKS = {
    ("admin.register", "Registrar"),
    ("account.entity", "Generar formulario"),
    ("account.form", "Guardar"),
    ("account.documents", "Guardar"),
    ("account.finalize", "Finalizar"),
    ("users.*.register", "Registrar"),
    ("users.*.request", "Finalizar"),
    ("users.*.accept", "Aceptar acceso"),
}


@pytest.mark.timeout(1800)
def test_killed_at_every_point_of_a_batch_each_run_resumes_without_duplicates(
    tmp_path: Path,
) -> None:
    # two additional users: each creating click of theirs is made twice, so its answer is a
    # kill point too when the first one's kill right after the click found the portal had acted
    acme = derive_profile(tmp_path / "profiles", "acme-sas", "k1", "901600401", extra_users=2)
    rodriguez = derive_profile(tmp_path / "profiles", "rodriguez-natural", "k1", "52600402")
    path = scenario(tmp_path, [acme, rodriguez], concurrency=2)
    out = tmp_path / "out"
    log = tmp_path / "kills.tsv"
    skipped = [f"{step}\tanswer\t{control}" for step in STEPS for control in LOOKING]
    # a login creates nothing: its click is no kill point either (keeps the test's time down)
    skipped += [f"{step}\tclick\tIngresar" for step in STEPS]
    log.write_text("".join(line + "\n" for line in skipped), encoding="utf-8")

    started = time.monotonic()
    kills = 0
    cpu = 0.0
    for _ in range(MAX_RUNS):
        run = run_robot(
            path, out, "--quiet", "--no-probe", env={CRASH_ENV: "1", CRASH_LOG_ENV: str(log)}
        )
        cpu += run.cpu
        if run.code != -signal.SIGKILL:
            # no point left that was not killed before: this run went to the end
            assert run.code == 0, run.text
            break
        kills += 1
        lines = log.read_text(encoding="utf-8").splitlines()
        assert len(lines) == len(skipped) + kills, "every kill wrote its label"
    else:
        pytest.fail(f"still killing after {MAX_RUNS} runs")
    killing = time.monotonic() - started

    labels = log.read_text(encoding="utf-8").splitlines()[len(skipped) :]
    points = [tuple(generic(line).split("\t")) for line in labels]
    print(f"\n{kills} kills in {killing:.0f} s ({cpu:.0f} s CPU); points killed:")
    for point in points:
        print("  " + " / ".join(p for p in point if p))

    final = run_robot(path, out)
    assert final.code == 0, final.text
    assert duplicates(out) == {}
    for profile in (acme, rodriguez):
        check_onboarded_on_portal(out, profile)
    # the ledger agrees with results.json and with the portal: every step done, once
    for nit, entry in results(out).items():
        key = nit.split("-")[0]
        rows = ledger_rows(out, "SELECT step, status FROM steps WHERE supplier = ?", key)
        assert {status for _, status in rows} == {"done"}, rows
        assert sorted(step for step, _ in rows) == sorted(entry["steps_done"])
        [(status,)] = ledger_rows(out, "SELECT status FROM suppliers WHERE key = ?", key)
        assert status == entry["status"] == "onboarded"

    assert len(set(points)) == len(points) == kills  # every kill at a point of its own
    assert kills >= MIN_POINTS
    assert {p[0] for p in points} == set(STEPS)  # in every step
    assert {(p[0], "step") for p in points} == {(s, "step") for s in STEPS}
    clicks = {(p[0], p[2]) for p in points if p[1] == "click"}
    assert clicks >= CREATING_CLICKS, CREATING_CLICKS - clicks
    # A kill right after a creating click may find that the portal acted all the same; then no
    # later run makes that click again and its answer is no kill point. The second additional
    # user always makes its clicks afresh, so the users' answers are always reached.
    answers = {(p[0], p[2]) for p in points if p[1] == "answer"} & CREATING_CLICKS
    users = {c for c in CREATING_CLICKS if c[0].startswith("users.")}
    assert answers >= users, users - answers
    assert len(answers) >= MIN_ANSWERS, CREATING_CLICKS - answers
