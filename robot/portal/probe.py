"""The portal drift canary: each page's fingerprint, read live, compared with the stored one.

The pages and what the robot relies on come from the page objects' declarations
(:class:`~robot.portal.pages.spec.PageSpec`). A fingerprint lists every control of the page's
main content (label, id, kind, required marker, options, order) and the marker ids the robot
reads; controls the page object declares are marked ``relied``. The diff names each change
(docs/probe.md) and classes it breaking (the robot would fail or fill the wrong thing) or
cosmetic.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Page

from robot.portal.pages.auth import LoginPage
from robot.portal.pages.base import PortalSession
from robot.portal.pages.directory import DirectoryPage
from robot.portal.pages.register import RegisterPage
from robot.portal.pages.spec import Control, PageSpec
from robot.portal.pages.supplier import MunicipioLupa, SupplierForm, UnspscLupa

FINGERPRINTS = Path(__file__).parent / "fingerprints"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", ""})


def folder_for(base_url: str) -> Path:
    """Where a portal's expected fingerprints live: ``fingerprints/mock`` for the bundled mock
    (any local address), ``fingerprints/<host>`` for a real portal."""
    host = (urlsplit(base_url).hostname or "").lower()
    name = "mock" if host in LOCAL_HOSTS else re.sub(r"[^a-z0-9.-]", "_", host)
    return FINGERPRINTS / name


PAGES: tuple[PageSpec, ...] = (LoginPage.SPEC, RegisterPage.SPEC, DirectoryPage.SPEC)
# Behind the login of a test account (a draft supplier account's administrator): the supplier
# form as it is before Guardar, and the lupa pop-ups its page object opens.
ACCOUNT_PAGES: tuple[PageSpec, ...] = (SupplierForm.SPEC, MunicipioLupa.SPEC, UnspscLupa.SPEC)
ALL_PAGES: tuple[PageSpec, ...] = PAGES + ACCOUNT_PAGES

# Every control of the page's main content, in document order, and the elements with an id.
_SNAPSHOT_JS = """
() => {
  const main = document.querySelector('main') || document.body;
  const clean = t => (t || '').replace(/\\*/g, '').replace(/\\s+/g, ' ').trim();
  const controls = [];
  for (const el of main.querySelectorAll('input, select, textarea, button')) {
    const type = (el.getAttribute('type') || '').toLowerCase();
    if (el.tagName === 'INPUT' && type === 'hidden') continue;
    const label = el.id ? main.querySelector('label[for="' + el.id + '"]') : null;
    const tag = el.tagName.toLowerCase();
    const kind = tag === 'input' ? (type || 'text') : (tag === 'button' ? 'button' : tag);
    controls.push({
      id: el.id || '',
      kind: kind,
      label: tag === 'button' ? clean(el.textContent) : clean(label ? label.textContent : ''),
      required: el.required || el.getAttribute('aria-required') === 'true'
        || !!(label && label.querySelector('.RequiredField')),
      options: tag === 'select'
        ? Array.from(el.options).filter(o => o.value !== '').map(o => [o.value, clean(o.text)])
        : [],
    });
  }
  const FORM_TAGS = ['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON', 'LABEL', 'OPTION'];
  const markers = Array.from(main.querySelectorAll('[id]'))
    .filter(el => !FORM_TAGS.includes(el.tagName)
      || (el.tagName === 'INPUT' && (el.getAttribute('type') || '').toLowerCase() === 'hidden'))
    .map(el => ({id: el.id, tag: el.tagName.toLowerCase(), class: el.className || ''}));
  return {controls, markers};
}
"""

BREAKING = "rompe"
COSMETIC = "cosmético"


@dataclass(frozen=True)
class Change:
    """One difference between the stored fingerprint and the live page."""

    page: str
    kind: str  # añadido | eliminado | reetiquetado | renombrado | movido | tipo cambiado |
    #            opciones cambiadas | obligatorio cambiado
    subject: str
    detail: str
    breaking: bool

    def __str__(self) -> str:
        grade = BREAKING if self.breaking else COSMETIC
        return f"  [{grade}] {self.kind}: {self.subject}: {self.detail}"


@dataclass
class PageDiff:
    spec: PageSpec
    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> bool:
        return any(c.breaking for c in self.changes)


async def fingerprint(
    session: PortalSession, spec: PageSpec, *, page: Page | None = None
) -> dict[str, Any]:
    """Open the page (a GET: nothing is created) and read its fingerprint; with ``page`` (the
    form a login landed on, a lupa pop-up), read that page as it is, without loading it."""
    if page is None:
        await session.goto(spec.path, expect_login=spec.key == "login")
        page = session.page
    seen: dict[str, Any] = await page.evaluate(_SNAPSHOT_JS)
    controls = []
    for c in seen["controls"]:
        if c["id"] in spec.optional:  # e.g. the CAPTCHA: shown at times, handled by the robot
            continue
        if _volatile(spec, c["id"]):  # the draft's own data (a UNSPSC row, an uploaded file)
            continue
        controls.append({**c, "relied": declared_as(spec, c) is not None})
    ids = [c["id"] for c in controls if c["id"]]
    # a control's row and error span follow its id: a renamed control is reported once
    markers = [
        m
        for m in seen["markers"]
        if m["id"]
        and m["id"] not in spec.optional
        and not _volatile(spec, m["id"])
        and not any(i in m["id"] for i in ids)
    ]
    title = await page.title()
    return {
        "page": spec.key,
        "title": title.rsplit(" - SECOP II", 1)[0].strip(),
        "path": spec.path,
        "controls": controls,
        "markers": markers,
    }


def _volatile(spec: PageSpec, ident: str) -> bool:
    return any(ident.startswith(prefix) for prefix in spec.volatile)


def declared_as(spec: PageSpec, control: dict[str, Any]) -> Control | None:
    """The page object's control this live control is (by id when it uses one, else label)."""
    for c in spec.controls:
        if c.id and c.id == control["id"]:
            return c
        if not c.id and c.label == control["label"] and _same_family(c.kind, control["kind"]):
            return c
    return None


