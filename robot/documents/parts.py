"""A prepared file held as the byte strings that make it up, written one after another.

Sized, hashed and written piece by piece; :meth:`Parts.to_bytes` joins it for callers that
want one ``bytes``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

Part = bytes | bytearray | memoryview


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

    def pieces(self) -> Iterator[Part]:
        """The content, piece by piece (nothing copied)."""
        yield from self.parts

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
