"""The stamp (a form XObject of a small reportlab document, read with pikepdf) written as new
objects of another document: the form and every object it reaches, renumbered."""

from __future__ import annotations

import decimal
from collections.abc import Callable, Iterator, Mapping

import pikepdf

Ref = tuple[int, int]


def copy_objects(
    root: pikepdf.Object, allocate: Callable[[], int]
) -> tuple[int, list[tuple[int, bytes]]]:
    """``root`` and every indirect object it reaches, each given a number by ``allocate``, as
    the text between ``n 0 obj`` and ``endobj``; returns ``root``'s number and each number with
    its text."""
    mapping: dict[Ref, int] = {}
    for obj in _reachable(root):
        mapping[obj.objgen] = allocate()
    texts = []
    for obj in _reachable(root):
        number = mapping[obj.objgen]
        if isinstance(obj, pikepdf.Stream):
            raw = obj.read_raw_bytes()
            entries = {_key(k): _dump(v, mapping) for k, v in obj.stream_dict.items()}
            entries[b"/Length"] = b"%d" % len(raw)
            body = b"%s\nstream\n%s\nendstream" % (_dict_bytes(entries), raw)
            texts.append((number, body))
        else:
            texts.append((number, _dump(obj, mapping, top=True)))
    return mapping[root.objgen], texts


def _reachable(root: pikepdf.Object) -> Iterator[pikepdf.Object]:
    """``root`` and the indirect objects it reaches, each once, in a stable order."""
    seen: set[Ref] = set()
    stack = [root]
    while stack:
        item = stack.pop()
        if not isinstance(item, pikepdf.Object):  # numbers come back as Python's
            continue
        if item.is_indirect:
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
            yield item
        if isinstance(item, pikepdf.Stream):
            stack.extend(reversed(list(item.stream_dict.values())))
        elif isinstance(item, pikepdf.Dictionary):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, pikepdf.Array):
            stack.extend(reversed(list(item)))


def _dump(value: object, mapping: Mapping[Ref, int], *, top: bool = False) -> bytes:
    """PDF syntax for ``value``; indirect objects inside it as references renumbered by
    ``mapping``; ``top``: ``value``'s own content even if it is an indirect object."""
    if not isinstance(value, pikepdf.Object):
        return _scalar(value)
    if value.is_indirect and not top:
        return b"%d 0 R" % mapping[value.objgen]
    if isinstance(value, pikepdf.Dictionary):
        return _dict_bytes({_key(k): _dump(v, mapping) for k, v in value.items()})
    if isinstance(value, pikepdf.Array):
        return b"[ " + b" ".join(_dump(v, mapping) for v in value) + b" ]"
    return bytes(value.unparse(resolved=top))


def _scalar(value: object) -> bytes:
    """PDF syntax for what pikepdf hands back as a Python value."""
    if value is None:
        return b"null"
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return b"%d" % value
    if isinstance(value, decimal.Decimal | float):
        text = f"{decimal.Decimal(value):f}"
        return (text.rstrip("0").rstrip(".") if "." in text else text).encode() or b"0"
    raise TypeError(f"unexpected PDF value {value!r}")


def _dict_bytes(entries: Mapping[bytes, bytes]) -> bytes:
    return b"<< " + b" ".join(k + b" " + v for k, v in entries.items()) + b" >>"


def _key(name: str) -> bytes:
    """A dictionary key in PDF syntax (``#xx`` escapes where needed)."""
    return bytes(pikepdf.Name(name).unparse())
