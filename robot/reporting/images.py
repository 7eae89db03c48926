"""Screenshots for the report: taken through ``Actor.screenshot`` (password inputs masked in
the image), then made small with Pillow: WebP, at most ``MAX_WIDTH`` wide and ``MAX_HEIGHT``
tall (the top of a long page), no metadata, so a 500-supplier run stays small.

The browser captures only the part of the page the report keeps (:func:`kept_height`), as a
JPEG: a full-page PNG of a long form cost two to four times as much for pixels thrown away."""

from __future__ import annotations

import asyncio
import contextlib
import io
import math
from pathlib import Path
from typing import Protocol

from PIL import Image

from robot.outfiles import write_new

MAX_WIDTH = 720
MAX_HEIGHT = 1400
QUALITY = 35


RAW_SUFFIX = ".raw.jpg"  # the browser's capture before compress(): JPEG encodes fastest
RAW_QUALITY = 90


def kept_height(width: int) -> int:
    """How many CSS pixels of a page ``width`` wide compress() keeps from its top."""
    return math.ceil(MAX_HEIGHT * max(width, MAX_WIDTH) / MAX_WIDTH)


class Shooter(Protocol):
    async def screenshot(self, path: Path) -> Path | None: ...


def compress(source: Path, target: Path) -> Path:
    """``source`` (any image Pillow reads) as a small WebP at ``target``; ``source`` removed."""
    with Image.open(source) as image:
        picture = image.convert("RGB")
    scale = min(1.0, MAX_WIDTH / max(picture.width, 1))
    if picture.height * scale > MAX_HEIGHT:
        picture = picture.crop((0, 0, picture.width, int(MAX_HEIGHT / scale)))
    if scale < 1.0:
        size = (MAX_WIDTH, max(int(picture.height * scale), 1))
        picture = picture.resize(size, Image.Resampling.LANCZOS)
    target.parent.mkdir(parents=True, exist_ok=True)
    out = io.BytesIO()
    picture.save(out, format="WEBP", quality=QUALITY, method=1)  # no EXIF, no XMP: none given
    write_new(target, out.getvalue())
    if source != target:
        with contextlib.suppress(OSError):
            source.unlink()
    return target


async def shoot(actor: Shooter, target: Path) -> Path | None:
    """The actor's page now, masked and compressed into ``target`` (.webp); None without a
    page. Never raises: a screenshot is evidence, not a reason to fail a supplier."""
    raw = target.with_name(f".{target.stem}{RAW_SUFFIX}")
    try:
        taken = await actor.screenshot(raw)
        if taken is None:
            return None
        return await asyncio.to_thread(compress, taken, target)
    except Exception:
        with contextlib.suppress(OSError):
            raw.unlink()
        return None
