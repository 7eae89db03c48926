"""Read a YAML file into plain data, remembering the line of every key and list item.

Locations are tuples like ``("documents", 0, "path")``, the same shape as pydantic's error
locations, so a validation error can be placed at ``file:line``. A missing key is placed at the
line of its parent. YAML syntax errors stop the reading (a ConfigError); duplicate keys,
non-text keys and numbers YAML 1.1 reads otherwise than written are kept as the document's
``problems`` (the first value of a key wins; such a number stays the text written) so that the
rest of the file is still checked.

The file is untrusted: its size is checked before it is read (``input.max_yaml_bytes``), and
its nesting, its number of values and of aliases are counted while it is composed, before a
deeper level is entered (``input.max_yaml_depth``, ``input.max_yaml_nodes``,
``input.max_yaml_aliases``): 60 kB of ``[`` would otherwise exhaust libyaml's C stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
import yaml.cyaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from robot import settings
from robot.errors import ConfigError, Problem
from robot.inputfiles import read_limited

Loc = tuple[str | int, ...]

_MERGE_TAG = "tag:yaml.org,2002:merge"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"


@dataclass(frozen=True)
class Limits:
    """How much YAML one file may hold (settings ``input.max_yaml_*``)."""

    depth: int
    nodes: int
    aliases: int

    @classmethod
    def current(cls) -> Limits:
        return cls(
            int(settings.resolve("input.max_yaml_depth")),
            int(settings.resolve("input.max_yaml_nodes")),
            int(settings.resolve("input.max_yaml_aliases")),
        )


class _BoundedComposer(Composer):
    """PyYAML's composer, counting depth, values and aliases before it goes deeper."""

    def _bound(self, limits: Limits) -> None:
        """Start counting (called by the loader's ``__init__``)."""
        Composer.__init__(self)
        self.limits = limits
        self._depth = 0
        self._nodes = 0
        self._aliases = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]
        line = event.start_mark.line + 1
        self._nodes += 1
        if self._nodes > self.limits.nodes:
            raise _Stop(line, _too_many("valores", self.limits.nodes, "input.max_yaml_nodes"))
        if isinstance(event, AliasEvent):
            self._aliases += 1
            if self._aliases > self.limits.aliases:
                limit = self.limits.aliases
                raise _Stop(line, _too_many("alias (*nombre)", limit, "input.max_yaml_aliases"))
            return super().compose_node(parent, index)
        if isinstance(event, ScalarEvent):
            return super().compose_node(parent, index)
        if self._depth >= self.limits.depth:  # a list or a mapping one level deeper
            raise _Stop(line, _too_deep(self.limits.depth))
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _too_many(what: str, limit: int, setting: str) -> str:
    env = settings.SETTINGS[setting].env
    return (
        f"YAML demasiado grande: más de {limit} {what} (¿alias que se repiten sin fin?); "
        f"si el archivo es correcto, suba el límite con {env}"
    )


def _too_deep(limit: int) -> str:
    return (
        f"YAML anidado demasiado profundo (más de {limit} niveles de listas o mapeos); "
        "si el archivo es correcto, suba el límite con SECOP_INPUT_MAX_YAML_DEPTH"
    )


def _loader_class() -> Any:
    """libyaml's parser (about 5x faster, same marks) under PyYAML's composer, bounded; the
    pure-Python parser where libyaml is missing."""
    cparser: Any = getattr(yaml.cyaml, "CParser", None) if yaml.__with_libyaml__ else None
    if cparser is not None:

        class CLoader(_BoundedComposer, cparser, SafeConstructor, Resolver):  # type: ignore[misc]
            def __init__(self, stream: str, limits: Limits) -> None:
                cparser.__init__(self, stream)
                self._bound(limits)
                SafeConstructor.__init__(self)
                Resolver.__init__(self)

        return CLoader

    class PyLoader(
        yaml.reader.Reader,
        yaml.scanner.Scanner,
        yaml.parser.Parser,
        _BoundedComposer,
        SafeConstructor,
        Resolver,
    ):
        def __init__(self, stream: str, limits: Limits) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            self._bound(limits)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    return PyLoader


