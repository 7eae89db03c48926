"""Files the robot writes (prepared documents, reports, results): whole or not at all.

A file is written beside its target under a fresh name (never through a link already in the
folder), then renamed onto the target, which replaces a file or a symbolic link there without
following it. Readers see the old file or the new one, never half of it; on any failure (a full
disk) the partial file is removed and the OSError raised.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def write_new(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` as described above."""
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        temporary = f".{path.name}.{secrets.token_hex(6)}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        handle = os.open(temporary, flags, 0o644, dir_fd=folder)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
            os.replace(temporary, path.name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=folder)
            raise
    finally:
        os.close(folder)


def write_text(path: Path, text: str) -> None:
    """:func:`write_new` for UTF-8 text."""
    write_new(path, text.encode("utf-8"))
