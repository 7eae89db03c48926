"""Benchmark: watermarking speed (pages/s) and peak memory against page count.

    python bench/watermark.py [--runs N]

Writes docs/benchmarks/watermark.md (``--runs N``: N full runs, each input's figures the median
of the runs' medians). Measures what ``prepare_documents`` does with a watermarked PDF:
``watermark_pdf``, then the output sized, written to a file and hashed, then the preview
rendered from that file. Every input is measured in a fresh process: after imports, a warm-up on
a one-page PDF (fonts, the stamp) and reading the input, the process's RSS is the baseline and
the peak RSS above it (``VmHWM``, which counts qpdf's and pdfium's C++ memory too) the memory
figure of the first run; then ``REPEATS`` more runs give the time (median, min and max). Each row
says how the file was written (``WatermarkResult.written_as``): qpdf's full rewrite (every
unsigned file, the encrypted one decrypted with its password) or pyHanko's incremental update
(the signed rows). The pre-flight (page count by qpdf) is measured the same way.
"""

from __future__ import annotations

import gc
import hashlib
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
WRITTEN_AS = {
    "signed-update": "pyHanko update",
    "full-copy": "qpdf rewrite",
}
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
    ("real, object streams", 200),
    ("real, object streams", 2000),
    ("real, two revisions", 200),
    ("real, encrypted", 200),
    ("real, encrypted", 2000),
    ("real, signed", 200),
    ("real, signed", 2000),
)
PASSWORD = "clave-de-prueba"  # the encrypted input's (a test value, not a secret)


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


def two_revisions_pdf(pages: int) -> bytes:
    """The real pages with a second revision appended: an incremental update that gives every
    page a new version (a /PieceInfo entry, as editors add), by pikepdf's own writer."""
    import pikepdf

    data = real_pdf(pages)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        numbers = [page.obj.objgen for page in pdf.pages]
        size = int(pdf.trailer.Size)
        root = pdf.trailer.Root.objgen
        chunks, offsets, at = [], {}, len(data)
        for page, ref in zip(pdf.pages, numbers, strict=True):
            page.obj.PieceInfo = pikepdf.Dictionary(Edited=pikepdf.Name.Yes)
            text = b"%d %d obj\n%s\nendobj\n" % (*ref, bytes(page.obj.unparse(resolved=True)))
            offsets[ref[0]] = at
            chunks.append(text)
            at += len(text)
    xref = [b"xref\n0 1\n0000000000 65535 f\r\n"]
    for number in sorted(offsets):
        xref.append(b"%d 1\n%010d 00000 n\r\n" % (number, offsets[number]))
    start = data.rindex(b"startxref")
    prev = int(data[start + 9 :].split()[0])
    trailer = b"trailer\n<< /Size %d /Root %d %d R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        size,
        *root,
        prev,
        at,
    )
    return data + b"".join(chunks) + b"".join(xref) + trailer


def encrypted_pdf(pages: int) -> bytes:
    """The real pages encrypted (AES-256) with PASSWORD."""
    import pikepdf

    with pikepdf.open(io.BytesIO(real_pdf(pages))) as pdf:
        buffer = io.BytesIO()
        pdf.save(buffer, encryption=pikepdf.Encryption(owner=PASSWORD, user=PASSWORD, R=6))
        return buffer.getvalue()


def signed_pdf(pages: int) -> bytes:
    """The real pages signed by pyHanko (an approval signature, a self-signed test key)."""
    from tests.documents.signing import really_signed

    return really_signed(real_pdf(pages))