_LOADER: Any = _loader_class()


@dataclass
class YamlDocument:
    """Plain data plus the line of each location."""

    file: str
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # duplicate or non-text keys

    def line_of(self, loc: Loc) -> int | None:
        """The line of ``loc`` or of its nearest parent that has one."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return None

    def problem(self, loc: Loc, message: str) -> Problem:
        return Problem(self.file, self.line_of(loc), dotted(loc), message)


def dotted(loc: Loc) -> str:
    """``("documents", 0, "path")`` -> ``documents[0].path``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class _Stop(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def read_yaml(path: Path, display: str) -> YamlDocument:
    """Read and parse ``path``; raise ConfigError with every problem (``display`` names it).

    Only a regular file within ``input.max_yaml_bytes`` is read (never a FIFO or a device).
    """
    limit = int(settings.resolve("input.max_yaml_bytes"))
    raw = read_limited(path, limit, display, "input.max_yaml_bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        msg = f"el archivo no está en UTF-8 (byte {err.start}); guárdelo como UTF-8"
        raise ConfigError([Problem(display, None, "", msg)]) from None
    return parse_yaml(text, display)


def parse_yaml(text: str, display: str, limits: Limits | None = None) -> YamlDocument:
    """Parse YAML text; raise ConfigError with the problems (syntax errors with their line).

    ``limits`` bound its depth, values and aliases (default: the current settings)."""
    data, builder = _compose(text, display, limits)
    if data is None:
        raise ConfigError([*builder.problems, Problem(display, None, "", "el archivo está vacío")])
    if not isinstance(data, dict):
        msg = "el archivo debe ser un mapeo de claves (clave: valor), no una lista o un texto"
        raise ConfigError([*builder.problems, Problem(display, 1, "", msg)])
    return YamlDocument(display, data, builder.lines, builder.problems)


def parse_value(text: str, display: str) -> Any:
    """One value written in YAML (a command-line flag's), within the same limits as a file;
    ConfigError with the problem."""
    data, builder = _compose(text, display, None)
    if builder.problems:
        raise ConfigError(builder.problems)
    return data


def _compose(text: str, display: str, limits: Limits | None) -> tuple[Any, _Builder]:
    limits = Limits.current() if limits is None else limits
    builder = _Builder(display, limits)
    try:
        loader = _LOADER(text, limits)
        try:
            node = loader.get_single_node()
            data = None if node is None else builder.build(loader, node, (), 0)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = None if mark is None else mark.line + 1
        detail = _spanish(err.problem or err.context or "")
        raise ConfigError([Problem(display, line, "", f"YAML no válido: {detail}")]) from None
    except yaml.reader.ReaderError as err:
        raise ConfigError([Problem(display, _line_at(text, err), "", _reader(err))]) from None
    except yaml.YAMLError:
        raise ConfigError([Problem(display, None, "", "YAML no válido")]) from None
    except RecursionError:  # pragma: no cover - the depth limit stops it first
        msg = "YAML no válido: anidamiento demasiado profundo"
        raise ConfigError([Problem(display, None, "", msg)]) from None
    except _Stop as err:
        raise ConfigError([Problem(display, err.line, "", err.message)]) from None
    return data, builder


def _reader(err: yaml.reader.ReaderError) -> str:
    if isinstance(err.character, int):
        return f"carácter no permitido (U+{err.character:04X}) en el archivo; quítelo"
    return "el archivo no está en UTF-8; guárdelo como UTF-8"  # pragma: no cover - str input


def _line_at(text: str, err: yaml.reader.ReaderError) -> int:
    """The line of a reader error: libyaml counts UTF-8 bytes, PyYAML characters."""
    if err.encoding == "unicode":
        return text.count("\n", 0, err.position) + 1
    return text.encode("utf-8", "surrogatepass")[: err.position].count(b"\n") + 1


_SPANISH = {
    # libyaml's wording first, then PyYAML's (the pure-Python parser, used where libyaml is
    # missing). Anything else is said generically: never English to the person.
    "mapping values are not allowed": "«clave: valor» no permitido aquí (revise la sangría, o "
    "ponga entre comillas un texto que contenga «: »)",
    "mapping keys are not allowed": "clave no permitida aquí (revise la sangría)",
    "block sequence entries are not allowed": "elemento de lista «- » no permitido aquí (revise "
    "la sangría)",
    "sequence entries are not allowed": "elemento de lista «- » no permitido aquí (revise la "
    "sangría)",
    "character '\\t' that cannot start any token": "tabulador en la sangría; use espacios",
    "cannot start any token": "carácter no permitido al comienzo (¿un tabulador, «@» o «`»? use "
    "espacios o ponga el texto entre comillas)",
    "tab character": "tabulador en la sangría; use espacios",
    "did not find expected ',' or ']'": "falta «,» o «]» en la lista",
    "expected ',' or ']'": "falta «,» o «]» en la lista",
    "did not find expected ',' or '}'": "falta «,» o «}» en el mapeo",
    "expected ',' or '}'": "falta «,» o «}» en el mapeo",
    "found unexpected end of stream": "el archivo termina dentro de un texto entre comillas",
    "found undefined alias": "alias (*nombre) sin ancla (&nombre) definida antes",
    "could not determine a constructor": "etiqueta YAML no permitida (solo YAML simple)",
    "expected node content": "falta un valor (revise la sangría y los signos de puntuación)",
    "expected the node content": "falta un valor (revise la sangría y los signos de puntuación)",
    "did not find expected key": "se esperaba una clave (revise la sangría)",
    "expected <block end>": "se esperaba una clave (revise la sangría)",
    "did not find expected '-' indicator": "se esperaba un elemento de lista «- » (revise la "
    "sangría)",
    "could not find expected ':'": "falta «:» después de la clave",
    "expected comment or line break": "texto inesperado después de «|» o «>»",
    "expected a comment or a line break": "texto inesperado después de «|» o «>»",
    "indentation indicator": "indicador de sangría no válido después de «|» o «>»",
    "expected alphabetic or numeric character": "nombre de ancla o alias (&nombre, *nombre) no "
    "válido; ponga entre comillas un texto que empiece por «&» o «*»",
    "another document": "el archivo debe tener un solo documento (quite los «---» de más)",
    "single document": "el archivo debe tener un solo documento (quite los «---» de más)",
    "document start": "directiva o «---» fuera de lugar",
    "unexpected document indicator": "«---» o «...» dentro de un texto entre comillas",
    "unexpected document separator": "«---» o «...» dentro de un texto entre comillas",
    "directive": "directiva «%» no válida; ponga entre comillas un texto que empiece por «%»",
    "unknown escape character": "secuencia de escape desconocida dentro de comillas dobles "
    "(escriba \\\\ para una barra invertida, o use comillas simples)",
    "hexdecimal number": "secuencia de escape \\x, \\u o \\U incompleta dentro de comillas dobles",
    "hexadecimal numbers": "secuencia de escape \\x, \\u o \\U incompleta dentro de comillas "
    "dobles",
    "tag": "etiqueta YAML («!») no válida; ponga entre comillas un texto que empiece por «!»",
    "URI": "etiqueta YAML («!») no válida; ponga entre comillas un texto que empiece por «!»",
    "UTF-8": "el archivo no está en UTF-8; guárdelo como UTF-8",
    "found unexpected ':'": "«:» inesperado; ponga el texto entre comillas",
    "duplicate anchor": "ancla (&nombre) repetida",
}


def _spanish(detail: str) -> str:
    """Spanish for PyYAML's and libyaml's error messages; a generic Spanish text otherwise."""
    for key, text in _SPANISH.items():
        if key in detail:
            return text
    return "error de sintaxis (revise la sangría, las comillas y los «:» de esta línea)"


# YAML 1.1 (PyYAML's) reads these plain scalars as numbers that differ from what was written:
# 0654321 is octal (219345), 59:59 is base 60 (3599), 0x10 is 16, 0b10 is 2. An identity
# number, a phone or an amount written so would silently change.
_NOT_DECIMAL = {
    "octal": re.compile(r"[-+]?0[0-7_]+"),
    "sexagesimal": re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"),
    "hexadecimal": re.compile(r"[-+]?0x[0-9a-fA-F_]+"),
    "binario": re.compile(r"[-+]?0b[0-1_]+"),
}


def number_problem(node: ScalarNode, value: Any) -> str | None:
    """Spanish message if a plain number would be read otherwise than written, else None."""
    if node.style or node.tag not in (_INT_TAG, _FLOAT_TAG):  # plain: None or ""
        return None
    for kind, pattern in _NOT_DECIMAL.items():
        if pattern.fullmatch(node.value):
            return (
                f"YAML lee {node.value} como un número {kind} ({value}), no como está escrito; "
                f"si es un número de identificación, un teléfono o un valor, escríbalo entre "
                f'comillas: "{node.value}"'
            )
    return None


class _Builder:
    def __init__(self, display: str, limits: Limits) -> None:
        self.display = display
        self.limits = limits
        self.lines: dict[Loc, int] = {(): 1}
        self.problems: list[Problem] = []
        self.count = 0

    def build(self, loader: Any, node: Node, loc: Loc, depth: int) -> Any:
        self.count += 1
        line = node.start_mark.line + 1
        if self.count > self.limits.nodes:
            raise _Stop(line, _too_many("valores", self.limits.nodes, "input.max_yaml_nodes"))
        if isinstance(node, ScalarNode):
            value = self._scalar(loader, node)
            problem = number_problem(node, value)
            if problem is not None:
                self.problems.append(Problem(self.display, line, dotted(loc), problem))
                return node.value
            return value
        if depth >= self.limits.depth:  # an alias can nest a list or mapping in itself
            raise _Stop(line, _too_deep(self.limits.depth))
        if isinstance(node, SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.lines.setdefault((*loc, index), item.start_mark.line + 1)
                items.append(self.build(loader, item, (*loc, index), depth + 1))
            return items
        if isinstance(node, MappingNode):
            return self._mapping(loader, node, loc, depth)
        raise _Stop(line, "nodo YAML desconocido")  # pragma: no cover - composer makes only these

    def _scalar(self, loader: Any, node: ScalarNode) -> Any:
        try:
            return loader.construct_object(node)
        except ValueError:
            return node.value  # e.g. 2024-13-45 matches the timestamp pattern but is no date

    def _mapping(self, loader: Any, node: MappingNode, loc: Loc, depth: int) -> Any:
        result: dict[str, Any] = {}
        explicit: set[str] = set()
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE_TAG:
                merged.update(self._merge(loader, value_node, loc, depth))
                continue
            if not isinstance(key_node, ScalarNode):
                where = dotted(loc) or ""
                self.problems.append(
                    Problem(self.display, line, where, "las claves deben ser texto simple")
                )
                continue
            key = str(key_node.value)
            if key in explicit:
                self.problems.append(
                    Problem(self.display, line, dotted((*loc, key)), "clave repetida")
                )
                continue
            explicit.add(key)
            self.lines[(*loc, key)] = line
            result[key] = self.build(loader, value_node, (*loc, key), depth + 1)
        for key, value in merged.items():
            result.setdefault(key, value)
        return result

    def _merge(self, loader: Any, node: Node, loc: Loc, depth: int) -> dict[str, Any]:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        merged: dict[str, Any] = {}
        for source in reversed(sources):
            value = self.build(loader, source, loc, depth + 1)
            if not isinstance(value, dict):
                raise _Stop(source.start_mark.line + 1, "«<<» solo puede combinar mapeos")
            merged.update(value)
        return merged