def _same_family(declared: str, live: str) -> bool:
    texts = {"text", "email", "tel", "search", "password", "number", "textarea"}
    return declared == live or (declared in texts and live in texts)


def load(spec: PageSpec, folder: Path) -> dict[str, Any] | None:
    path = folder / f"{spec.key}.json"
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def save(data: dict[str, Any], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{data['page']}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def _name(c: dict[str, Any]) -> str:
    label = f"«{c['label']}»" if c["label"] else "(sin etiqueta)"
    return f"{label} (#{c['id']})" if c["id"] else label


def compare(spec: PageSpec, expected: dict[str, Any], live: dict[str, Any]) -> PageDiff:
    """The changes from ``expected`` to ``live``, classed against the page object ``spec``."""
    diff = PageDiff(spec)
    add = diff.changes.append
    page = spec.key
    if expected.get("title") != live.get("title"):
        add(
            Change(
                page,
                "reetiquetado",
                "título de la página",
                f"«{expected.get('title')}» → «{live.get('title')}»",
                True,  # the robot recognises pages by their title
            )
        )
    old: list[dict[str, Any]] = list(expected["controls"])
    new: list[dict[str, Any]] = list(live["controls"])
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for rule in range(3):  # the same control: id and label, then id, then label
        for a in list(old):
            for b in new:
                if _same(rule, a, b):
                    pairs.append((a, b))
                    old.remove(a)
                    new.remove(b)
                    break
    for a, b in pairs:
        _compare_control(spec, a, b, add)
    _moved(spec, expected["controls"], live["controls"], pairs, add)
    for a in old:
        declared = declared_as(spec, a)
        add(Change(page, "eliminado", _name(a), "ya no está en la página", declared is not None))
    for b in new:
        detail = "campo nuevo" + (", obligatorio" if b["required"] else "")
        # a new required field is one the robot does not fill: the portal would refuse the form
        add(Change(page, "añadido", _name(b), detail, bool(b["required"])))
    _markers(spec, expected.get("markers", []), live.get("markers", []), add)
    if not diff.breaking:  # the stored fingerprint may lack what the robot relies on
        for name in undeclared(spec, live):
            add(Change(page, "eliminado", name, "el robot lo usa y la página no lo tiene", True))
    return diff


def _same(rule: int, a: dict[str, Any], b: dict[str, Any]) -> bool:
    if rule == 0:
        return bool(a["id"] == b["id"] and a["label"] == b["label"])
    if rule == 1:
        return bool(a["id"]) and a["id"] == b["id"]
    return bool(a["label"]) and a["label"] == b["label"] and a["kind"] == b["kind"]


def _compare_control(
    spec: PageSpec, a: dict[str, Any], b: dict[str, Any], add: Callable[[Change], None]
) -> None:
    page = spec.key
    declared = declared_as(spec, a)
    if a["label"] != b["label"]:
        # the robot finds its controls by label (unless it uses their id)
        breaking = declared is not None and not declared.id
        add(Change(page, "reetiquetado", _name(a), f"ahora «{b['label']}»", breaking))
    if a["id"] != b["id"]:
        breaking = declared is not None and bool(declared.id)
        add(Change(page, "renombrado", _name(a), f"id #{a['id']} → #{b['id']}", breaking))
    if a["kind"] != b["kind"]:
        breaking = declared is not None and not _same_family(declared.kind, b["kind"])
        add(Change(page, "tipo cambiado", _name(a), f"{a['kind']} → {b['kind']}", breaking))
    if a["required"] != b["required"]:
        now = "obligatorio" if b["required"] else "opcional"
        # a field becoming required breaks when the robot does not always fill it
        breaking = bool(b["required"]) and (declared is None or not declared.always)
        add(Change(page, "obligatorio cambiado", _name(a), f"ahora {now}", breaking))
    before = dict(a["options"])
    after = dict(b["options"])
    if before != after or [v for v, _ in a["options"]] != [v for v, _ in b["options"]]:
        gone = [v for v in before if v not in after]
        parts = []
        if gone:
            parts.append("quitadas " + ", ".join(f"{v} («{before[v]}»)" for v in gone))
        added = [v for v in after if v not in before]
        if added:
            parts.append("nuevas " + ", ".join(f"{v} («{after[v]}»)" for v in added))
        texts = [v for v in before if v in after and before[v] != after[v]]
        if texts:
            parts.append(
                "texto cambiado " + ", ".join(f"{v}: «{before[v]}» → «{after[v]}»" for v in texts)
            )
        if not parts:
            parts.append("reordenadas")
        needed = set(declared.options) if declared is not None else set()
        add(
            Change(page, "opciones cambiadas", _name(a), "; ".join(parts), bool(needed & set(gone)))
        )


def _moved(
    spec: PageSpec,
    old: list[dict[str, Any]],
    new: list[dict[str, Any]],
    pairs: list[tuple[dict[str, Any], dict[str, Any]]],
    add: Callable[[Change], None],
) -> None:
    """Controls whose order among the matched ones changed (cosmetic: found by label or id)."""
    by_old = sorted(range(len(pairs)), key=lambda i: old.index(pairs[i][0]))
    by_new = sorted(range(len(pairs)), key=lambda i: new.index(pairs[i][1]))
    matcher = difflib.SequenceMatcher(a=by_old, b=by_new, autojunk=False)
    kept = {i for m in matcher.get_matching_blocks() for i in by_old[m.a : m.a + m.size]}
    for i in by_old:
        if i not in kept:
            a, b = pairs[i]
            where = f"posición {old.index(a) + 1} → {new.index(b) + 1}"
            add(Change(spec.key, "movido", _name(a), where, False))


def _markers(
    spec: PageSpec,
    old: list[dict[str, Any]],
    new: list[dict[str, Any]],
    add: Callable[[Change], None],
) -> None:
    page = spec.key
    new_ids = {m["id"] for m in new}
    old_ids = {m["id"] for m in old}
    unclaimed = [m for m in new if m["id"] not in old_ids]
    for m in old:
        if m["id"] in new_ids:
            continue
        relied = m["id"] in spec.markers
        twin = next(
            (n for n in unclaimed if (n["tag"], n["class"]) == (m["tag"], m["class"])), None
        )
        if twin is not None:
            unclaimed.remove(twin)
            add(Change(page, "renombrado", f"#{m['id']}", f"ahora #{twin['id']}", relied))
        else:
            add(Change(page, "eliminado", f"#{m['id']}", "ya no está en la página", relied))
    for n in unclaimed:
        add(Change(page, "añadido", f"#{n['id']}", "elemento nuevo", False))


def undeclared(spec: PageSpec, live: dict[str, Any]) -> list[str]:
    """What the page object relies on that the live page does not show (no stored fingerprint
    needed): each declared control and marker must be there."""
    missing = []
    for c in spec.controls:
        if not any(declared_as(spec, x) == c for x in live["controls"]):
            missing.append(f"«{c.label}»" if not c.id else f"#{c.id}")
    ids = {m["id"] for m in live["markers"]}
    missing += [f"#{m}" for m in spec.markers if m not in ids]
    return missing
