"""The output folder is ours (issue 14, point 7): every file is written as a new file, never
through a link already in the folder; a full disk is exit 2 with a Spanish message and leaves no
half-written file."""

from __future__ import annotations

import datetime as dt
import errno
import os
from pathlib import Path

import pytest

from robot.documents.model import DocumentSpec
from robot.documents.prepare import prepare_documents
from robot.errors import DocumentError, SetupError
from robot.outfiles import write_new
from tests.documents.test_images_constancia import SUPPLIER
from tests.fixtures.documents import CORPUS

DAY = dt.date(2025, 3, 14)


def _specs() -> list[DocumentSpec]:
    return [DocumentSpec("rut", CORPUS / "pdfkit.pdf", True, "watermark")]


def test_a_link_already_in_the_output_folder_is_replaced_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "fuera"
    outside.mkdir()
    victims = {name: outside / name for name in ("rut-pdfkit.pdf", "manifest.json")}
    for victim in victims.values():
        victim.write_bytes(b"no tocar")
    out = tmp_path / "salida"
    out.mkdir()
    for name, victim in victims.items():
        (out / name).symlink_to(victim)
    (out / "previews").mkdir()
    (out / "previews" / "rut-pdfkit.png").symlink_to(outside / "rut-pdfkit.pdf")
    prepare_documents(_specs(), SUPPLIER, out, today=DAY)
    for victim in victims.values():
        assert victim.read_bytes() == b"no tocar"
    for name in (*victims, "previews/rut-pdfkit.png"):
        assert not (out / name).is_symlink()
        assert (out / name).stat().st_size > 100
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "previews", "rut-pdfkit.pdf"]


def test_a_previews_link_to_another_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "fuera"
    outside.mkdir()
    out = tmp_path / "salida"
    out.mkdir()
    (out / "previews").symlink_to(outside, target_is_directory=True)
    with pytest.raises(DocumentError, match="enlace simbólico"):
        prepare_documents(_specs(), SUPPLIER, out, today=DAY)
    assert list(outside.iterdir()) == []


def _disk_full_after(monkeypatch: pytest.MonkeyPatch, allowed: int) -> None:
    """Every file written by prepare takes ``allowed`` bytes, then the disk is full."""
    real_fdopen = os.fdopen

    class Filling:
        def __init__(self, handle: int) -> None:
            self.file = real_fdopen(handle, "wb")
            self.written = 0

        def write(self, piece: bytes) -> int:
            if self.written + len(piece) > allowed:
                self.file.write(bytes(piece)[: allowed - self.written])
                self.file.flush()
                raise OSError(errno.ENOSPC, "No space left on device")
            self.written += len(piece)
            return self.file.write(piece)

        def __enter__(self) -> Filling:
            return self

        def __exit__(self, *exc: object) -> None:
            self.file.close()

    monkeypatch.setattr(os, "fdopen", lambda handle, mode: Filling(handle))


def test_a_full_disk_leaves_no_half_written_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _disk_full_after(monkeypatch, 1000)
    with pytest.raises(OSError, match="No space"):
        write_new(tmp_path / "grande.pdf", b"x" * 5000)
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_is_exit_2_with_a_spanish_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "salida"
    _disk_full_after(monkeypatch, 1000)  # in this process (limits=False below)
    with pytest.raises(SetupError) as caught:
        prepare_documents(_specs(), SUPPLIER, out, today=DAY, limits=False)
    assert caught.value.exit_code == 2
    assert "no queda espacio en el disco" in caught.value.message
    assert [p.name for p in out.iterdir()] == ["previews"]
    assert list((out / "previews").iterdir()) == []
