"""Documents for the supplier registration: checks, watermarks, constancia, manifest, previews.

Pure functions on bytes and paths; nothing here touches the portal.

The names below are imported on first use, so that light modules of the package
(``robot.documents.filetype``, used by the profile loader) do not pull in pikepdf, reportlab and
Pillow. Code that wants their types imports them from their modules.
"""

from __future__ import annotations

import importlib
from typing import Any

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


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'robot.documents' has no attribute {name!r}")
    return getattr(importlib.import_module(f"robot.documents.{home}"), name)
