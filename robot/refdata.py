"""Colombian reference data bundled with the package (see ``robot/data/README.md``).

DANE's DIVIPOLA (departamentos, municipios) and Colombia Compra Eficiente's *Clasificador de
Bienes y Servicios* v14.1 (UNSPSC in Spanish). Loaded once, lazily; searches ignore case and
accents, as a person typing into the portal's lupa would expect.
"""

from __future__ import annotations

import csv
import gzip
import io
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Municipio:
    codigo: str  # 5-digit DANE code
    nombre: str
    codigo_departamento: str  # 2-digit DANE code
    departamento: str


@dataclass(frozen=True)
class UnspscEntry:
    codigo: str  # 8 digits
    nivel: str  # segmento, familia, clase, producto
    nombre: str


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Bogotá, D.C.' -> 'bogota, d.c.'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def _read_text(name: str) -> str:
    data = resources.files("robot.data").joinpath(name).read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    return data.decode("utf-8")


@cache
def municipios() -> tuple[Municipio, ...]:
    rows = csv.DictReader(io.StringIO(_read_text("divipola-municipios.csv")))
    return tuple(
        Municipio(
            codigo=r["codigo_municipio"],
            nombre=r["municipio"],
            codigo_departamento=r["codigo_departamento"],
            departamento=r["departamento"],
        )
        for r in rows
    )


@cache
def departamentos() -> dict[str, str]:
    """DANE code -> name, in code order."""
    return {m.codigo_departamento: m.departamento for m in municipios()}


@cache
def municipio_by_code() -> dict[str, Municipio]:
    return {m.codigo: m for m in municipios()}


def _aliases(name: str) -> set[str]:
    """A name as a person may write it: 'BOGOTÁ, D.C.' also answers to 'bogota'."""
    full = fold(name)
    return {full, full.split(",")[0].strip()}


def find_departamento(name_or_code: str) -> str | None:
    """Return the DANE code of a departamento given its code or name (accents optional)."""
    key = fold(name_or_code)
    for code, name in departamentos().items():
        if key == code or key in _aliases(name):
            return code
    return None


def find_municipio(departamento: str, name_or_code: str) -> Municipio | None:
    """The municipio with that name or code inside that departamento (code or name)."""
    dep = find_departamento(departamento)
    if dep is None:
        return None
    return _municipio_index().get((dep, fold(name_or_code)))


@cache
def _municipio_index() -> dict[tuple[str, str], Municipio]:
    """(departamento code, code or folded name or alias) -> municipio; the first one wins."""
    index: dict[tuple[str, str], Municipio] = {}
    for m in municipios():
        for key in (m.codigo, *sorted(_aliases(m.nombre))):
            index.setdefault((m.codigo_departamento, key), m)
    return index


def search_municipios(text: str, departamento: str = "", limit: int = 50) -> list[Municipio]:
    """Municipios whose name contains ``text``, optionally inside one departamento."""
    key = fold(text)
    dep = find_departamento(departamento) if departamento else None
    found = [
        m
        for m in municipios()
        if key in fold(m.nombre) and (dep is None or m.codigo_departamento == dep)
    ]
    return found[:limit]


@cache
def unspsc() -> dict[str, UnspscEntry]:
    rows = csv.DictReader(io.StringIO(_read_text("unspsc-clasificador-v14.1.csv.gz")))
    return {r["codigo"]: UnspscEntry(r["codigo"], r["nivel"], r["nombre"]) for r in rows}


@cache
def _unspsc_folded() -> tuple[tuple[str, UnspscEntry], ...]:
    return tuple((fold(e.nombre), e) for e in unspsc().values())


def search_unspsc(text: str, limit: int = 50) -> list[UnspscEntry]:
    """Entries whose code starts with ``text`` or whose name contains it."""
    key = fold(text)
    if not key:
        return []
    if key.isdigit():
        return [e for c, e in unspsc().items() if c.startswith(key)][:limit]
    return [e for name, e in _unspsc_folded() if key in name][:limit]
