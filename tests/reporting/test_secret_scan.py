"""A real batch (bundled mock portal, pymap, real Chromium) with known secret values: no file
of its output folder (HTML, JSON, JUnit, ledger, logs, screenshots and their metadata, traces
unzipped), nor what it printed, holds one.

Three runs on one output folder (see ``parked_run``): a trace that typed the password at
login must not survive; one that did not is kept, linked from the report and searched too.
"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
import yaml
from bs4 import BeautifulSoup
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Scan-Secreto-7f3Q!x"  # the users' password (SECOP_DEMO_PASSWORD in the profiles)
pytestmark = pytest.mark.browser


def variants(value: str) -> set[bytes]:
    texts = {value, quote(value, safe=""), quote_plus(value), value.replace("!", "\\u0021")}
    texts.add(value.encode("unicode_escape").decode("ascii"))  # JSON's \u00e1 form
    found = {t.encode("utf-8") for t in texts}
    found |= {value.encode("utf-16-le"), value.encode("latin-1")}
    return found


def blobs(path: Path) -> list[tuple[str, bytes]]:
    """The file, the files inside it when it is a zip, and an image's metadata."""
    data = path.read_bytes()
    found = [(str(path), data)]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            found += [(f"{path}!{n}", archive.read(n)) for n in archive.namelist()]
    if path.suffix.lower() in (".png", ".webp", ".jpg", ".jpeg"):
        with Image.open(io.BytesIO(data)) as image:
            meta = repr(image.info) + repr(dict(image.getexif()))
        found.append((f"{path} (metadata)", meta.encode("utf-8")))
    return found


def run(tmp: Path, faults: dict[str, object], *extra: str) -> subprocess.CompletedProcess[str]:
    scenario = {
        "name": "scan",
        "portal": {"mock": {"mail_backend": "pymap", "faults": faults}},
        "profiles": [
            str(ROOT / "profiles" / "rodriguez-natural.yaml"),
            str(ROOT / "profiles" / "nordvik-extranjera.yaml"),
        ],
        "concurrency": 2,
        "steps": ["user", "account"],
        "output": str(tmp / "out"),
    }
    path = tmp / "scan.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "robot", "run", str(path), *extra],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "SECOP_DEMO_PASSWORD": SECRET, "SECOP_ROBOT_RETRIES": "0"},
    )


@pytest.fixture(scope="module")
def parked_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Run 1: the users register and activate (passwords typed, activation links read), the
    account is created and its form saved, stopping before the documents. Run 2: the portal
    asks for a CAPTCHA at login, so both suppliers are parked at account.documents by a step
    that typed the password (its trace must not survive). Run 3: the portal is in
    maintenance, so they are parked there again, this time by a step that typed nothing
    secret (its trace is kept, and searched like every other file)."""
    tmp = tmp_path_factory.mktemp("scan")
    out = tmp / "out"
    runs = [
        run(tmp, {}, "--until", "account.documents"),
        run(tmp, {"captcha": "always"}),
        run(tmp, {"maintenance": [{"start_seconds": 0, "duration_seconds": 3600}]}),
    ]
    printed = ""
    for number, done in enumerate(runs, 1):
        (out / f"run{number}-stdout.log").write_text(done.stdout, encoding="utf-8")
        (out / f"run{number}-stderr.log").write_text(done.stderr, encoding="utf-8")
        printed += done.stdout + done.stderr
        expected = 0 if number == 1 else 1  # parked suppliers: exit 1
        assert done.returncode == expected, done.stdout + done.stderr
    assert "CAPTCHA" in runs[1].stdout and "mantenimiento" in runs[2].stdout
    return out, printed


def test_no_file_of_the_output_holds_a_secret(parked_run: tuple[Path, str]) -> None:
    out, printed = parked_run
    needles = variants(SECRET)
    files = [p for p in out.rglob("*") if p.is_file()]
    kinds = {p.suffix for p in files}
    assert {".html", ".json", ".xml", ".webp", ".sqlite3", ".log"} <= kinds, kinds
    hits = [
        name
        for path in files
        for name, data in blobs(path)
        if any(needle in data for needle in needles)
    ]
    assert hits == []
    assert SECRET not in printed


def test_activation_links_stay_in_the_portal_own_store(parked_run: tuple[Path, str]) -> None:
    out, printed = parked_run
    with sqlite3.connect(out / "portal" / "portal.sqlite3") as db:
        tokens = [t for (t,) in db.execute("SELECT token FROM tokens")]
    assert tokens, "the portal sent activation mails"
    outside = [
        p for p in out.rglob("*") if p.is_file() and "portal" not in p.relative_to(out).parts
    ]
    for token in tokens:
        assert token not in printed
        hits = [n for p in outside for n, data in blobs(p) if token.encode() in data]
        assert hits == [], token


def test_the_report_shows_the_parks_with_screenshot_and_trace(parked_run: tuple[Path, str]) -> None:
    out, _ = parked_run
    index = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser")
    statuses = [tr["data-status"] for tr in index.select("#suppliers tbody tr")]
    assert statuses == ["parked", "parked"]
    for page in out.glob("suppliers/*/index.html"):
        html = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        problem = html.select_one(".problem")
        assert problem is not None, page
        assert "mantenimiento" in problem.get_text()
        shot = problem.select_one("img.shot")
        assert shot is not None and (page.parent / str(shot["src"])).is_file()
        trace = problem.select_one("a.trace")
        assert trace is not None and (page.parent / str(trace["href"])).is_file()
        assert html.select(".gallery img"), "milestone screenshots of the steps done"
    # the CAPTCHA run's traces typed the password at login: none was kept
    assert sorted(p.name for p in out.glob("suppliers/*/traces/*.zip")) == [
        "account.documents-3.zip",
        "account.documents-3.zip",
    ]
    with zipfile.ZipFile(next(out.glob("suppliers/*/traces/*.zip"))) as archive:
        assert "trace.trace" in archive.namelist()
    junit = (out / "junit.xml").read_text("utf-8")
    assert junit.count('type="parked"') == 2
