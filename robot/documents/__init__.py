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

_HOME = {
    "DEFAULT_MAX_BYTES": "checks",
    "Checked": "checks",
    "preflight": "checks",
    "CoveredDocument": "constancia",
    "make_constancia": "constancia",
    "sniff": "filetype",
    "image_to_watermarked_pdf": "images",
    "watermark_image": "images",
    "FileFacts": "manifest",
    "Manifest": "manifest",
    "ManifestEntry": "manifest",
    "Mismatch": "manifest",
    "compare_manifest": "manifest",
    "DocumentSpec": "model",
    "SupplierFacts": "model",
    "watermark_text": "model",
    "prepare_documents": "prepare",
    "image_preview": "preview",
    "pdf_preview": "preview",
    "watermark_pdf": "watermark",
}

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
