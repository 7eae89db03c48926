"""Documents for the supplier registration: checks, watermarks, constancia, manifest, previews.

Pure functions on bytes and paths; nothing here touches the portal.
"""

from __future__ import annotations

from robot.documents.checks import DEFAULT_MAX_BYTES, Checked, preflight, sniff
from robot.documents.constancia import CoveredDocument, make_constancia
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
