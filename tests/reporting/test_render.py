"""The report written from a recorded ledger, checked by parsing its HTML and XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup

from robot.reporting.render import render_report
from tests.reporting.sample import HOSTILE_NAME, make_run


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = make_run(tmp_path_factory.mktemp("report") / "out", count=8)
    render_report(out, "es")
    return out


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_index_counts_every_outcome_and_lists_every_supplier(report: Path) -> None:
    page = soup(report / "index.html")
    assert page.html is not None and page.html["lang"] == "es"
    counts = {li.get_text(" ", strip=True) for li in page.select("ul.counts li")}
    assert "8 Total" in counts
    assert {"2 registrado", "2 fallido", "1 aparcado", "1 detenido", "1 pendiente"} <= counts
    rows = page.select("#suppliers tbody tr")
    assert len(rows) == 8
    assert {r["data-status"] for r in rows} == {
        "onboarded", "access_requested", "parked", "failed", "stopped", "pending",
    }  # fmt: skip
    assert len(page.select("ol.timeline li")) == 8
    options = [o["value"] for o in page.select("#filter-status option")]
    assert options[0] == "" and "parked" in options


def test_every_link_and_image_of_every_page_resolves(report: Path) -> None:
    pages = [report / "index.html", *report.glob("suppliers/*/index.html")]
    assert len(pages) == 9
    checked = 0
    for page in pages:
        for tag, attr in (("a", "href"), ("img", "src")):
            for node in soup(page).find_all(tag):
                target = str(node.get(attr, ""))
                if target.startswith(("http://", "https://", "#")):
                    continue
                assert (page.parent / unquote(target)).is_file(), f"{page}: {target}"
                checked += 1
    assert checked > 60


def test_hostile_values_are_text_and_control_characters_are_visible(report: Path) -> None:
    index = soup(report / "index.html")
    assert not index.find("img")  # the injected <img onerror> is text, not an element
    assert len(index.find_all("script")) == 1  # only the report's own
    first = index.select_one("#suppliers tbody tr a")
    assert first is not None and first.get_text() == HOSTILE_NAME
    assert "\\u202e" in index.get_text() and "\u202e" not in index.get_text()
    page = soup(report / "suppliers" / "900000000" / "index.html")
    assert not page.find("script")
    assert page.h1 is not None and page.h1.get_text() == HOSTILE_NAME


def test_supplier_page_shows_sent_next_to_shown_documents_mails_and_problems(
    report: Path,
) -> None:
    page = soup(report / "suppliers" / "900000000" / "index.html")
    fields = {
        tr.th.get_text(): [td.get_text() for td in tr.find_all("td")]
        for tr in page.select("#fields tbody tr")
        if tr.th is not None
    }
    assert fields["Tamaño de empresa"] == ["Pequeña empresa", "pequena", "revisar"]
    assert fields["Nit"] == ["900000000", "900000000", "sí"]
    docs = page.select("#documents tbody tr")
    assert len(docs) == 3 and all(d.select_one("img.thumb") for d in docs)
    assert {d.select(".badge")[0].get_text() for d in docs} == {"coincide"}
    assert "2026-12-03 07:03:16" in page.get_text()  # 12:03:16 UTC in Bogotá
    assert "********" in page.get_text()  # the password column
    failed = soup(report / "suppliers" / "900000003" / "index.html")
    problem = failed.select_one(".problem")
    assert problem is not None
    assert "<b>inválido</b>" in problem.get_text()  # the portal's message, as text
    assert problem.select_one("img.shot") is not None
    assert problem.select_one("a.trace") is not None
    assert (
        "playwright show-trace suppliers/900000003/traces/account.form-1.zip" in problem.get_text()
    )


def test_english_report(tmp_path: Path) -> None:
    out = make_run(tmp_path / "out", count=3, images=False)
    render_report(out, "en")
    page = soup(out / "index.html")
    assert page.html is not None and page.html["lang"] == "en"
    assert page.h1 is not None and page.h1.get_text() == "Run report"


def test_junit_has_one_case_per_supplier_with_failures_and_parks(report: Path) -> None:
    root = ET.parse(report / "junit.xml").getroot()
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == 8
    assert suite.get("tests") == "8" and suite.get("failures") == "3"
    assert suite.get("skipped") == "2"
    failure_types = sorted(f.get("type", "") for c in cases for f in c.findall("failure"))
    assert failure_types == ["failed", "failed", "parked"]
    parked = next(c for c in cases if c.find("failure[@type='parked']") is not None)
    failure = parked.find("failure")
    assert failure is not None and "sin éxito tras 5 intentos" in failure.get("message", "")


def test_results_json_is_written_with_the_report(report: Path) -> None:
    data = json.loads((report / "results.json").read_text(encoding="utf-8"))
    assert len(data["suppliers"]) == 8


def test_a_link_in_place_of_a_report_file_is_replaced_not_followed(tmp_path: Path) -> None:
    """The report's files are written whole under a fresh name and renamed into place
    (robot/outfiles.py): a link left where one goes is replaced, its target never written."""
    out = make_run(tmp_path / "out", count=2, images=False)
    outside = tmp_path / "fuera.txt"
    outside.write_text("no tocar", encoding="utf-8")
    for name in ("results.json", "junit.xml", "index.html"):
        (out / name).unlink(missing_ok=True)
        (out / name).symlink_to(outside)
    render_report(out, "es")
    assert outside.read_text(encoding="utf-8") == "no tocar"
    assert not any((out / name).is_symlink() for name in ("results.json", "junit.xml"))
    assert len(json.loads((out / "results.json").read_text(encoding="utf-8"))["suppliers"]) == 2
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def test_report_command_writes_the_report_again_and_says_where(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from robot.cli import main

    out = make_run(tmp_path / "out", count=2, images=False)
    done = CliRunner().invoke(main, ["report", str(out), "--lang", "en"])
    assert done.exit_code == 0, done.output
    assert done.output.strip() == str((out / "index.html").resolve())
    assert (out / "junit.xml").is_file() and (
        out / "suppliers" / "900000001" / "index.html"
    ).is_file()
    missing = CliRunner().invoke(main, ["report", str(tmp_path / "nada")])
    assert missing.exit_code == 1
    assert "no hay registro de pasos en esta carpeta" in missing.output
    assert "Traceback" not in missing.output


def test_while_a_run_goes_pages_follow_the_ledger_and_the_index_is_throttled(
    tmp_path: Path,
) -> None:
    from robot.ledger import LEDGER_NAME, Ledger
    from robot.reporting.render import ReportWriter

    ledger = Ledger(tmp_path / LEDGER_NAME)
    ledger.begin_run("secop-robot run x")
    for key in ("1", "2"):
        ledger.add_supplier(key, profile=f"{key}.yaml", legal_name=f"P{key}", nit=key, h="h")
    writer = ReportWriter(ledger, tmp_path, "es", interval=3600)
    index = writer.update()  # before the first supplier starts: a killed run has a report
    assert "pendiente" in index.read_text("utf-8")
    page1 = tmp_path / "suppliers" / "1" / "index.html"
    page2 = tmp_path / "suppliers" / "2" / "index.html"
    before = page2.stat().st_mtime_ns
    ledger.set_status("1", "failed", "account.form: rechazado")
    writer.update()
    assert "rechazado" in page1.read_text("utf-8")
    assert page2.stat().st_mtime_ns == before  # unchanged supplier: not rendered again
    assert "rechazado" not in index.read_text("utf-8")  # the index waits for its interval
    writer.update(final=True)
    assert "rechazado" in index.read_text("utf-8")
    ledger.close()


def test_a_report_that_cannot_be_written_does_not_stop_the_batch(tmp_path: Path) -> None:
    from robot.ledger import LEDGER_NAME, Ledger
    from robot.reporting.render import ReportWriter

    ledger = Ledger(tmp_path / LEDGER_NAME)
    ledger.add_supplier("1", profile="1.yaml", legal_name="P1", nit="1", h="h")
    (tmp_path / "suppliers").write_text("a file where the folder should be", encoding="utf-8")
    writer = ReportWriter(ledger, tmp_path, "es")
    writer.update()  # while the run goes: remembered, not raised
    assert isinstance(writer.error, OSError)
    with pytest.raises(OSError):
        writer.update(final=True)
    ledger.close()
