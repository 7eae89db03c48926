"""Read a YAML file into plain data, remembering the line of every key and list item.

Locations are tuples like ``("documents", 0, "path")``, the same shape as pydantic's error
locations, so a validation error can be placed at ``file:line``. A missing key is placed at the
line of its parent. YAML syntax errors stop the reading (a ConfigError); duplicate keys and
non-text keys are kept as the document's ``problems`` (the first value of a key wins) so that
the rest of the file is still checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from robot.errors import ConfigError, Problem, os_reason

Loc = tuple[str | int, ...]

MAX_NODES = 50_000  # a profile has a few hundred; this stops alias bombs
MAX_DEPTH = 40
MAX_BYTES = 1_000_000
_MERGE_TAG = "tag:yaml.org,2002:merge"
# libyaml's parser is ~5x faster and keeps the same marks; pure Python where it is missing.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    """Read and parse ``path``; raise ConfigError with every problem (``display`` names it)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([Problem(display, None, "", "no se encuentra el archivo")]) from None
    except IsADirectoryError:
        raise ConfigError([Problem(display, None, "", "es una carpeta, no un archivo")]) from None
    except OSError as err:
        msg = f"no se puede leer el archivo ({os_reason(err)})"
        raise ConfigError([Problem(display, None, "", msg)]) from None
    except ValueError:  # a NUL in the name
        msg = "nombre de archivo no válido (contiene un carácter de control)"
        raise ConfigError([Problem(display, None, "", msg)]) from None
    if len(raw) > MAX_BYTES:
        msg = f"el archivo es demasiado grande para un perfil (más de {MAX_BYTES} bytes)"
        raise ConfigError([Problem(display, None, "", msg)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        msg = f"el archivo no está en UTF-8 (byte {err.start}); guárdelo como UTF-8"
        raise ConfigError([Problem(display, None, "", msg)]) from None
    return parse_yaml(text, display)


def parse_yaml(text: str, display: str) -> YamlDocument:
    """Parse YAML text; raise ConfigError with the problems (syntax errors with their line)."""
    builder = _Builder(display)
    try:
        loader = _LOADER(text)
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
    except RecursionError:
        msg = "YAML no válido: anidamiento demasiado profundo"
        raise ConfigError([Problem(display, None, "", msg)]) from None
    except _Stop as err:
        raise ConfigError([Problem(display, err.line, "", err.message)]) from None
    if data is None:
        raise ConfigError([*builder.problems, Problem(display, None, "", "el archivo está vacío")])
    if not isinstance(data, dict):
        msg = "el archivo debe ser un mapeo de claves (clave: valor), no una lista o un texto"
        raise ConfigError([*builder.problems, Problem(display, 1, "", msg)])
    return YamlDocument(display, data, builder.lines, builder.problems)


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


class _Builder:
    def __init__(self, display: str) -> None:
        self.display = display
        self.lines: dict[Loc, int] = {(): 1}
        self.problems: list[Problem] = []
        self.count = 0

    def build(self, loader: Any, node: Node, loc: Loc, depth: int) -> Any:
        self.count += 1
        line = node.start_mark.line + 1
        if self.count > MAX_NODES:
            raise _Stop(line, "YAML demasiado grande (¿alias que se repiten sin fin?)")
        if depth > MAX_DEPTH:
            raise _Stop(line, "YAML anidado demasiado profundo")
        if isinstance(node, ScalarNode):
            return self._scalar(loader, node)
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
