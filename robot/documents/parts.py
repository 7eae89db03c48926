"""A prepared file held as the byte strings that make it up, written one after another.

An incremental update is the original file followed by a few new objects: keeping the original
``bytes`` object (or views of it, when spans of it are blanked) as the first parts, not copied,
and the update as the next ones means the output never needs a second copy of the file in
memory. It is sized, hashed and written part by part;
:meth:`Parts.to_bytes` joins it for callers that want one ``bytes``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, repr=False)
class Parts:
    """The content of one file: ``parts`` concatenated."""

    parts: tuple[bytes | memoryview, ...]

    @classmethod
    def of(cls, data: bytes) -> Parts:
        return cls((data,))

    @property
    def size(self) -> int:
        return sum(len(part) for part in self.parts)

    def sha256(self) -> str:
        digest = hashlib.sha256()
        for part in self.parts:
            digest.update(part)
        return digest.hexdigest()

    def write_to(self, path: Path) -> None:
        """Write the content to ``path`` (replacing it); OSError as ``open`` raises it."""
        with path.open("wb") as out:
            for part in self.parts:
                out.write(part)

    def to_bytes(self) -> bytes:
        """The content as one ``bytes`` (a copy, unless there is a single part)."""
        if len(self.parts) == 1 and isinstance(self.parts[0], bytes):
            return self.parts[0]
        return b"".join(self.parts)

    def __repr__(self) -> str:
        return f"Parts({len(self.parts)} parts, {self.size} bytes)"
