"""The mock portal's documentation matches the code: fault switches and pages."""

from __future__ import annotations

import re
from pathlib import Path

from robot.mock_portal.faults import FaultConfig
from tests.mock_portal.supplier_helpers import make_app

ROOT = Path(__file__).resolve().parents[2]


def _section(path: Path, heading: str) -> str:
    text = path.read_text(encoding="utf-8")
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end != -1 else None]


def test_the_fault_switch_table_lists_exactly_the_switches() -> None:
    table = _section(ROOT / "docs" / "mock-portal.md", "## Fault switches")
    documented = re.findall(r"^\| `([a-z_]+)` \|", table, re.MULTILINE)
    assert sorted(documented) == sorted(FaultConfig.model_fields)
    assert len(documented) == len(set(documented))


def test_every_page_is_documented(tmp_path: Path) -> None:
    pages = (ROOT / "docs" / "mock-portal-pages.md").read_text(encoding="utf-8")
    app = make_app(tmp_path)
    endpoints = {rule.endpoint for rule in app.flask.url_map.iter_rules() if "." in rule.endpoint}
    endpoints -= {"static"}
    assert endpoints, "no pages found"
    missing = sorted(e for e in endpoints if f"`{e}`" not in pages)
    assert missing == []
