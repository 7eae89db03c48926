"""A prepared file held as the byte strings that make it up, written one after another.

Sized, hashed and written piece by piece; :meth:`Parts.to_bytes` joins it for callers that
want one ``bytes``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
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
        """Write the content to ``path`` as a new file: written beside it under a fresh name
        (never through a link already there), then renamed onto ``path``, which replaces a
        file or a symbolic link there without following it. On any failure (a full disk)
        the partial file is removed and the OSError raised: nothing half-written is left."""
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            temporary = f".{path.name}.{secrets.token_hex(6)}.tmp"
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
            handle = os.open(temporary, flags, 0o644, dir_fd=folder)
            try:
                with os.fdopen(handle, "wb") as out:
                    for piece in self.pieces():
                        out.write(piece)
                os.replace(temporary, path.name, src_dir_fd=folder, dst_dir_fd=folder)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary, dir_fd=folder)
                raise
        finally:
            os.close(folder)

    def to_bytes(self) -> bytes:
        """The content as one ``bytes`` (a copy, unless there is a single part)."""
        if len(self.parts) == 1 and isinstance(self.parts[0], bytes):
            return self.parts[0]
        return b"".join(self.pieces())

    def __repr__(self) -> str:
        return f"Parts({len(self.parts)} parts, {self.size} bytes)"
