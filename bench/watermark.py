"""Benchmark: watermarking speed (pages/s) and peak memory against page count.

    python bench/watermark.py

Writes docs/benchmarks/watermark.md. Measures what ``prepare_documents`` does with a watermarked
PDF: ``watermark_pdf_result``, then the output's parts sized, written to a file and hashed, then
the preview rendered from that file. Every input is measured in fresh processes: after imports,
a warm-up on a one-page PDF (fonts, the stamp) and reading the input, the process's RSS is the
baseline and the peak RSS above it (``VmHWM``, which counts qpdf's and pdfium's C++ memory too)
the memory figure of the first run; then ``REPEATS`` more runs give the time (median, min and
max). A second process measures the memory of the same run with the output joined into one
``bytes`` (``watermark_pdf``, what prepare did before), for comparison. Each row says how the
file was written (``WatermarkResult.written_as``): an update with the earlier versions blanked
(every file the lean reader reads), or for the *real, encrypted* row a decrypted copy made by
our own code, then updated. The pre-flight (page count, lean reader) and qpdf reading the page
tree alone (what the watermark used before the lean reader) are measured the same way, for
comparison.
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
WRITTEN_AS = {
    "update": "update, blanked",
    "signed-update": "update, kept",
    "decrypted-update": "decrypted copy, updated",
    "full-copy": "full copy",
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


def measure(path: Path, mode: str) -> dict[str, Any]:
    """In this (fresh) process: ``mode`` "file": the memory of the first prepare-like run
    (watermark, write, hash; then the preview), then the time of REPEATS runs; "bytes": the
    memory of one run that joins the output into one ``bytes``."""
    import pikepdf

    from robot.documents.checks import open_pdf, preflight
    from robot.documents.preview import pdf_preview
    from robot.documents.watermark import watermark_pdf, watermark_pdf_result

    tiny = pikepdf.new()
    tiny.add_blank_page()
    buffer = io.BytesIO()
    tiny.save(buffer)
    watermark_pdf_result(buffer.getvalue(), TEXT)  # warm-up: fonts, the cached stamp
    pdf_preview(buffer.getvalue())
    data = path.read_bytes()
    password = PASSWORD if "encrypted" in path.name else None
    target = path.with_name(f"marked-{path.name}")
    if mode == "bytes":
        base = _reset_peak()
        joined = watermark_pdf(data, TEXT, password=password)
        return {"joined_kb": _status_kb("VmHWM") - base, "out": len(joined)}
    base = _reset_peak()
    pages = preflight(path, data=data, password=password, max_bytes=len(data)).pages
    checked = _status_kb("VmHWM") - base
    base = _reset_peak()
    with open_pdf(data, path.name, password) as pdf:  # what qpdf needs to read the page tree
        assert len(pdf.pages) == pages
    tree = _status_kb("VmHWM") - base
    base = _reset_peak()
    result = _prepare_like(watermark_pdf_result, data, target, password)
    extra = _status_kb("VmHWM") - base
    pdf_preview(target)  # as prepare does, with the output still held
    with_preview = _status_kb("VmHWM") - base
    written_as = result.written_as
    out_size = result.output.size
    del result
    times, cpu = [], []
    for _ in range(REPEATS):
        start, start_cpu = time.perf_counter(), time.process_time()
        _prepare_like(watermark_pdf_result, data, target, password)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {
        "pages": pages,
        "in": len(data),
        "out": out_size,
        "written_as": written_as,
        "tree_kb": tree,
        "preflight_kb": checked,
        "extra_kb": extra,
        "preview_kb": with_preview,
        "times": times,
        "cpu": cpu,
    }


def _prepare_like(mark: Any, data: bytes, target: Path, password: str | None) -> Any:
    """Watermark ``data``, then size, write and hash the output's parts as prepare does;
    returns the result."""
    result = mark(data, TEXT, password=password)
    output = result.output
    if output.size <= 0:  # prepare checks the size against the portal's limit here
        raise RuntimeError("empty output")
    output.write_to(target)
    output.sha256()
    return result


def _rows(kind: str, r: dict[str, Any]) -> tuple[str, str]:
    """The input's row in the time table and in the memory table."""
    pages, size_in, size_out = int(r["pages"]), int(r["in"]), int(r["out"])
    times = sorted(r["times"])
    median = statistics.median(times)
    cpu = statistics.median(r["cpu"])
    extra, preview, joined, tree, checked = (
        int(r[key]) * 1024
        for key in ("extra_kb", "preview_kb", "joined_kb", "tree_kb", "preflight_kb")
    )
    how = WRITTEN_AS[r["written_as"]]
    time_row = (
        f"| {kind} | {how} | {pages:,} | {_mb(size_in)} | {_mb(size_out)} "
        f"({100 * (size_out - size_in) / size_in:+.1f} %) | {median * 1000:.0f} ms "
        f"({times[0] * 1000:.0f}–{times[-1] * 1000:.0f}) | **{pages / median:,.0f}** "
        f"| {pages / cpu:,.0f} |"
    )
    memory_row = (
        f"| {kind} | {how} | {pages:,} | {_mb(size_in)} "
        f"| **{_mb(extra)}** | **{extra / size_in:.2f}×** | {extra / pages / 1024:.1f} kB "
        f"| {_mb(preview)} | {_mb(joined)} ({joined / size_in:.1f}×) "
        f"| {_mb(checked)} ({checked / size_in:.2f}×) | {_mb(tree)} ({tree / size_in:.1f}×) |"
    )
    return time_row, memory_row


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.2f} MB"


