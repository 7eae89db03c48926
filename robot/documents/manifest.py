"""The manifest of a supplier's prepared documents, and its comparison with the portal."""

from __future__ import annotations

import json
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
    files = {key: FileFacts(**raw[key]) for key in ("original", "output")}
    return ManifestEntry(**{**raw, **files, "notes": tuple(raw.get("notes", ()))})


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
    """Compare the uploads with the portal's ``{name, size, sha256}`` list (the size in bytes,
    the SHA-256 optional, both compared exactly). Empty list: everything landed intact."""
    reported = {str(r["name"]): r for r in portal_reported}
    problems: list[Mismatch] = []
    for facts in manifest.uploads():
        got = reported.pop(facts.name, None)
        if got is None:
            problems.append(Mismatch(facts.name, "missing", facts.name, ""))
            continue
        if "size" in got and got["size"] != facts.size:
            problems.append(Mismatch(facts.name, "size", str(facts.size), str(got["size"])))
        sha = got.get("sha256")
        if sha and str(sha).strip().lower() != facts.sha256:
            problems.append(Mismatch(facts.name, "sha256", facts.sha256, str(sha)))
    problems.extend(Mismatch(name, "unexpected", "", name) for name in reported)
    return problems
