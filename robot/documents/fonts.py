"""The one font of the documents: Bitstream Vera, shipped inside reportlab.

Vera covers Spanish (á é í ó ú ñ ü ¿ ¡) and the em dash of the default watermark, and is
embedded (subset) in every PDF we write, so readers without the font show the same text.
"""

from __future__ import annotations

import functools
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "SecopVera"
FONT_BOLD = "SecopVera-Bold"
_FONT_DIR = Path(reportlab.__file__).parent / "fonts"
FONT_PATH = _FONT_DIR / "Vera.ttf"
FONT_BOLD_PATH = _FONT_DIR / "VeraBd.ttf"


@functools.cache
def register_fonts() -> str:
    """Register Vera with reportlab once; returns the regular font's name."""
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH)))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_BOLD_PATH)))
    return FONT_NAME


def text_width(text: str, size: float) -> float:
    """Width of ``text`` in points at ``size``."""
    register_fonts()
    return float(pdfmetrics.stringWidth(text, FONT_NAME, size))


def missing_glyphs(text: str) -> list[str]:
    """The characters of ``text`` that Vera cannot draw (they would show as empty boxes)."""
    register_fonts()
    face = pdfmetrics.getFont(FONT_NAME).face
    return sorted({c for c in text if not c.isspace() and ord(c) not in face.charToGlyph})
