"""A prepared file held as the byte strings that make it up, written one after another.

An incremental update is the original file followed by a few new objects: keeping the original
``bytes`` object (or a :class:`Blanked` description of it, when spans of it are overwritten with
spaces) as the first part, not copied, and the update as the next ones means the output never
needs a second copy of the file in memory. It is sized, hashed and written piece by piece;
:meth:`Parts.to_bytes` joins it for callers that want one ``bytes``.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_SPACES = 1 << 16  # the longest run of spaces handed out at once


@dataclass(frozen=True, repr=False)
class Blanked:
    """``data`` with the spans ``[start, end)`` in ``spans`` (flat: start, end, start, end …,
    sorted, not overlapping) overwritten by spaces, produced piece by piece: views of ``data``
    between runs of spaces. Two integers per span, not two views."""

    data: bytes | bytearray
    spans: array[int]

    @classmethod
    def of(cls, data: bytes | bytearray, spans: array[int]) -> Blanked:
        """``spans`` flat (start, end, start, end …) in any order, duplicates allowed. Spans
        already in order (the common case) are taken as they are, without a sorted copy."""
        pairs = range(0, len(spans) - 2, 2)
        if all(spans[k] < spans[k + 2] for k in pairs):
            ordered = spans
        else:
            keys = sorted(
                {spans[k] << 40 | (spans[k + 1] - spans[k]) for k in range(0, len(spans), 2)}
            )
            ordered = array("q", bytes(16 * len(keys)))
            for k, key in enumerate(keys):
                ordered[2 * k], ordered[2 * k + 1] = key >> 40, (key >> 40) + (key & (1 << 40) - 1)
        at = 0
        for k in range(0, len(ordered), 2):
            start, end = ordered[k], ordered[k + 1]
            if not at <= start <= end <= len(data):
                raise ValueError(f"overlapping or outside span {start}-{end}")
            at = end
        return cls(data, ordered)

    def __len__(self) -> int:
        return len(self.data)

    def pieces(self) -> Iterator[bytes | memoryview]:
        view = memoryview(self.data)
        spaces = memoryview(b" " * _SPACES)
        at = 0
        spans = self.spans
        for k in range(0, len(spans), 2):
            start, end = spans[k], spans[k + 1]
            yield view[at:start]
            while start < end:
                step = min(end - start, _SPACES)
                yield spaces[:step]
                start += step
            at = end
        yield view[at:]


Part = bytes | bytearray | memoryview | Blanked


@dataclass(frozen=True, repr=False)
class Parts:
    """The content of one file: ``parts`` concatenated."""

    parts: tuple[Part, ...]

    @classmethod
    def of(cls, data: bytes) -> Parts:
        return cls((data,))

    @property
    def size(self) -> int:
        return sum(len(part) for part in self.parts)

    def pieces(self) -> Iterator[bytes | bytearray | memoryview]:
        """The content, piece by piece (nothing copied)."""
        for part in self.parts:
            if isinstance(part, Blanked):
                yield from part.pieces()
            else:
                yield part

    def sha256(self) -> str:
        digest = hashlib.sha256()
        for piece in self.pieces():
            digest.update(piece)
        return digest.hexdigest()

    def write_to(self, path: Path) -> None:
        """Write the content to ``path`` (replacing it); OSError as ``open`` raises it."""
        with path.open("wb") as out:
            for piece in self.pieces():
                out.write(piece)

    def to_bytes(self) -> bytes:
        """The content as one ``bytes`` (a copy, unless there is a single part)."""
        if len(self.parts) == 1 and isinstance(self.parts[0], bytes):
            return self.parts[0]
        return b"".join(self.pieces())

    def __repr__(self) -> str:
        return f"Parts({len(self.parts)} parts, {self.size} bytes)"
