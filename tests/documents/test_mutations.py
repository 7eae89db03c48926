"""100 random mutations of the corpus PDFs through the ``documents`` command under tight limits
(issue 14, point 5): each run ends in exit 0 with every page of the marked copy visibly marked,
or in exit 1 with a Spanish message naming the document and saying what to do, never a
traceback; no document's process goes over the memory or the CPU limit, and no run over the
wall-clock limit.

The mutations are seeded (SEED), one per run, of a corpus PDF picked at random: bytes changed,
the file cut short, a range duplicated or deleted, or a stream's data replaced by a deflated
run of zeros (8 MB to 1 GB once inflated), a page's content stream when the file has one
that the search finds. The mutated document is the profile's last one, so
the command's last child is its child (robot.bounded.last_usage)."""

from __future__ import annotations

import collections
import random
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from robot import bounded
from robot.cli import main
from robot.documents.manifest import Manifest
from tests.documents.hostile import deflated_zeros
from tests.documents.marks import visible_mark
from tests.documents.test_honest_marks import SEEN
from tests.documents.test_limits import profile_with
from tests.fixtures.documents import CORPUS, CORPUS_PDFS

SEED = 14
RUNS = 100
MEMORY_MB, CPU_SECONDS = 256, 5
WALL = CPU_SECONDS * bounded.WALL_FACTOR + bounded.WALL_EXTRA
SLACK = 15.0  # seconds for the rest of the command: the profile, the two other documents
NAME = "documento.pdf"
KINDS = ("bytes", "truncate", "duplicate", "delete", "inflate")
# An object with a stream (its dictionary not crossing into another object), numbered.
_STREAM = re.compile(rb"((\d+) \d+ obj\s*)<<(?:(?!\bobj\b).)*?>>\s*stream\r?\n", re.DOTALL)


def mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One random mutation of ``data``: (what was done, the result)."""
    kind = rng.choice(KINDS)
    size = len(data)
    if kind == "bytes":
        out = bytearray(data)
        for _ in range(rng.randint(1, 32)):
            out[rng.randrange(size)] = rng.randrange(256)
        return f"{kind} x{sum(a != b for a, b in zip(out, data, strict=True))}", bytes(out)
    if kind == "truncate":
        at = rng.randrange(size)
        return f"{kind} @{at}", data[:at]
    start = rng.randrange(size)
    piece = data[start : start + rng.randint(1, 4096)]
    if kind == "duplicate":
        at = rng.randrange(size)
        return f"{kind} {len(piece)} @{at}", data[:at] + piece + data[at:]
    if kind == "delete":
        return f"{kind} {len(piece)} @{start}", data[:start] + data[start + len(piece) :]
    streams = list(_STREAM.finditer(data))
    contents = {m.group(1) for m in re.finditer(rb"/Contents\s*(\d+) 0 R", data)}
    chosen = rng.choice([m for m in streams if m.group(2) in contents] or streams)
    end = data.find(b"endstream", chosen.end())
    megabytes = rng.choice((8, 64, 1024))
    body = deflated_zeros(megabytes << 20)
    head = b"%s<< /Length %d /Filter /FlateDecode >>\nstream\n" % (chosen.group(1), len(body))
    out = data[: chosen.start()] + head + body + b"\n" + data[end:]
    return f"{kind} {megabytes} MB @{chosen.start()}", out


def _run(tmp_path: Path, number: int, source: str, data: bytes) -> tuple[int, str, float]:
    folder = tmp_path / f"m{number:03d}"
    folder.mkdir()
    (folder / NAME).write_bytes(data)
    profile = profile_with(folder, existencia=folder / NAME)
    env = {
        "SECOP_DOCUMENT_MEMORY_MB": str(MEMORY_MB),
        "SECOP_DOCUMENT_CPU_SECONDS": str(CPU_SECONDS),
    }
    started = time.monotonic()
    result = CliRunner().invoke(
        main, ["documents", str(profile), "--out", str(folder / "o")], env=env
    )
    return result.exit_code, result.output, time.monotonic() - started


@pytest.mark.parametrize("seed", [SEED])
def test_random_mutations_of_the_corpus_are_marked_visibly_or_refused_clearly(
    seed: int, tmp_path: Path
) -> None:
    rng = random.Random(seed)
    outcomes: collections.Counter[str] = collections.Counter()
    for number in range(RUNS):
        source = rng.choice(CORPUS_PDFS)
        what, data = mutate((CORPUS / source).read_bytes(), rng)
        case = f"run {number} (seed {seed}): {source}, {what}"
        code, output, took = _run(tmp_path, number, source, data)
        usage = bounded.last_usage()
        assert took < WALL + SLACK, f"{case}: {took:.1f} s"
        if usage is not None:  # the document's process answered: within the limits
            assert usage.address_mb <= MEMORY_MB, f"{case}: {usage}"
            assert usage.cpu_seconds <= CPU_SECONDS + 1, f"{case}: {usage}"
            assert usage.wall_seconds <= WALL, f"{case}: {usage}"
        assert "Traceback" not in output, f"{case}:\n{output}"
        if code == 0:
            out = tmp_path / f"m{number:03d}" / "o"
            manifest = Manifest.from_json((out / "manifest.json").read_text(encoding="utf-8"))
            entry = next(e for e in manifest.entries if e.slot == "existencia")
            shares = visible_mark((out / entry.output.name).read_bytes())
            assert len(shares) == entry.output.pages, case
            assert min(shares) >= SEEN, f"{case}: the mark changes {min(shares):.2%} of a page"
            outcomes["0"] += 1
        else:
            assert code == 1, f"{case}: exit {code}\n{output}"
            lines = output.strip().splitlines()
            assert lines[0].startswith(f"error: {NAME}: "), f"{case}:\n{output}"
            assert lines[-1].startswith("→ "), f"{case}:\n{output}"
            outcomes["1 " + _gist(lines[0])] += 1
    print(f"\n{RUNS} mutations: {dict(outcomes)}")
    assert outcomes["0"] > 0


def _gist(line: str) -> str:
    """The kind of refusal: the message without the file name and the library's own words."""
    return line.split(": ", 2)[-1].split(" (", maxsplit=1)[0]
