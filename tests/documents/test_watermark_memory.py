"""What the watermark costs in memory: at most 10 times the file plus 50 MB above what the
process held with the input read, on both paths (qpdf's full rewrite, pyHanko's update of a
signed file), C++ allocations included.

Measured in a fresh process with the kernel's peak-RSS counter (``VmHWM``, reset through
``/proc/self/clear_refs``), as bench/watermark.py measures it; the bench gives the figures.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from reportlab.pdfgen import canvas

from tests.documents.signing import really_signed

_MB = 1024 * 1024
_MEASURE = """
import gc, hashlib, io, json, sys
from pathlib import Path
import pikepdf
from robot.documents.watermark import watermark_pdf

def kb(field):
    for line in open("/proc/self/status", encoding="ascii"):
        if line.startswith(field + ":"):
            return int(line.split()[1])

tiny = pikepdf.new()
tiny.add_blank_page()
warm = io.BytesIO()
tiny.save(warm)
watermark_pdf(warm.getvalue(), "calentamiento")
data = Path(sys.argv[1]).read_bytes()
gc.collect()
open("/proc/self/clear_refs", "w").write("5")
base = kb("VmRSS")
result = watermark_pdf(data, "Documento de uso exclusivo para SECOP II")
Path(sys.argv[1]).with_suffix(".marcado.pdf").write_bytes(result.output)
hashlib.sha256(result.output).hexdigest()
print(json.dumps({"extra": (kb("VmHWM") - base) * 1024, "how": result.written_as}))
"""


def _pages(count: int) -> bytes:
    """``count`` text pages, each with its own content (a few kB a page)."""
    out = io.BytesIO()
    page = canvas.Canvas(out, invariant=1)
    for n in range(count):
        for line in range(30):
            page.drawString(50, 780 - 24 * line, f"Página {n + 1}, línea {line + 1}: " + "x" * 50)
        page.showPage()
    page.save()
    with pikepdf.open(io.BytesIO(out.getvalue())) as pdf:
        again = io.BytesIO()
        pdf.save(again, compress_streams=False)  # a larger file, as scans and exports are
        return again.getvalue()


def _extra_peak(path: Path) -> tuple[int, str]:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return int(found["extra"]), str(found["how"])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc (Linux)")
@pytest.mark.parametrize("signed", [False, True])
def test_extra_peak_memory_is_at_most_ten_times_the_file_plus_50_mb(
    tmp_path: Path, signed: bool
) -> None:
    data = _pages(1500)
    if signed:
        data = really_signed(data)
    path = tmp_path / "grande.pdf"
    path.write_bytes(data)
    extra, how = _extra_peak(path)
    assert how == ("signed-update" if signed else "full-copy")
    assert extra <= 10 * len(data) + 50 * _MB, f"{extra / _MB:.1f} MB for {len(data) / _MB:.1f}"
