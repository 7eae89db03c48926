"""JSON Schemas of profiles and scenarios (for yaml-language-server) and their field tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(model: type[BaseModel], title: str) -> dict[str, Any]:
    schema = model.model_json_schema()
    return {
        "$schema": SCHEMA_DRAFT,
        "title": title,
        **{k: v for k, v in schema.items() if k != "title"},
    }


def field_table(schema: dict[str, Any]) -> str:
    """A Markdown table of every field: dotted name, type, required or default, description."""
    rows = ["| Campo | Tipo | Obligatorio / por defecto | Descripción |", "|---|---|---|---|"]
    defs = schema.get("$defs", {})
    for name, kind, need, text in _walk(schema, "", defs, 0):
        rows.append(f"| `{name}` | {kind} | {need} | {text} |")
    return "\n".join(rows) + "\n"


def _walk(
    node: dict[str, Any], prefix: str, defs: dict[str, Any], depth: int
) -> list[tuple[str, str, str, str]]:
    node = _deref(node, defs)
    required = set(node.get("required", []))
    out: list[tuple[str, str, str, str]] = []
    for key, raw in node.get("properties", {}).items():
        name = f"{prefix}{key}"
        prop = _deref(raw, defs)
        need = "sí" if key in required else _default(raw)
        text = str(raw.get("description") or prop.get("description") or "").replace("|", "\\|")
        out.append((name, _type(prop, defs), need, text.replace("\n", " ")))
        inner = _object_of(prop, defs)
        if inner is not None and depth < 4:
            suffix = "[]." if _is_array(prop, defs) else "."
            out += _walk(inner, name + suffix, defs, depth + 1)
    return out


def _deref(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        return dict(defs[node["$ref"].split("/")[-1]])
    options = [o for o in node.get("anyOf", []) if o.get("type") != "null"]
    if len(options) == 1:
        return {**_deref(options[0], defs), "description": node.get("description")}
    return node


def _is_array(prop: dict[str, Any], defs: dict[str, Any]) -> bool:
    return prop.get("type") == "array"


def _object_of(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any] | None:
    target = (
        _deref(prop["items"], defs) if prop.get("type") == "array" and "items" in prop else prop
    )
    return target if "properties" in target else None


def _type(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{json.dumps(prop['const'], ensure_ascii=False)}`"
    kind = prop.get("type")
    if kind == "array":
        items = _deref(prop.get("items", {}), defs)
        return f"lista de {'objeto' if 'properties' in items else _type(items, defs)}"
    if "properties" in prop:
        return "objeto"
    names = {"string": "texto", "integer": "entero", "number": "número", "boolean": "sí/no"}
    if isinstance(kind, list):  # numbers accepted as text: "texto o entero"
        return " o ".join(names.get(str(k), str(k)) for k in kind)
    return names.get(str(kind), str(kind or "valor"))


def _default(raw: dict[str, Any]) -> str:
    if "default" not in raw:
        return "no"
    value = raw["default"]
    if value is None or value in ([], {}):
        return "no"
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def write_schemas(out_dir: Path) -> list[Path]:
    """Write ``profile.schema.json``, ``scenario.schema.json`` and their Markdown tables."""
    from robot.profiles.models import Profile
    from robot.scenarios import Scenario

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, model, title in (
        ("profile", Profile, "Perfil de proveedor de secop-robot"),
        ("scenario", Scenario, "Escenario (lote) de secop-robot"),
    ):
        schema = json_schema(model, title)
        path = out_dir / f"{stem}.schema.json"
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        table = out_dir / f"{stem}.md"
        header = f"# {title}: campos\n\nGenerado por `secop-robot schema`; no editar a mano.\n\n"
        table.write_text(header + field_table(schema), encoding="utf-8")
        written += [path, table]
    return written