def _run(path: Path, mode: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", str(path), mode],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        print(json.dumps(measure(Path(sys.argv[2]), sys.argv[3])))
        return
    time_rows, memory_rows = [], []
    with tempfile.TemporaryDirectory() as folder:
        for kind, pages in INPUTS:
            path = Path(folder) / f"{kind.replace(', ', '-').replace(' ', '-')}-{pages}.pdf"
            if kind == "synthetic":
                path.write_bytes(synthetic_pdf(pages))
            elif kind == "real, two revisions":
                path.write_bytes(two_revisions_pdf(pages))
            elif kind == "real, encrypted":
                path.write_bytes(encrypted_pdf(pages))
            else:
                path.write_bytes(real_pdf(pages, object_streams="object streams" in kind))
            result = _run(path, "file")
            joined = _run(path, "bytes")
            assert joined["out"] == result["out"]
            result["joined_kb"] = joined["joined_kb"]
            time_row, memory_row = _rows(kind, result)
            time_rows.append(time_row)
            memory_rows.append(memory_row)
            print(time_row, memory_row, sep="\n", flush=True)
    report = "\n".join(
        [
            "# Watermark benchmark",
            "",
            f"`python bench/watermark.py` on {platform.machine()}, Python "
            f"{platform.python_version()}, {os.cpu_count()} cores shared with other work. "
            "What `prepare_documents` does with a confidential PDF: `watermark_pdf_result`, "
            "then the output's parts sized, written to a file and hashed (SHA-256), then the "
            "preview rendered from the written file. Each input in fresh processes, after a "
            "warm-up on a one-page PDF. Time: median (min–max) of "
            f"{REPEATS} runs of watermark + write + hash (pages per CPU-second: the same runs "
            "by process time, less sensitive to other work on the machine). Memory: the first "
            "run's peak RSS (`VmHWM`, C++ allocations included) above the process's RSS with "
            "the input already read. "
            f"Load average when measured: {os.getloadavg()[0]:.1f}.",
            "",
            "- *synthetic*: text pages, 40 lines each, every 4th landscape, a third with /Rotate "
            "(small pages with their resources inline).",
            "- *real*: pages of seven files of the test corpus (117-page scan-and-text report, "
            "LaTeX, office exports, rotated pages, images) repeated, each copy with its own "
            "fonts and images, as in documents assembled from several sources.",
            "- *real, object streams*: the same pages saved with object streams and a "
            "cross-reference stream (as LaTeX and many recent exporters write): the object "
            "streams holding page dictionaries are blanked whole and their other objects "
            "written again, packed.",
            "- *real, two revisions*: the real pages with an incremental update that gave every "
            "page a new version (as an editor leaves them): every version the new revision "
            "does not use is blanked.",
            "- *real, encrypted*: the real pages encrypted (AES-256, password given): decrypted "
            "by our own code into a new file (the portal copy must open without a password), "
            "which is then updated like any other.",
            "",
            "Written as: *update, blanked* (the original's bytes with every version the new "
            "revision does not use overwritten by spaces, then the update), *decrypted copy, "
            "updated* (the same on our decrypted copy) or *full copy* (qpdf rewrites the file: "
            "damaged files only, not benchmarked).",
            "",
            "| input | written as | pages | input | output (growth) | time | pages/s "
            "| pages per CPU-second |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
            *time_rows,
            "",
            "Extra peak RSS: of watermark + write + hash (the figure for the target); the same "
            "with the preview rendered afterwards (pdfium reading the written file, the output "
            "still held); the same watermark with the output joined into one `bytes` "
            "(`watermark_pdf`, what prepare kept before this design), measured in another "
            "fresh process; the pre-flight (page count by the lean reader; qpdf for the "
            "encrypted file, which it opens with the password); and, for comparison, qpdf "
            "reading the page tree alone (what the watermark and the pre-flight needed before "
            "the lean reader).",
            "",
            "| input | written as | pages | input | extra peak RSS | × input | per page "
            "| with the preview | joined into `bytes` | pre-flight "
            "| qpdf reading the page tree alone |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
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
