"""Documents for the supplier registration: checks, watermarks, constancia, manifest, previews.

Pure functions on bytes and paths; nothing here touches the portal.

The names below are imported on first use, so that light modules of the package
(``robot.documents.filetype``, used by the profile loader) do not pull in pikepdf, reportlab and
Pillow.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from robot.documents.checks import DEFAULT_MAX_BYTES, Checked, preflight
    from robot.documents.constancia import CoveredDocument, make_constancia
    from robot.documents.filetype import sniff
    from robot.documents.images import image_to_watermarked_pdf, watermark_image
    from robot.documents.manifest import (
        FileFacts,
        Manifest,
        ManifestEntry,
        Mismatch,
        compare_manifest,
    )
    from robot.documents.model import DocumentSpec, SupplierFacts, watermark_text
    from robot.documents.prepare import prepare_documents
    from robot.documents.preview import image_preview, pdf_preview
    from robot.documents.watermark import watermark_pdf

_MODULES = {
    "checks": ("DEFAULT_MAX_BYTES", "Checked", "preflight"),
    "constancia": ("CoveredDocument", "make_constancia"),
    "filetype": ("sniff",),
    "images": ("image_to_watermarked_pdf", "watermark_image"),
    "manifest": ("FileFacts", "Manifest", "ManifestEntry", "Mismatch", "compare_manifest"),
    "model": ("DocumentSpec", "SupplierFacts", "watermark_text"),
    "prepare": ("prepare_documents",),
    "preview": ("image_preview", "pdf_preview"),
    "watermark": ("watermark_pdf",),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Checked",
    "CoveredDocument",
    "DocumentSpec",
    "FileFacts",
    "Manifest",
    "ManifestEntry",
    "Mismatch",
    "SupplierFacts",
    "compare_manifest",
    "image_preview",
    "image_to_watermarked_pdf",
    "make_constancia",
    "pdf_preview",
    "preflight",
    "prepare_documents",
    "sniff",
    "watermark_image",
    "watermark_pdf",
    "watermark_text",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'robot.documents' has no attribute {name!r}")
    return getattr(importlib.import_module(f"robot.documents.{home}"), name)
