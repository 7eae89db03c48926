"""Benchmark: watermarking speed (pages/s) and peak memory against page count.

    python bench/watermark.py

Writes docs/benchmarks/watermark.md. Each size runs in a fresh process so peak RSS is its own.
"""

from __future__ import annotations

import io
import multiprocessing
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEXT = "Documento de uso exclusivo para SECOP II — Ñandú Ingeniería S.A.S. — 14/03/2025"
SIZES = (50, 200, 800)
REPEATS = 5


def make_pdf(pages: int) -> bytes:
    """A text PDF of ``pages`` pages, mixed A4 portrait/landscape, a third of them rotated."""
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


def measure(pages: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from robot.documents import watermark_pdf

    data = make_pdf(pages)
    watermark_pdf(data, TEXT)  # warm-up: fonts, the cached stamp
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        out = watermark_pdf(data, TEXT)
        times.append(time.perf_counter() - start)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    watermark_pdf(data, TEXT)
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    queue.put((pages, len(data), len(out), min(times), traced, base_rss, peak_rss))


def main() -> None:
    ctx = multiprocessing.get_context("spawn")
    rows = []
    for pages in SIZES:
        queue = ctx.Queue()
        proc = ctx.Process(target=measure, args=(pages, queue))
        proc.start()
        rows.append(queue.get())
        proc.join()
    lines = [
        "# Watermark benchmark",
        "",
        f"`python bench/watermark.py` on {platform.machine()}, Python "
        f"{platform.python_version()}, {multiprocessing.cpu_count()} cores (shared). "
        f"Text PDFs (40 lines a page, every 4th page landscape, a third of the pages with "
        f"/Rotate); best of {REPEATS} runs of `watermark_pdf` after a warm-up; each size in a "
        "fresh process.",
        "",
        "| pages | input | output | growth | time | pages/s | Python peak (tracemalloc) "
        "| process RSS peak during runs |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for pages, size_in, size_out, best, traced, base, peak in rows:
        lines.append(
            f"| {pages} | {size_in / 1024:.0f} kB | {size_out / 1024:.0f} kB "
            f"| {100 * (size_out - size_in) / size_in:+.1f} % | {best * 1000:.1f} ms "
            f"| {pages / best:,.0f} | {traced / 1024:.0f} kB | +{(peak - base) / 1024:.1f} MB "
            f"(of {peak / 1024:.0f} MB) |"
        )
    lines += [
        "",
        "Target: at least 2,000 pages/s on a 200-page PDF, and memory that does not grow "
        "beyond the file size. The whole document is held in memory (input bytes, qpdf's "
        "object graph, output bytes), so memory grows with the file, not with anything per page.",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    target = ROOT / "docs" / "benchmarks" / "watermark.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
