"""Documents in bounded resources (issue 14, point 5): each document is read, checked, marked,
written and previewed in a child process under a memory and a CPU-time limit (the settings
document.memory_mb and document.cpu_seconds) and a wall-clock limit. A decompression bomb, a
huge page count, a pixel bomb or a form that draws itself ends as a DocumentLimitError naming the
document, in Spanish, with the variable that raises the limit; a page-tree loop is found by qpdf
and refused as damaged; the rest of the batch is done. The hostile files are built here."""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from robot.bounded import Limits
from robot.cli import main
from robot.documents.model import DocumentSpec
from robot.documents.prepare import prepare_documents
from robot.errors import DocumentCorruptError, DocumentError, DocumentLimitError
from tests.documents import hostile
from tests.documents.pdfcheck import assert_watermarked
from tests.documents.test_images_constancia import SUPPLIER
from tests.documents.test_prepare import PROFILE
from tests.fixtures.documents import CORPUS

DAY = dt.date(2025, 3, 14)
TIGHT = Limits(256, 2, "document.memory_mb", "document.cpu_seconds", wall=15.0)
GOOD = ("pdflatex-4-pages.pdf", "smile.jpg")


def _png_bomb() -> bytes:
    """A one-bit PNG of 12,000 × 12,000 pixels (144 million: over Pillow's bomb limit)."""
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")
    return out.getvalue()


def _batch(tmp_path: Path, name: str, data: bytes) -> list[DocumentSpec]:
    """The hostile document between two good ones."""
    (tmp_path / name).write_bytes(data)
    return [
        DocumentSpec("rut", CORPUS / GOOD[0], True, "watermark"),
        DocumentSpec("experiencia", tmp_path / name, True, "watermark"),
        DocumentSpec("cedula_representante", CORPUS / GOOD[1], True, "watermark"),
    ]


def _assert_the_rest_is_done(out: Path) -> None:
    marked = out / "rut-pdflatex-4-pages.pdf"
    assert_watermarked(marked.read_bytes(), _text())
    assert (out / "cedula_representante-smile.jpg").stat().st_size > 0
    assert {p.name for p in (out / "previews").iterdir()} == {
        "rut-pdflatex-4-pages.png",
        "cedula_representante-smile.png",
    }


def _text() -> str:
    from robot.documents.model import watermark_text

    return watermark_text(SUPPLIER, DAY)


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("bomba-descompresion.pdf", hostile.decompression_bomb),  # 1 GB from 1 MB
        ("bomba-pixeles.pdf", hostile.pixel_bomb),  # 2 GB of pixels from 6 kB
        ("dibujo-ciclico.pdf", hostile.drawing_cycle),  # 2^64 draws
        ("muchas-paginas.pdf", lambda: hostile.many_pages(200_000)),
        ("bomba-pixeles.png", _png_bomb),
    ],
)
def test_a_hostile_document_is_a_limit_error_and_the_rest_of_the_batch_is_done(
    name: str, build: Callable[[], bytes], tmp_path: Path
) -> None:
    specs = _batch(tmp_path, name, build())
    out = tmp_path / "salida"
    started = time.monotonic()
    with pytest.raises(DocumentLimitError) as caught:
        prepare_documents(specs, SUPPLIER, out, today=DAY, limits=TIGHT)
    assert time.monotonic() - started < 3 * TIGHT.wall_seconds  # three documents at most
    message, hint = caught.value.message, caught.value.hint
    assert message.startswith(f"{name}: "), message
    assert any(word in message for word in ("límite", "memoria", "píxeles")), message
    assert "Traceback" not in message + hint
    assert hint
    _assert_the_rest_is_done(out)


def test_a_page_tree_loop_is_refused_as_damaged_and_the_rest_is_done(tmp_path: Path) -> None:
    """qpdf finds the loop itself: a damaged document, with what to do."""
    specs = _batch(tmp_path, "bucle.pdf", hostile.page_tree_loop())
    with pytest.raises(DocumentCorruptError) as caught:
        prepare_documents(specs, SUPPLIER, tmp_path / "salida", today=DAY, limits=TIGHT)
    assert caught.value.message.startswith("bucle.pdf: el árbol de páginas del PDF está dañado")
    assert "vuelva a exportar" in caught.value.hint
    _assert_the_rest_is_done(tmp_path / "salida")


