"""The watermark on JPEG and PNG images (Pillow), or an image turned into a watermarked PDF."""

from __future__ import annotations

import io
import math
from typing import Literal

from PIL import Image, ImageDraw, ImageFont, ImageOps

from robot.documents.fonts import FONT_PATH
from robot.documents.geometry import diagonal_fit
from robot.documents.watermark import COLOR, DEFAULT_OPACITY, watermark_pdf

ImageFormat = Literal["jpeg", "png"]
_PDF_DPI = 150.0  # an image without a resolution is taken as a 150 dpi scan


def watermark_image(data: bytes, text: str, fmt: ImageFormat) -> bytes:
    """``data`` with ``text`` drawn along its displayed diagonal, saved again as ``fmt``.

    EXIF orientation is applied first, so the text is upright as a viewer shows the image.
    """
    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened)
        dpi = opened.info.get("dpi")
    base = image.convert("RGBA")
    layer = _text_layer(base.size, text)
    marked = Image.alpha_composite(base, layer)
    out = io.BytesIO()
    extra = {"dpi": dpi} if dpi else {}
    if fmt == "jpeg":
        marked.convert("RGB").save(out, "JPEG", quality=90, optimize=True, **extra)
    else:
        keep_alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
        marked.convert("RGBA" if keep_alpha else "RGB").save(out, "PNG", optimize=True, **extra)
    return out.getvalue()


def image_to_watermarked_pdf(data: bytes, text: str | None, *, name: str = "imagen") -> bytes:
    """A one-page PDF of the image (upright, at its own resolution, 150 dpi if it has none),
    with ``text`` as a real, extractable PDF watermark; ``text=None`` converts only."""
    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened)
        dpi = opened.info.get("dpi") or (_PDF_DPI, _PDF_DPI)
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:  # on white
        white = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(white, image.convert("RGBA")).convert("RGB")
    elif image.mode not in ("RGB", "L", "CMYK", "1"):
        image = image.convert("RGB")
    out = io.BytesIO()
    resolution = float(dpi[0]) if float(dpi[0]) > 1 else _PDF_DPI
    image.save(out, "PDF", resolution=resolution)
    pdf = out.getvalue()
    return pdf if text is None else watermark_pdf(pdf, text, name=name).output


def _text_layer(size: tuple[int, int], text: str) -> Image.Image:
    """A transparent layer the size of the image with ``text`` centred on its diagonal."""
    width, height = size
    font = ImageFont.truetype(str(FONT_PATH), 100)
    left, top, right, bottom = font.getbbox(text)
    rad, k = diagonal_fit(width, height, max(right - left, 1), max(bottom - top, 1), 100)
    angle = math.degrees(rad)
    font = ImageFont.truetype(str(FONT_PATH), max(int(100 * k), 6))
    left, top, right, bottom = font.getbbox(text)
    box = (int(right - left) + 4, int(bottom - top) + 4)
    stamp = Image.new("RGBA", box, (0, 0, 0, 0))
    red, green, blue = (round(c * 255) for c in COLOR)
    fill = (red, green, blue, round(DEFAULT_OPACITY * 255))
    ImageDraw.Draw(stamp).text((2 - left, 2 - top), text, font=font, fill=fill)
    rotated = stamp.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    layer.paste(rotated, ((width - rotated.width) // 2, (height - rotated.height) // 2), rotated)
    return layer
