"""prepare_documents, the manifest and its comparison, and the ``documents`` command."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import shutil
import tracemalloc
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from PIL import Image

from robot.cli import main
from robot.documents import prepare as prepare_module
from robot.documents.checks import read_document
from robot.documents.from_profile import specs_from_profile
from robot.documents.manifest import Manifest, compare_manifest
from robot.documents.model import DocumentSpec, ImageOutput, Marking, watermark_text
from robot.documents.prepare import prepare_documents
from robot.documents.watermark import WatermarkResult, watermark_pdf
from robot.errors import (
    DocumentCorruptError,
    DocumentError,
    DocumentLimitError,
    DocumentTypeError,
)
from robot.profiles import load_profile
from tests.documents.pdfcheck import assert_watermarked, page_texts, squash
from tests.documents.test_images_constancia import SUPPLIER
from tests.fixtures.documents import CORPUS, ENCRYPTED

DAY = dt.date(2025, 3, 14)
TEXT = "Documento de uso exclusivo para SECOP II — Ñandú Ingeniería S.A.S. — 14/03/2025"


@pytest.fixture
def originals(tmp_path: Path) -> Path:
    folder = tmp_path / "originales"
    folder.mkdir()
    for name in ("pdflatex-4-pages.pdf", "smile.jpg", "image.png", ENCRYPTED, "multicolumn.pdf"):
        shutil.copy(CORPUS / name, folder / name)
    return folder


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()
    }


def test_prepare_marks_converts_and_writes_the_manifest(originals: Path, tmp_path: Path) -> None:
    before = _digests(originals)
    specs = [
        DocumentSpec("rut", originals / "multicolumn.pdf"),
        DocumentSpec("estados_financieros", originals / "pdflatex-4-pages.pdf", True, "watermark"),
        DocumentSpec("cedula_representante", originals / "smile.jpg", True, "watermark", "pdf"),
        DocumentSpec("experiencia", originals / "image.png", True, "watermark", "image"),
        DocumentSpec(
            "existencia", originals / ENCRYPTED, True, "constancia", password="openpassword"
        ),
    ]
    out = tmp_path / "salida"
    manifest = prepare_documents(specs, SUPPLIER, out, today=DAY)

    assert _digests(originals) == before  # originals untouched
    by_slot = {e.slot: e for e in manifest.entries}
    assert by_slot["rut"].method == "copy"
    assert by_slot["estados_financieros"].method == "pdf-watermark"
    assert by_slot["cedula_representante"].output.name == "cedula_representante-smile.pdf"
    assert by_slot["experiencia"].output.name == "experiencia-image.png"
    # The confidential document marked 'constancia' is replaced in its own slot (PORTAL.md 3.5):
    # the entry's original is the document, its output the constancia; no copy is written.
    existencia = by_slot["existencia"]
    assert existencia.method == "constancia"
    assert existencia.marking == "constancia"
    assert existencia.output.name == "existencia-constancia-confidencialidad.pdf"
    assert existencia.original.name == ENCRYPTED
    assert existencia.output.pages == 1
    assert "constancia en lugar de " + ENCRYPTED in " ".join(existencia.notes)
    assert "constancia" not in by_slot
    assert not any(ENCRYPTED.rsplit(".", 1)[0] in p.name for p in out.iterdir())

    marked = (out / by_slot["estados_financieros"].output.name).read_bytes()
    assert assert_watermarked(marked, TEXT, (originals / "pdflatex-4-pages.pdf").read_bytes()) == 4
    assert_watermarked((out / "cedula_representante-smile.pdf").read_bytes(), TEXT)
    constancia = page_texts((out / existencia.output.name).read_bytes())[0]
    assert squash(ENCRYPTED) in constancia
    assert squash("Certificado de existencia") in constancia
    assert squash(existencia.original.sha256[:16]) in constancia

    for entry in manifest.entries:
        data = (out / entry.output.name).read_bytes()
        assert entry.output.size == len(data)
        assert entry.output.sha256 == hashlib.sha256(data).hexdigest()
        assert entry.preview is not None
        with Image.open(out / entry.preview) as thumb:
            assert thumb.format == "PNG"
            assert thumb.width <= 320
    assert by_slot["estados_financieros"].original.pages == 4

    text = (out / "manifest.json").read_text(encoding="utf-8")
    assert "openpassword" not in text
    assert Manifest.from_json(text) == manifest


def test_a_spec_never_shows_its_password() -> None:
    spec = DocumentSpec("rut", Path("rut.pdf"), True, "watermark", password="openpassword")
    assert "openpassword" not in repr(spec) and "openpassword" not in str(spec)


@pytest.mark.parametrize(
    ("name", "marking"),
    [("rut.pdf", "watermark"), ("rut-constancia-confidencialidad.pdf", "constancia")],
)
def test_the_originals_folder_is_never_written_over(
    tmp_path: Path, name: str, marking: Marking
) -> None:
    """``rut.pdf`` in slot ``rut`` keeps its name: prepared into its own folder it would
    replace the original, so it is refused and the original keeps its bytes. A constancia is
    written like every prepared file: not over an original of its name either."""
    original = tmp_path / name
    shutil.copy(CORPUS / "pdflatex-4-pages.pdf", original)
    before = _digests(tmp_path)
    spec = DocumentSpec("rut", original, True, marking)
    with pytest.raises(DocumentError, match="la carpeta de salida es la de los originales"):
        prepare_documents([spec], SUPPLIER, tmp_path, today=DAY)
    assert _digests(tmp_path) == before


def test_a_constancia_over_the_portal_limit_is_refused(tmp_path: Path) -> None:
    """The portal refuses any file over its limit, a constancia too (about 25 kB)."""
    source = CORPUS / "minimal-document.pdf"
    spec = DocumentSpec("rut", source, True, "constancia")
    limit = source.stat().st_size + 1000
    with pytest.raises(DocumentLimitError, match="como constancia, más que el límite"):
        prepare_documents([spec], SUPPLIER, tmp_path / "out", max_bytes=limit, today=DAY)


def test_a_file_that_grows_over_the_limit_after_marking_is_refused(tmp_path: Path) -> None:
    source = CORPUS / "minimal-document.pdf"
    limit = source.stat().st_size + 1000  # fits before, not with the embedded font
    spec = DocumentSpec("rut", source, True, "watermark")
    with pytest.raises(DocumentLimitError, match="después de la marca de agua"):
        prepare_documents([spec], SUPPLIER, tmp_path / "out", max_bytes=limit, today=DAY)


def test_a_watermarked_pdf_is_written_as_the_watermark_made_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The written file is the watermark's output, and the manifest's size and SHA-256 are
    those of the written file."""
    read: list[bytes] = []
    results: list[WatermarkResult] = []

    def reading(path: Path) -> bytes:
        read.append(read_document(path))
        return read[-1]

    def marking(*args: Any, **kwargs: Any) -> WatermarkResult:
        results.append(watermark_pdf(*args, **kwargs))
        return results[-1]

    monkeypatch.setattr(prepare_module, "read_document", reading)
    monkeypatch.setattr(prepare_module, "watermark_pdf", marking)
    source = CORPUS / "habibi-rotated.pdf"
    spec = DocumentSpec("experiencia", source, True, "watermark")
    # in this process (limits=False), where the patches apply
    manifest = prepare_documents([spec], SUPPLIER, tmp_path / "out", today=DAY, limits=False)

    (entry,) = manifest.entries
    (result,) = results
    assert result.written_as == "full-copy"
    written = (tmp_path / "out" / entry.output.name).read_bytes()
    assert len(written) > len(read[0])
    assert written == result.output
    assert entry.output.sha256 == hashlib.sha256(written).hexdigest()
    assert entry.output.size == len(written)
    assert_watermarked(written, TEXT, source.read_bytes())
    assert (tmp_path / "out" / (entry.preview or "")).stat().st_size > 0