def profile_with(tmp_path: Path, **documents: Path) -> Path:
    """The test profile with its required documents (RUT, existencia, cédula; copied as they
    are) or ``documents`` in their place (slot: file; confidential and marked), last."""
    folder = tmp_path / "perfil"
    (folder / "docs").mkdir(parents=True)
    required = {
        "rut": CORPUS / GOOD[0],
        "existencia": CORPUS / "annotated_pdf.pdf",
        "cedula_representante": CORPUS / GOOD[1],
    }
    lines = ["documents:"]
    for slot, source in required.items():
        if slot in documents:
            continue
        lines += [f"  - slot: {slot}", f"    path: docs/{source.name}"]
        (folder / "docs" / source.name).write_bytes(source.read_bytes())
    for slot, source in documents.items():
        lines += [f"  - slot: {slot}", f"    path: docs/{source.name}"]
        lines += ["    confidential: true", "    marking: watermark"]
        (folder / "docs" / source.name).write_bytes(source.read_bytes())
    path = folder / "perfil.yaml"
    path.write_text(PROFILE.split("documents:")[0] + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_documents_command_says_which_limit_and_how_to_raise_it(tmp_path: Path) -> None:
    """A page whose drawing inflates to 100 MB (a detailed vector plan may): over a 64 MB
    limit, fine under the default one."""
    plan = tmp_path / "plano.pdf"
    plan.write_bytes(hostile.decompression_bomb(100))
    profile = profile_with(tmp_path, existencia=plan)
    args = ["documents", str(profile), "--out", str(tmp_path / "o")]

    low = CliRunner().invoke(main, args, env={"SECOP_DOCUMENT_MEMORY_MB": "64"})
    assert low.exit_code == 1, low.output
    assert "error: plano.pdf: " in low.output
    assert "límite" in low.output and "64 MB" in low.output
    assert "SECOP_DOCUMENT_MEMORY_MB=128" in low.output
    assert "Traceback" not in low.output
    assert (tmp_path / "o" / "rut-pdflatex-4-pages.pdf").is_file()  # the rest is done

    raised = CliRunner().invoke(main, args, env={"SECOP_DOCUMENT_MEMORY_MB": "1024"})
    assert raised.exit_code == 0, raised.output
    assert (tmp_path / "o" / "existencia-plano.pdf").is_file()


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("SECOP_DOCUMENT_MEMORY_MB", "10", "10 está fuera del rango; use un número entero de 64"),
        ("SECOP_DOCUMENT_CPU_SECONDS", "inf", "«inf» no es un número entero"),
        ("SECOP_DOCUMENT_CPU_SECONDS", "0", "0 está fuera del rango; use un número entero de 1"),
    ],
)
def test_a_limit_out_of_its_range_is_refused_before_any_document(
    variable: str, value: str, says: str, tmp_path: Path
) -> None:
    profile = profile_with(tmp_path)
    result = CliRunner().invoke(
        main, ["documents", str(profile), "--out", str(tmp_path / "o")], env={variable: value}
    )
    assert result.exit_code == 1, result.output
    assert f"{variable}: {says}" in result.output
    assert not (tmp_path / "o").exists()


def test_suppliers_prepared_at_once_in_threads_are_all_marked(tmp_path: Path) -> None:
    """What the robot does with several suppliers at once (no lock: pdfium runs only in the
    documents' own processes)."""
    names = ["pdflatex-4-pages.pdf", "multicolumn.pdf", "habibi-rotated.pdf", "pdfkit.pdf"]
    failures: list[BaseException] = []

    def supplier(n: int) -> None:
        spec = DocumentSpec("rut", CORPUS / names[n], True, "watermark")
        try:
            prepare_documents([spec], SUPPLIER, tmp_path / f"p{n}", today=DAY)
        except (DocumentError, OSError) as err:
            failures.append(err)

    threads = [threading.Thread(target=supplier, args=(n,)) for n in range(len(names))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    for n, name in enumerate(names):
        marked = tmp_path / f"p{n}" / f"rut-{Path(name).stem}.pdf"
        assert_watermarked(marked.read_bytes(), _text(), (CORPUS / name).read_bytes())