def real_pdf(pages: int, *, object_streams: bool = False) -> bytes:
    """Pages of real-world files from the test corpus (scans, LaTeX, office exports, rotated),
    each source opened again for every copy so that no two copies share fonts or images;
    ``object_streams``: dictionaries compressed into object streams, as LaTeX and many recent
    exporters write them."""
    import pikepdf

    target = pikepdf.new()
    while len(target.pages) < pages:
        for name in REAL_SOURCES:
            source = pikepdf.open(CORPUS / name)
            for page in source.pages:
                if len(target.pages) < pages:
                    target.pages.append(page)
    buffer = io.BytesIO()
    mode = pikepdf.ObjectStreamMode.generate if object_streams else pikepdf.ObjectStreamMode.disable
    target.save(buffer, object_stream_mode=mode)
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
    """In this (fresh) process: the memory of the first prepare-like run (watermark, write,
    hash; then the preview), then the time of REPEATS runs."""
    import logging

    import pikepdf

    from robot.documents.checks import preflight
    from robot.documents.preview import pdf_preview
    from robot.documents.watermark import watermark_pdf

    logging.disable(logging.WARNING)  # pyHanko's notes on the signed inputs
    tiny = pikepdf.new()
    tiny.add_blank_page()
    buffer = io.BytesIO()
    tiny.save(buffer)
    watermark_pdf(buffer.getvalue(), TEXT)  # warm-up: fonts, the cached stamp
    pdf_preview(buffer.getvalue())
    data = path.read_bytes()
    password = PASSWORD if "encrypted" in path.name else None
    target = path.with_name(f"marked-{path.name}")
    base = _reset_peak()
    pages = preflight(path, data=data, password=password, max_bytes=len(data)).pages
    checked = _status_kb("VmHWM") - base
    base = _reset_peak()
    result = _prepare_like(watermark_pdf, data, target, password)
    extra = _status_kb("VmHWM") - base
    pdf_preview(target)  # as prepare does, with the output still held
    with_preview = _status_kb("VmHWM") - base
    written_as = result.written_as
    out_size = len(result.output)
    del result
    times, cpu = [], []
    for _ in range(REPEATS):
        start, start_cpu = time.perf_counter(), time.process_time()
        _prepare_like(watermark_pdf, data, target, password)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {
        "pages": pages,
        "in": len(data),
        "out": out_size,
        "written_as": written_as,
        "preflight_kb": checked,
        "extra_kb": extra,
        "preview_kb": with_preview,
        "times": times,
        "cpu": cpu,
    }


def _prepare_like(mark: Any, data: bytes, target: Path, password: str | None) -> Any:
    """Watermark ``data``, then size, write and hash the output as prepare does; returns the
    result."""
    result = mark(data, TEXT, password=password)
    output = result.output
    if len(output) <= 0:  # prepare checks the size against the portal's limit here
        raise RuntimeError("empty output")
    target.write_bytes(output)
    hashlib.sha256(output).hexdigest()
    return result


def _rows(kind: str, runs: list[dict[str, Any]]) -> tuple[str, str]:
    """The input's row in the time table and in the memory table: the median over the runs
    of each run's median time, the extreme times of all runs, the median peaks."""
    first = runs[0]
    pages, size_in, size_out = int(first["pages"]), int(first["in"]), int(first["out"])
    median = statistics.median(statistics.median(r["times"]) for r in runs)
    cpu = statistics.median(statistics.median(r["cpu"]) for r in runs)
    every = sorted(t for r in runs for t in r["times"])
    extra, preview, checked = (
        int(statistics.median(int(r[key]) for r in runs)) * 1024
        for key in ("extra_kb", "preview_kb", "preflight_kb")
    )
    how = WRITTEN_AS[first["written_as"]]
    time_row = (
        f"| {kind} | {how} | {pages:,} | {_mb(size_in)} | {_mb(size_out)} "
        f"({100 * (size_out - size_in) / size_in:+.1f} %) | {median * 1000:.0f} ms "
        f"({every[0] * 1000:.0f}–{every[-1] * 1000:.0f}) | **{pages / median:,.0f}** "
        f"| {pages / cpu:,.0f} |"
    )
    memory_row = (
        f"| {kind} | {how} | {pages:,} | {_mb(size_in)} "
        f"| **{_mb(extra)}** | **{extra / size_in:.2f}×** | {extra / pages / 1024:.1f} kB "
        f"| {_mb(preview)} | {_mb(checked)} ({checked / size_in:.2f}×) |"
    )
    return time_row, memory_row


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.2f} MB"