def test_prepare_holds_two_copies_of_a_watermarked_pdf_at_most(tmp_path: Path) -> None:
    """Python allocations while preparing an 8 MB PDF (pikepdf, pdfium and Pillow allocate
    outside tracemalloc's view): the file read once and qpdf's output read back once, plus
    small change; joining or copying either again would be a third 8 MB. (Before qpdf's full
    rewrite, an update appended to the input itself held a single copy: 1.4×.)"""
    rgb = random.Random(0).randbytes(2000 * 1333 * 3)
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(600, 400))
        image = pdf.make_stream(rgb, Width=2000, Height=1333, BitsPerComponent=8)
        image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        image.ColorSpace = pikepdf.Name.DeviceRGB
        page = pdf.pages[0]
        page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        page.obj.Contents = pdf.make_stream(b"q 600 0 0 400 0 0 cm /Im0 Do Q")
        pdf.save(tmp_path / "grande.pdf", compress_streams=False)
    size = (tmp_path / "grande.pdf").stat().st_size
    assert size > 7_900_000
    spec = DocumentSpec("experiencia", tmp_path / "grande.pdf", True, "watermark")
    # in this process (limits=False), where tracemalloc sees it; warmed up (fonts, stamp)
    prepare_documents([spec], SUPPLIER, tmp_path / "calentamiento", today=DAY, limits=False)
    tracemalloc.start()
    try:
        manifest = prepare_documents([spec], SUPPLIER, tmp_path / "out", today=DAY, limits=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert manifest.entries[0].method == "pdf-watermark"
    assert peak < size * 2.4, f"{peak / size:.2f}× the file"


def test_every_failing_document_is_reported_at_once(tmp_path: Path) -> None:
    bad = tmp_path / "rut.pdf"
    bad.write_bytes((CORPUS / "image.png").read_bytes())
    specs = [DocumentSpec("rut", bad), DocumentSpec("existencia", CORPUS / ENCRYPTED)]
    with pytest.raises(DocumentError) as caught:
        prepare_documents(specs, SUPPLIER, tmp_path / "out", today=DAY)
    assert "2 documentos" in caught.value.message
    assert "rut.pdf" in caught.value.message
    assert ENCRYPTED in caught.value.message


def test_a_single_failure_keeps_its_class(tmp_path: Path) -> None:
    bad = tmp_path / "rut.pdf"
    bad.write_bytes((CORPUS / "image.png").read_bytes())
    with pytest.raises(DocumentTypeError):
        prepare_documents([DocumentSpec("rut", bad)], SUPPLIER, tmp_path / "out", today=DAY)


@pytest.mark.parametrize(
    ("seam", "failure", "source", "image_output", "says"),
    [
        (
            "watermark_pdf",
            pikepdf.PdfError("xref not found"),
            "multicolumn.pdf",
            "image",
            "marcar",
        ),
        ("watermark_image", OSError("broken data stream"), "image.png", "image", "marcar"),
        ("image_to_watermarked_pdf", ValueError("bad EXIF"), "smile.jpg", "pdf", "marcar"),
        (
            "pdf_preview",
            pdfium.PdfiumError("Failed to load page"),
            "multicolumn.pdf",
            "image",
            "previsualizar",
        ),
        ("image_preview", SyntaxError("not a PNG file"), "image.png", "image", "previsualizar"),
    ],
)
def test_a_library_failure_names_the_document(
    seam: str,
    failure: Exception,
    source: str,
    image_output: ImageOutput,
    says: str,
    originals: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pikepdf, pdfium or Pillow failing while marking or previewing (seen with damaged files
    the pre-flight let through) gives the document's own clear error, not a traceback."""

    def broken(*args: object, **kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(prepare_module, seam, broken)  # in this process (limits=False below)
    path = originals / source
    spec = DocumentSpec("experiencia", path, True, "watermark", image_output)
    with pytest.raises(DocumentCorruptError) as caught:
        prepare_documents([spec], SUPPLIER, tmp_path / "out", today=DAY, limits=False)
    assert caught.value.message.startswith(f"{path.name}: el documento no se pudo {says}")
    assert str(failure) in caught.value.message
    assert caught.value.hint


def test_compare_manifest(originals: Path, tmp_path: Path) -> None:
    specs = [
        DocumentSpec("rut", originals / "multicolumn.pdf"),
        DocumentSpec("experiencia", originals / "image.png"),
    ]
    manifest = prepare_documents(specs, SUPPLIER, tmp_path / "out", today=DAY)
    rut, exp = manifest.uploads()
    good = [{"name": f.name, "size": f.size, "sha256": f.sha256} for f in (rut, exp)]
    assert compare_manifest(manifest, good) == []
    assert compare_manifest(manifest, [{"name": rut.name, "size": rut.size}, good[1]]) == []

    bad = [{"name": rut.name, "size": rut.size + 1, "sha256": "0" * 64}, {"name": "otro.pdf"}]
    found = {(m.name, m.field) for m in compare_manifest(manifest, bad)}
    assert found == {
        (rut.name, "size"),
        (rut.name, "sha256"),
        (exp.name, "missing"),
        ("otro.pdf", "unexpected"),
    }
    messages = [str(m) for m in compare_manifest(manifest, bad)]
    assert any("no aparece en el portal" in m for m in messages)


def test_compare_manifest_takes_a_sha256_in_any_case(originals: Path, tmp_path: Path) -> None:
    specs = [DocumentSpec("rut", originals / "multicolumn.pdf")]
    manifest = prepare_documents(specs, SUPPLIER, tmp_path / "out", today=DAY)
    (rut,) = manifest.uploads()
    sha = {"name": rut.name, "size": rut.size, "sha256": rut.sha256.upper()}
    assert compare_manifest(manifest, [sha]) == []
    sha["sha256"] = rut.sha256[:-1] + ("0" if rut.sha256[-1] != "0" else "1")
    assert [m.field for m in compare_manifest(manifest, [sha])] == ["sha256"]
    sha["size"] = str(rut.size)  # bytes are a number: the page objects convert what they read
    assert [m.field for m in compare_manifest(manifest, [sha])] == ["size", "sha256"]


PROFILE = """\
allow_literal_secrets: true
supplier:
  person_type: juridica
  origin: nacional
  organization_type: sas
  legal_name: Ñandú Ingeniería S.A.S.
  short_name: NANDU
  nit: 901234560-6
  address: Calle 26 # 68-35
  country: CO
  departamento: Bogotá, D.C.
  municipio: Bogotá
  phone: 601 745 6600
  email: notificaciones@nandu.test
  company_size: micro
  unspsc_main: "81111500"
  legal_representative:
    first_name: Ana
    last_name: Peña
    id_type: CC
    id_number: "1020304050"
    phone: 300 123 4567
    email: representante@nandu.test
administrator:
  first_name: Pedro
  last_name: Prueba
  id_type: CC
  id_number: "79123456"
  email: admin@nandu.test
  phone: 310 555 0101
  username: nandu.admin
  password: Clave-Segura-1
  accept_terms: true
  data_policy_consent: true
documents:
  - slot: rut
    path: docs/pdflatex-4-pages.pdf
    confidential: true
    marking: watermark
  - slot: existencia
    path: docs/{encrypted}
    confidential: true
    marking: constancia
    password: ${{SECOP_DOC_PASSWORD}}
  - slot: cedula_representante
    path: docs/smile.jpg
"""


def _profile(tmp_path: Path, originals: Path, **replace: str) -> Path:
    shutil.copytree(originals, tmp_path / "perfil" / "docs")
    path = tmp_path / "perfil" / "nandu.yaml"
    text = PROFILE.format(encrypted=ENCRYPTED)
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_slot_with_a_page_limit_refuses_a_longer_document(
    originals: Path, tmp_path: Path
) -> None:
    """The cédula slot takes 2 pages (front and back): a 4-page PDF there is refused."""
    profile = _profile(
        tmp_path,
        originals,
        **{"    path: docs/smile.jpg": "    path: docs/pdflatex-4-pages.pdf"},
    )
    loaded = load_profile(profile)
    specs = specs_from_profile(loaded, environ={"SECOP_DOC_PASSWORD": "openpassword"})
    limits = {spec.slot: spec.max_pages for spec in specs}
    assert limits == {"rut": 10, "existencia": None, "cedula_representante": 2}
    result = CliRunner().invoke(
        main,
        ["documents", str(profile), "--out", str(tmp_path / "o")],
        env={"SECOP_DOC_PASSWORD": "openpassword"},
    )
    assert result.exit_code == 1, result.output
    assert "pdflatex-4-pages.pdf: tiene 4 páginas" in result.output
    assert "admite como máximo 2" in result.output


def test_documents_command_prepares_a_profile(
    originals: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = _profile(tmp_path, originals)
    monkeypatch.setenv("SECOP_DOC_PASSWORD", "openpassword")
    out = tmp_path / "revision"
    result = CliRunner().invoke(main, ["documents", str(profile), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "marca de agua" in result.output
    assert "openpassword" not in result.output
    manifest = Manifest.from_json((out / "manifest.json").read_text(encoding="utf-8"))
    assert [e.slot for e in manifest.entries] == ["rut", "existencia", "cedula_representante"]
    assert manifest.entries[1].output.name == "existencia-constancia-confidencialidad.pdf"
    assert "Ñandú Ingeniería S.A.S." in manifest.watermark_text
    assert_watermarked((out / "rut-pdflatex-4-pages.pdf").read_bytes(), manifest.watermark_text)


def test_documents_command_explains_a_missing_password(originals: Path, tmp_path: Path) -> None:
    profile = _profile(tmp_path, originals)
    result = CliRunner().invoke(main, ["documents", str(profile), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "SECOP_DOC_PASSWORD" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("replacement", "says", "hint"),
    [
        (
            b"%PDF-1.7\n" + bytes(range(256)) * 16,  # the loader's check passes: PDF signature
            "pdflatex-4-pages.pdf: el PDF está dañado y no se puede leer",
            "vuelva a exportar o escanear el documento",
        ),
        (
            (CORPUS / ENCRYPTED).read_bytes(),  # no `password` for this slot in the profile
            "pdflatex-4-pages.pdf: el PDF está protegido con contraseña",
            "indique la referencia `password` del documento en el perfil",
        ),
    ],
)
def test_documents_command_reaches_the_document_checks(
    replacement: bytes, says: str, hint: str, originals: Path, tmp_path: Path
) -> None:
    profile = _profile(tmp_path, originals)
    (tmp_path / "perfil" / "docs" / "pdflatex-4-pages.pdf").write_bytes(replacement)
    result = CliRunner().invoke(
        main,
        ["documents", str(profile), "--out", str(tmp_path / "o")],
        env={"SECOP_DOC_PASSWORD": "openpassword"},
    )
    assert result.exit_code == 1, result.output
    assert says in result.output
    assert hint in result.output
    assert "Traceback" not in result.output
    assert "openpassword" not in result.output


def test_documents_command_explains_a_bad_document(originals: Path, tmp_path: Path) -> None:
    profile = _profile(tmp_path, originals)
    (tmp_path / "perfil" / "docs" / "pdflatex-4-pages.pdf").write_bytes(b"no soy un PDF")
    result = CliRunner().invoke(
        main,
        ["documents", str(profile), "--out", str(tmp_path / "o")],
        env={"SECOP_DOC_PASSWORD": "openpassword"},
    )
    assert result.exit_code == 1, result.output
    assert "pdflatex-4-pages.pdf" in result.output
    assert "Traceback" not in result.output


CUSTOM = "Solo para SECOP II · NIT {nit} · {fecha} · {{confidencial}}"


def _marked_text(out: Path) -> str:
    manifest = Manifest.from_json((out / "manifest.json").read_text(encoding="utf-8"))
    day = dt.date.fromisoformat(manifest.date).strftime("%d/%m/%Y")
    assert_watermarked((out / "rut-pdflatex-4-pages.pdf").read_bytes(), manifest.watermark_text)
    return manifest.watermark_text.replace(day, "<fecha>")


def test_the_profile_sets_the_watermark_text(originals: Path, tmp_path: Path) -> None:
    profile = _profile(
        tmp_path, originals, **{"documents:\n": f'watermark_text: "{CUSTOM}"\ndocuments:\n'}
    )
    out = tmp_path / "o"
    result = CliRunner().invoke(
        main, ["documents", str(profile), "--out", str(out)], env={"SECOP_DOC_PASSWORD": "x"}
    )
    assert result.exit_code == 1  # the wrong password: the watermark text was accepted
    assert "contraseña indicada no abre" in result.output
    result = CliRunner().invoke(
        main,
        ["documents", str(profile), "--out", str(out)],
        env={"SECOP_DOC_PASSWORD": "openpassword"},
    )
    assert result.exit_code == 0, result.output
    assert _marked_text(out) == "Solo para SECOP II · NIT 901234560-6 · <fecha> · {confidencial}"


def test_the_option_overrides_the_profile(originals: Path, tmp_path: Path) -> None:
    profile = _profile(
        tmp_path, originals, **{"documents:\n": f'watermark_text: "{CUSTOM}"\ndocuments:\n'}
    )
    out = tmp_path / "o"
    result = CliRunner().invoke(
        main,
        ["documents", str(profile), "--out", str(out), "--watermark-text", "{razon_social} {nit}"],
        env={"SECOP_DOC_PASSWORD": "openpassword"},
    )
    assert result.exit_code == 0, result.output
    assert _marked_text(out) == "Ñandú Ingeniería S.A.S. 901234560-6"


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("Uso exclusivo de {razon}", "el campo {razon} no existe; use {razon_social}, {nit}"),
        ("Uso exclusivo {", "llave «{» o «}» sin pareja"),
        ("Uso {fecha!r}", "el campo {fecha} no admite formato"),
        ("   ", "está vacío"),
        ("x" * 201, "tiene 201 caracteres; el máximo es 200"),
    ],
)
def test_a_bad_watermark_text_is_explained(
    template: str, says: str, originals: Path, tmp_path: Path
) -> None:
    profile = _profile(
        tmp_path, originals, **{"documents:\n": f'watermark_text: "{template}"\ndocuments:\n'}
    )
    args = ["documents", str(profile), "--out", str(tmp_path / "o")]
    env = {"SECOP_DOC_PASSWORD": "openpassword"}
    from_profile = CliRunner().invoke(main, args, env=env)
    assert from_profile.exit_code == 1
    assert "nandu.yaml:" in from_profile.output and "watermark_text: " in from_profile.output
    assert says in from_profile.output
    from_option = CliRunner().invoke(main, [*args, "--watermark-text", template], env=env)
    assert from_option.exit_code == 1
    assert "error: --watermark-text: " in from_option.output
    assert says in from_option.output
    assert "Traceback" not in from_profile.output + from_option.output


def test_watermark_text_fills_the_placeholders() -> None:
    assert watermark_text(SUPPLIER, DAY) == TEXT
    assert watermark_text(SUPPLIER, DAY, "NIT {nit}, {fecha}") == "NIT 900123456-8, 14/03/2025"
    with pytest.raises(DocumentError, match=r"el campo \{dv\} no existe") as caught:
        watermark_text(SUPPLIER, DAY, "{nit}-{dv}")
    assert "{razon_social} (razón social del proveedor)" in caught.value.hint


def test_a_character_the_font_cannot_draw_is_refused() -> None:
    with pytest.raises(DocumentError, match="no puede dibujar: 字 漢"):
        watermark_text(SUPPLIER, DAY, "{razon_social} 漢字")
