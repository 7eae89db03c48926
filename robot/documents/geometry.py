"""Where a page is displayed, and the matrix that puts a diagonal stamp on it upright.

Matrices follow the PDF convention ``[a b c d e f]``: a point ``(u, v)`` maps to
``(a*u + c*v + e, b*u + d*v + f)``; they are composed with ``pikepdf.Matrix``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import pikepdf

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]

DEFAULT_MEDIA: Box = (0.0, 0.0, 612.0, 792.0)  # US Letter: what readers assume without one
MARGIN = 0.9  # the stamp's bounding box fills at most 90 % of the page each way
MAX_FONT_SHARE = 1 / 8  # font size at most an eighth of the page's shorter side


@dataclass(frozen=True)
class PageView:
    """The visible rectangle of a page in user space and its /Rotate (0, 90, 180, 270)."""

    x0: float
    y0: float
    x1: float
    y1: float
    rotate: int

    @property
    def display_size(self) -> tuple[float, float]:
        """Width and height as a reader shows the page."""
        w, h = self.x1 - self.x0, self.y1 - self.y0
        return (h, w) if self.rotate in (90, 270) else (w, h)

    def display_to_user(self) -> Matrix:
        """Maps displayed coordinates (origin bottom-left of the shown page) to user space."""
        x0, y0, x1, y1 = self.x0, self.y0, self.x1, self.y1
        if self.rotate == 90:
            return (0.0, 1.0, -1.0, 0.0, x1, y0)
        if self.rotate == 180:
            return (-1.0, 0.0, 0.0, -1.0, x1, y1)
        if self.rotate == 270:
            return (0.0, -1.0, 1.0, 0.0, x0, y1)
        return (1.0, 0.0, 0.0, 1.0, x0, y0)


def diagonal_fit(
    width: float, height: float, stamp_w: float, stamp_h: float, font_size: float
) -> tuple[float, float]:
    """The angle (radians) of the diagonal of a ``width`` × ``height`` page, and the scale at
    which a ``stamp_w`` × ``stamp_h`` box (text set at ``font_size``) fits along it: within
    MARGIN of the page each way, its font at most MAX_FONT_SHARE of the shorter side."""
    angle = math.atan2(height, width)
    cos, sin = math.cos(angle), math.sin(angle)
    return angle, min(
        MARGIN * width / (stamp_w * cos + stamp_h * sin),
        MARGIN * height / (stamp_w * sin + stamp_h * cos),
        min(width, height) * MAX_FONT_SHARE / font_size,
    )


def stamp_matrix(view: PageView, stamp_w: float, stamp_h: float, font_size: float) -> Matrix:
    """Place a ``stamp_w`` × ``stamp_h`` box (text set at ``font_size``) centred on the page,
    along the displayed diagonal from bottom-left to top-right, as large as fits."""
    width, height = view.display_size
    angle, k = diagonal_fit(width, height, stamp_w, stamp_h, font_size)
    placed = (  # pikepdf's ``m1 @ m2`` applies m1 first, as PDF's ``cm`` operators do
        pikepdf.Matrix().translated(-stamp_w / 2, -stamp_h / 2)
        @ pikepdf.Matrix().scaled(k, k)
        @ pikepdf.Matrix().rotated(math.degrees(angle))
        @ pikepdf.Matrix().translated(width / 2, height / 2)
        @ pikepdf.Matrix(*view.display_to_user())
    )
    a, b, c, d, e, f = placed.shorthand
    return (a, b, c, d, e, f)


def page_view(page: pikepdf.Dictionary) -> PageView:
    """The visible box (CropBox within MediaBox, inherited if need be) and the rotation."""
    media, crop = box(inherited(page, "/MediaBox")), box(inherited(page, "/CropBox"))
    return view_of(media, crop, inherited(page, "/Rotate"))


def view_of(media: Box | None, crop: Box | None, rotate: object) -> PageView:
    """The visible box of a page with these boxes (normalised, or None where missing or
    unreadable) and /Rotate (a number: a multiple of 90, else none)."""
    media = media or DEFAULT_MEDIA
    crop = crop or media
    x0, y0 = max(media[0], crop[0]), max(media[1], crop[1])
    x1, y1 = min(media[2], crop[2]), min(media[3], crop[3])
    if x1 <= x0 or y1 <= y0:  # a CropBox outside the MediaBox: readers fall back to MediaBox
        x0, y0, x1, y1 = media
    turn = int(rotate) % 360 if isinstance(rotate, int | Decimal) else 0
    return PageView(x0, y0, x1, y1, turn if turn % 90 == 0 else 0)


def inherited(page: pikepdf.Dictionary, key: str) -> pikepdf.Object | None:
    """``key`` of the page, or of the nearest page-tree node above it that has it."""
    node: pikepdf.Object | None = page
    for _ in range(64):  # a malformed tree may loop
        if not isinstance(node, pikepdf.Dictionary):
            return None
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


def box(raw: object) -> Box | None:
    """Four numbers (a pikepdf array) as a normalised box; None when missing or unreadable."""
    if not isinstance(raw, pikepdf.Array) or len(raw) != 4:
        return None
    try:
        a, b, c, d = (float(v) for v in raw)
    except (TypeError, ValueError):
        return None
    return (min(a, c), min(b, d), max(a, c), max(b, d))
