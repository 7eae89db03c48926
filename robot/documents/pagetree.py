"""The pages of a PDF in order, read with :mod:`robot.documents.pdfsyntax`, each with the
attributes it inherits from the page tree (resources, boxes, rotation).

One page at a time: a page's dictionary is handed out and then dropped; what the walk keeps is
the path from the root to the current page and the kids still to visit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from robot.documents.geometry import PageView, view_of
from robot.documents.pdfsyntax import (
    NULL,
    Document,
    Name,
    PdfSyntaxError,
    Ref,
    Refs,
    Value,
    number,
)

KIDS = Name(b"/Kids")
TYPE = Name(b"/Type")
RESOURCES = Name(b"/Resources")
_INHERITED = (Name(b"/MediaBox"), Name(b"/CropBox"), Name(b"/Rotate"))
_MAX_DEPTH = 64


@dataclass(slots=True)
class Page:
    """One page: its reference and dictionary, the /Resources it uses (its own or inherited,
    as written: a reference or a dictionary) and the node that holds them (the page itself or
    an ancestor, with that node's dictionary), and its visible box and rotation."""

    ref: Ref
    page: dict[Name, Value]
    resources: Value | None
    holder: Ref
    holder_dict: dict[Name, Value]
    view: PageView


@dataclass(slots=True)
class _Level:
    """A page-tree node being visited: its kids still to visit and what they inherit."""

    kids: Iterator[Value]
    depth: int
    inherited: dict[Name, Value]
    holder: Ref | None
    holder_dict: dict[Name, Value] | None


def pages(doc: Document) -> Iterator[Page]:
    """Every page in document order. Raises PdfSyntaxError for a tree this walk will not
    follow (a loop, a page listed twice, a node that is not a dictionary). One level per
    depth of the tree is kept, not one entry per page."""
    root = doc.resolve(doc.trailer.get(Name(b"/Root")))
    if not isinstance(root, dict):
        raise PdfSyntaxError("no catalog")
    seen = bytearray(doc.size)
    stack = [_Level(iter([root.get(Name(b"/Pages"), NULL)]), 0, {}, None, None)]
    while stack:
        level = stack[-1]
        ref = next(level.kids, None)
        if ref is None:
            stack.pop()
            continue
        if not isinstance(ref, Ref) or not 0 < ref.number < doc.size or seen[ref.number]:
            raise PdfSyntaxError("page tree loops, repeats a node or names a missing one")
        seen[ref.number] = 1
        node = doc.get(ref)
        if not isinstance(node, dict):
            raise PdfSyntaxError(f"page-tree node {ref.number} is not a dictionary")
        inherited = _inherit(doc, node, level.inherited)
        holder, holder_dict = level.holder, level.holder_dict
        if RESOURCES in node:
            holder, holder_dict = ref, node
        kids = doc.resolve(node.get(KIDS))
        kind = node.get(TYPE)
        if kind == b"/Pages" or (kind != b"/Page" and isinstance(kids, list | Refs)):
            if level.depth > _MAX_DEPTH or not isinstance(kids, list | Refs):
                raise PdfSyntaxError(f"page-tree node {ref.number}: bad /Kids")
            stack.append(_Level(iter(kids), level.depth + 1, inherited, holder, holder_dict))
            continue
        resources = holder_dict.get(RESOURCES) if holder_dict is not None else None
        yield Page(
            ref,
            node,
            resources,
            holder or ref,
            holder_dict if holder_dict is not None else node,
            _view(inherited),
        )


def _inherit(doc: Document, node: dict[Name, Value], above: dict[Name, Value]) -> dict[Name, Value]:
    """The boxes and rotation a node's kids inherit: its own, else its parent's."""
    if not any(key in node for key in _INHERITED):
        return above
    inherited = dict(above)
    for key in _INHERITED:
        if key in node:
            value = doc.resolve(node[key])
            if isinstance(value, list):
                value = [doc.resolve(v) for v in value]  # type: ignore[misc]
            inherited[key] = value  # type: ignore[assignment]
    return inherited


def count(doc: Document) -> int:
    """How many pages the tree holds."""
    return sum(1 for _ in pages(doc))


def _view(inherited: dict[Name, Value]) -> PageView:
    media = _box(inherited.get(_INHERITED[0]))
    crop = _box(inherited.get(_INHERITED[1]))
    raw = inherited.get(_INHERITED[2])
    turn = number(raw) if raw is not None else 0
    return view_of(media, crop, int(turn) if turn is not None and turn == int(turn) else 0)


def _box(raw: Value | None) -> tuple[float, float, float, float] | None:
    if not isinstance(raw, list) or len(raw) != 4:
        return None
    values = [number(v) for v in raw]
    if any(v is None for v in values):
        return None
    a, b, c, d = (float(v) for v in values if v is not None)
    return (min(a, c), min(b, d), max(a, c), max(b, d))
