"""pydantic's validation errors, in Spanish, placed at ``file:line: dotted.field``."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from robot.errors import Problem
from robot.profiles.fields import CONSENT_MESSAGES
from robot.profiles.yamlsource import Loc, YamlDocument

_SIMPLE: dict[str, str] = {
    "missing": "falta este campo obligatorio",
    "string_type": "debe ser un texto",
    "string_sub_type": "debe ser un texto",
    "string_unicode": "debe ser un texto",
    "string_not_ascii": "debe tener solo caracteres ASCII",
    "string_pattern_mismatch": "formato no válido",
    "int_type": "debe ser un número entero",
    "int_parsing": "debe ser un número entero",
    "int_from_float": "debe ser un número entero",
    "int_parsing_size": "número demasiado grande",
    "float_type": "debe ser un número",
    "float_parsing": "debe ser un número",
    "finite_number": "debe ser un número finito (no .nan ni .inf)",
    "multiple_of": "no es un múltiplo permitido",
    "decimal_type": "debe ser un número",
    "decimal_parsing": "debe ser un número",
    "bool_type": "debe ser true o false",
    "bool_parsing": "debe ser true o false",
    "list_type": "debe ser una lista (elementos que empiezan por «- »)",
    "tuple_type": "debe ser una lista (elementos que empiezan por «- »)",
    "set_type": "debe ser una lista (elementos que empiezan por «- »)",
    "iterable_type": "debe ser una lista (elementos que empiezan por «- »)",
    "dict_type": "debe ser un mapeo de claves (clave: valor)",
    "mapping_type": "debe ser un mapeo de claves (clave: valor)",
    "model_type": "debe ser un mapeo de claves (clave: valor)",
    "model_attributes_type": "debe ser un mapeo de claves (clave: valor)",
    "dataclass_type": "debe ser un mapeo de claves (clave: valor)",
    "none_required": "debe estar vacío",
    "invalid_key": "las claves deben ser texto simple",
    "set_item_not_hashable": "elemento no válido en la lista",
    "recursion_loop": "el valor se contiene a sí mismo (alias YAML circular)",
    "recursion_depth_exceeded": "anidamiento demasiado profundo",
    "frozen_field": "este campo no se puede cambiar",
    "frozen_instance": "no se puede cambiar",
    "enum": "valor no permitido",
    "date_type": "debe ser una fecha (AAAA-MM-DD)",
    "date_parsing": "debe ser una fecha (AAAA-MM-DD)",
    "datetime_type": "debe ser una fecha y hora",
    "datetime_parsing": "debe ser una fecha y hora",
    "url_type": "debe ser una dirección web",
    "url_parsing": "dirección web no válida",
    "url_syntax_violation": "dirección web no válida",
    "url_scheme": "dirección web con un esquema no permitido",
    "url_too_long": "dirección web demasiado larga",
}
# Any other pydantic error type: said in Spanish, never pydantic's English.
GENERIC = "valor no válido para este campo"


def problems_from(err: ValidationError, doc: YamlDocument, model: type[BaseModel]) -> list[Problem]:
    """One Problem per pydantic error, sorted by line."""
    problems = [doc.problem(tuple(e["loc"]), message(e, model)) for e in err.errors()]
    return problems


def message(error: ErrorDetails, model: type[BaseModel]) -> str:
    """The Spanish message of one pydantic error (``model`` is the root, for suggestions)."""
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    loc = tuple(error["loc"])
    name = loc[-1] if loc else ""
    if isinstance(name, str) and name in CONSENT_MESSAGES and kind != "extra_forbidden":
        return CONSENT_MESSAGES[name]
    if kind in _SIMPLE:
        return _SIMPLE[kind]
    if kind == "extra_forbidden":
        return _unknown_key(loc, model)
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"valor no permitido «{_short(error['input'])}»; use uno de: {expected}"
    if kind == "value_error" and isinstance(ctx.get("error"), ValueError):
        return str(ctx["error"])  # our validators' own Spanish messages
    return _bounds(kind, ctx) or GENERIC


def _bounds(kind: str, ctx: dict[str, Any]) -> str | None:
    if kind == "string_too_short":
        n = ctx.get("min_length", 1)
        return "no puede estar vacío" if n == 1 else f"debe tener al menos {n} caracteres"
    if kind == "string_too_long":
        return f"debe tener como máximo {ctx.get('max_length')} caracteres"
    if kind == "too_short":
        return f"debe tener al menos {ctx.get('min_length')} elementos"
    if kind == "too_long":
        return f"debe tener como máximo {ctx.get('max_length')} elementos"
    words = {
        "greater_than_equal": ("mayor o igual que", "ge"),
        "greater_than": ("mayor que", "gt"),
        "less_than_equal": ("menor o igual que", "le"),
        "less_than": ("menor que", "lt"),
    }
    if kind in words:
        text, key = words[kind]
        return f"debe ser {text} {_number(ctx.get(key))}"
    return None


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _unknown_key(loc: Loc, model: type[BaseModel]) -> str:
    allowed = _fields_at(model, loc[:-1])
    key = str(loc[-1])
    if not allowed:
        return "campo desconocido"
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"campo desconocido; ¿quiso decir «{close[0]}»?"
    return f"campo desconocido; campos permitidos: {', '.join(allowed)}"


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """The field names of the model found at ``loc`` inside ``model``."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            if typing.get_origin(current) is not list or not args:
                return []
            current = args[0]
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = current.model_fields.get(part)
        if field is None:
            return []
        current = field.annotation
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """``X | None`` -> ``X``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation
