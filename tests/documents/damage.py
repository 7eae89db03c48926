"""Random damage for the fuzz tests of the PDF reader, the decryption and the watermark: edits
that insert PDF tokens or stray bytes into a file, and a cap on memory while a damaged file is
read (a mutated /Size 9999999999 must fail with MemoryError, not fill the machine)."""

from __future__ import annotations

import resource
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import strategies as st

Edit = tuple[int, int, bytes]  # at (modulo the length), bytes cut there, bytes put in

PIECES = (
    [b"%d" % digit for digit in range(10)]
    + [b" ", b"\n", b"\r", b"/", b"<<", b">>", b"<", b">", b"[", b"]", b"(", b")", b"\\", b"R"]
    + [b"%", b"-", b".", b"obj", b"endobj", b"stream", b"endstream", b"null", b"xref"]
)


def edits(pieces: list[bytes]) -> st.SearchStrategy[list[Edit]]:
    """One to three edits, each putting in one of ``pieces`` or up to two random bytes."""
    put = st.sampled_from(pieces) | st.binary(max_size=2)
    return st.lists(
        st.tuples(st.integers(0, 1 << 20), st.integers(0, 3), put), min_size=1, max_size=3
    )


EDITS = edits(PIECES)


def mutate(data: bytes, changes: list[Edit]) -> bytes:
    for position, cut, new in changes:
        at = position % (len(data) + 1)
        data = data[:at] + new + data[at + cut :]
    return data


@contextmanager
def memory_cap(extra: int = 1 << 30) -> Iterator[None]:
    """At most ``extra`` more bytes of address space while the block runs (Linux)."""
    if not sys.platform.startswith("linux"):
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    used = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    cap = used + extra if hard == resource.RLIM_INFINITY else min(used + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