def _run(path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _input(kind: str, pages: int) -> bytes:
    if kind == "synthetic":
        return synthetic_pdf(pages)
    if kind == "real, two revisions":
        return two_revisions_pdf(pages)
    if kind == "real, encrypted":
        return encrypted_pdf(pages)
    if kind == "real, signed":
        return signed_pdf(pages)
    return real_pdf(pages, object_streams="object streams" in kind)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure(Path(sys.argv[2]))))
        return
    count = int(sys.argv[2]) if len(sys.argv) == 3 and sys.argv[1] == "--runs" else 1
    time_rows, memory_rows, loads = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for kind, pages in INPUTS:
            path = Path(folder) / f"{kind.replace(', ', '-').replace(' ', '-')}-{pages}.pdf"
            path.write_bytes(_input(kind, pages))
            paths.append(path)
        results: list[list[dict[str, Any]]] = [[] for _ in INPUTS]
        for run in range(count):  # whole runs one after another: the machine's load spreads
            loads.append(os.getloadavg()[0])
            for index, path in enumerate(paths):
                results[index].append(_run(path))
            print(f"run {run + 1} of {count} done", flush=True)
        for (kind, _), runs in zip(INPUTS, results, strict=True):
            time_row, memory_row = _rows(kind, runs)
            time_rows.append(time_row)
            memory_rows.append(memory_row)
            print(time_row, memory_row, sep="\n", flush=True)
    report = "\n".join(
        [
            "# Watermark benchmark",
            "",
            f"`python bench/watermark.py --runs {count}` on {platform.machine()}, Python "
            f"{platform.python_version()}, {os.cpu_count()} cores shared with other work. "
            "What `prepare_documents` does with a confidential PDF: `watermark_pdf`, "
            "then the output sized, written to a file and hashed (SHA-256), then the preview "
            "rendered from the written file. Each input in a fresh process per run, after a "
            f"warm-up on a one-page PDF; {count} run(s) of the whole set, one after another. "
            f"Time: the median over the runs of each run's median of {REPEATS} repetitions of "
            "watermark + write + hash, with the fastest and slowest repetition of all runs "
            "(pages per CPU-second: the same by process time, less sensitive to other work on "
            "the machine). Memory: the median over the runs of the first repetition's peak RSS "
            "(`VmHWM`, C++ allocations included) above the process's RSS with the input "
            "already read. Load average (1 min) at the start of each run: "
            + ", ".join(f"{load:.1f}" for load in loads)
            + ".",
            "",
            "- *synthetic*: text pages, 40 lines each, every 4th landscape, a third with /Rotate "
            "(small pages with their resources inline).",
            "- *real*: pages of seven files of the test corpus (117-page scan-and-text report, "
            "LaTeX, office exports, rotated pages, images) repeated, each copy with its own "
            "fonts and images, as in documents assembled from several sources.",
            "- *real, object streams*: the same pages saved with object streams and a "
            "cross-reference stream (as LaTeX and many recent exporters write).",
            "- *real, two revisions*: the real pages with an incremental update that gave every "
            "page a new version (as an editor leaves them).",
            "- *real, encrypted*: the real pages encrypted (AES-256, password given): qpdf "
            "decrypts while it reads.",
            "- *real, signed*: the real pages signed by pyHanko (an approval signature).",
            "",
            "Written as: *qpdf rewrite* (pikepdf saves the whole document again, with no "
            "earlier revision) or *pyHanko update* (the signed bytes kept, the mark appended as "
            "an incremental update).",
            "",
            "| input | written as | pages | input | output (growth) | time | pages/s "
            "| pages per CPU-second |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
            *time_rows,
            "",
            "Extra peak RSS: of watermark + write + hash (the figure for the target); the same "
            "with the preview rendered afterwards (pdfium reading the written file, the output "
            "still held); and the pre-flight (page count by qpdf, with the password for the "
            "encrypted file).",
            "",
            "| input | written as | pages | input | extra peak RSS | × input | per page "
            "| with the preview | pre-flight |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
            *memory_rows,
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
