"""The manifest of a supplier's prepared documents, and its comparison with the portal."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class FileFacts:
    """Name, size, SHA-256 and page count of one file."""

    name: str
    size: int
    sha256: str
    pages: int


@dataclass(frozen=True)
class ManifestEntry:
    """One document: the original, what will be uploaded, and how it was marked."""

    slot: str
    original: FileFacts
    output: FileFacts
    confidential: bool
    marking: str  # "marca de agua" | "constancia" | "ninguna"
    method: str  # e.g. "pdf-watermark", "image-watermark", "image-to-pdf-watermark", "copy"
    preview: str | None = None  # PNG file name in the output folder
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Manifest:
    """Every prepared document of one supplier."""

    razon_social: str
    nit: str
    date: str  # ISO date of preparation
    watermark_text: str
    entries: tuple[ManifestEntry, ...] = field(default=())

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        raw = json.loads(text)
        entries = tuple(_entry(e) for e in raw.pop("entries", []))
        return cls(**raw, entries=entries)

    def uploads(self) -> list[FileFacts]:
        """The files to upload, in order."""
        return [e.output for e in self.entries]


def _entry(raw: dict[str, Any]) -> ManifestEntry:
    return ManifestEntry(
        **{
            **raw,
            "original": FileFacts(**raw["original"]),
            "output": FileFacts(**raw["output"]),
            "notes": tuple(raw.get("notes", ())),
        }
    )


@dataclass(frozen=True)
class Mismatch:
    """A difference between what we prepared and what the portal says it holds."""

    name: str
    field: str  # "missing" | "unexpected" | "size" | "sha256"
    expected: str
    actual: str

    def __str__(self) -> str:
        if self.field == "missing":
            return f"{self.name}: no aparece en el portal"
        if self.field == "unexpected":
            return f"{self.name}: está en el portal pero no en el manifiesto"
        label = "tamaño" if self.field == "size" else "SHA-256"
        return f"{self.name}: {label} distinto (esperado {self.expected}, portal {self.actual})"


def compare_manifest(
    manifest: Manifest, portal_reported: Iterable[Mapping[str, Any]]
) -> list[Mismatch]:
    """Compare the uploads with the portal's ``{name, size, sha256}`` list. Empty list:
    everything landed intact.

    ``sha256`` is optional (the portal's page shows only name and size) and compared exactly.
    ``size`` is bytes (an int, or text like ``"1536 bytes"``), compared exactly, or a size as
    the portal displays it (``"1,5 KB"``, ``"2,3 MB"``), compared within its rounding."""
    reported = {str(r["name"]): r for r in portal_reported}
    problems: list[Mismatch] = []
    for facts in manifest.uploads():
        got = reported.pop(facts.name, None)
        if got is None:
            problems.append(Mismatch(facts.name, "missing", facts.name, ""))
            continue
        if "size" in got and not size_matches(facts.size, got["size"]):
            problems.append(Mismatch(facts.name, "size", str(facts.size), str(got["size"])))
        sha = got.get("sha256")
        if sha and str(sha).strip().lower() != facts.sha256:
            problems.append(Mismatch(facts.name, "sha256", facts.sha256, str(sha)))
    problems.extend(Mismatch(name, "unexpected", "", name) for name in reported)
    return problems


_BYTES = re.compile(r"\s*(\d[\d. ]*)\s*(?:bytes?|B)\b", re.IGNORECASE)
_HUMAN = re.compile(r"\s*(\d+(?:[.,]\d+)?)\s*(KB|MB|GB)\b", re.IGNORECASE)
_UNIT = {"KB": 1024, "MB": 1024**2, "GB": 1024**3}


def size_matches(size: int, shown: object) -> bool:
    """Whether ``size`` bytes is what the portal shows: exact bytes, or a rounded size."""
    if isinstance(shown, int) and not isinstance(shown, bool):
        return shown == size
    text = str(shown)
    exact = _BYTES.match(text)  # "1536 bytes", also "1536 bytes (1,5 KB)"
    if exact:
        return int(re.sub(r"[. ]", "", exact.group(1))) == size
    human = _HUMAN.match(text)
    if human is None:
        return False
    value, unit = float(human.group(1).replace(",", ".")), _UNIT[human.group(2).upper()]
    decimals = len(human.group(1).replace(",", ".").partition(".")[2])
    return abs(size / unit - value) <= 0.5 * 0.1**decimals + 1e-9
