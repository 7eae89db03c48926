"""Benchmark: watermarking speed (pages/s) and peak memory against page count.

    python bench/watermark.py

Writes docs/benchmarks/watermark.md. Every input is measured in a fresh process: after imports,
a warm-up on a one-page PDF (fonts, the stamp) and reading the input, the process's peak RSS
(``ru_maxrss``, which counts qpdf's C++ memory too) is the baseline; the first run's peak above
it is the memory figure, then ``REPEATS`` more runs give the time (median, min and max).
"""

from __future__ import annotations

import gc
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEXT = "Documento de uso exclusivo para SECOP II — Ñandú Ingeniería S.A.S. — 14/03/2025"
REPEATS = 7
CORPUS = ROOT / "tests" / "data" / "pdfs" / "corpus"
REAL_SOURCES = (
    "GeoTopo-komprimiert.pdf",
    "multicolumn.pdf",
    "pdflatex-4-pages.pdf",
    "mistitled_outlines_example.pdf",
    "google-doc-document.pdf",
    "habibi-rotated.pdf",
    "imagemagick-images.pdf",
)
INPUTS = (
    ("synthetic", 200),
    ("synthetic", 2000),
    ("synthetic", 8000),
    ("real", 200),
    ("real", 2000),
)


def synthetic_pdf(pages: int) -> bytes:
    """Text pages (40 lines), every 4th landscape, a third with /Rotate; small, alike pages."""
    import pikepdf
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, invariant=1)
    for n in range(pages):
        page.setPageSize(landscape(A4) if n % 4 == 3 else A4)
        for line in range(40):
            page.drawString(50, 780 - 18 * line, f"Página {n + 1}, línea {line + 1}: " + "x" * 60)
        page.showPage()
    page.save()
    pdf = pikepdf.open(io.BytesIO(out.getvalue()))
    for n, p in enumerate(pdf.pages):
        if n % 3 == 1:
            p.obj.Rotate = 90 * (1 + n % 3)
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def real_pdf(pages: int) -> bytes:
    """Pages of real-world files from the test corpus (scans, LaTeX, office exports, rotated),
    each source opened again for every copy so that no two copies share fonts or images."""
    import pikepdf

    target = pikepdf.new()
    while len(target.pages) < pages:
        for name in REAL_SOURCES:
            source = pikepdf.open(CORPUS / name)
            for page in source.pages:
                if len(target.pages) < pages:
                    target.pages.append(page)
    buffer = io.BytesIO()
    target.save(buffer)
    return buffer.getvalue()


def _status_kb(field: str) -> int:
    """VmRSS / VmHWM of this process, in kB (the kernel's figures, C++ allocations included).
    Not ``ru_maxrss``: a child started by exec inherits its parent's high-water mark there."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> int:
    """Start a new peak-RSS measurement (Linux: clear_refs 5); returns the RSS now, in kB."""
    gc.collect()
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
        clear.write("5")
    return _status_kb("VmRSS")


def measure(path: Path) -> dict[str, Any]:
    """In this (fresh) process: memory of the first run, then the time of REPEATS runs."""
    import pikepdf

    from robot.documents.checks import open_pdf
    from robot.documents.watermark import watermark_pdf_result

    tiny = pikepdf.new()
    tiny.add_blank_page()
    buffer = io.BytesIO()
    tiny.save(buffer)
    watermark_pdf_result(buffer.getvalue(), TEXT)  # warm-up: fonts, the cached stamp
    data = path.read_bytes()
    base = _reset_peak()
    with open_pdf(data, path.name) as pdf:  # what qpdf needs to read the page tree
        pages = len(pdf.pages)
    tree = _status_kb("VmHWM") - base
    base = _reset_peak()
    result = watermark_pdf_result(data, TEXT)
    extra = _status_kb("VmHWM") - base
    incremental = result.data.startswith(data)
    out_size = len(result.data)
    del result
    times, cpu = [], []
    for _ in range(REPEATS):
        start, start_cpu = time.perf_counter(), time.process_time()
        watermark_pdf_result(data, TEXT)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {
        "pages": pages,
        "in": len(data),
        "out": out_size,
        "incremental": incremental,
        "tree_kb": tree,
        "extra_kb": extra,
        "times": times,
        "cpu": cpu,
    }


def _row(kind: str, r: dict[str, Any]) -> str:
    pages, size_in, size_out = int(r["pages"]), int(r["in"]), int(r["out"])
    times = sorted(r["times"])
    median = statistics.median(times)
    cpu = statistics.median(r["cpu"])
    extra = int(r["extra_kb"]) * 1024
    tree = int(r["tree_kb"]) * 1024
    return (
        f"| {kind} | {pages:,} | {_mb(size_in)} | {_mb(size_out)} "
        f"({100 * (size_out - size_in) / size_in:+.1f} %) | {median * 1000:.0f} ms "
        f"({times[0] * 1000:.0f}–{times[-1] * 1000:.0f}) | **{pages / median:,.0f}** "
        f"| {pages / cpu:,.0f} "
        f"| {_mb(extra)} | {extra / size_in:.1f}× | {extra / pages / 1024:.1f} kB "
        f"| {_mb(tree)} |"
    )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.2f} MB"


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure(Path(sys.argv[2]))))
        return
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for kind, pages in INPUTS:
            path = Path(folder) / f"{kind}-{pages}.pdf"
            path.write_bytes(synthetic_pdf(pages) if kind == "synthetic" else real_pdf(pages))
            done = subprocess.run(
                [sys.executable, __file__, "--measure", str(path)],
                check=True,
                capture_output=True,
                text=True,
            )
            result = json.loads(done.stdout)
            rows.append(_row(kind, result))
            print(rows[-1], "incremental" if result["incremental"] else "full copy", flush=True)
    report = "\n".join(
        [
            "# Watermark benchmark",
            "",
            f"`python bench/watermark.py` on {platform.machine()}, Python "
            f"{platform.python_version()}, {os.cpu_count()} cores shared with other work. "
            "Each input in a fresh process; time: median (min–max) of "
            f"{REPEATS} runs of `watermark_pdf` after a warm-up on a one-page PDF (pages per "
            "CPU-second: the same runs by process time, less sensitive to other work on the "
            "machine); memory: the first run's peak RSS (`VmHWM`, C++ allocations included) "
            "above the process's RSS with the input already read. "
            f"Load average when measured: {os.getloadavg()[0]:.1f}.",
            "",
            "- *synthetic*: text pages, 40 lines each, every 4th landscape, a third with /Rotate "
            "(small pages with their resources inline).",
            "- *real*: pages of seven files of the test corpus (117-page scan-and-text report, "
            "LaTeX, office exports, rotated pages, images) repeated, each copy with its own "
            "fonts and images, as in documents assembled from several sources.",
            "",
            "| input | pages | input | output (growth) | time | pages/s | pages per CPU-second "
            "| extra peak RSS | × input | per page | qpdf reading the page tree alone |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
        ]
    )
    print(report)
    target = ROOT / "docs" / "benchmarks" / "watermark.md"
    previous = target.read_text(encoding="utf-8") if target.exists() else ""
    notes = previous.partition("\n## Reading the figures")[2]
    target.write_text(
        report + ("\n## Reading the figures" + notes if notes else ""), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
