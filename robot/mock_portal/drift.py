"""The ``drift`` fault switch: the portal changed its screens (issue 12, docs/mock-portal.md).

On the pages the drift canary visits (login, Registrar usuario, the public Directorio, and
behind a test account's login the supplier form and its two lupa pop-ups), a share
``drift`` of the form controls and markers is changed, each in one way chosen among
``drift_kinds``: relabelled, renamed (a new id; the form still posts the same name), removed,
moved (its row to another place), its required marker toggled, or its options changed (an
option relabelled, removed or moved). Every decision is a pure function of the seed, the page
and the element's id, so a page looks the same on every request and the same seed gives the
same drift. The page is re-read with an HTML parser (BeautifulSoup), never patched as text.
"""

from __future__ import annotations

from collections.abc import Sequence

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag

from robot.mock_portal.faults import roll

DRIFT_PATHS = frozenset(
    {
        "/STS/Users/Login/Index",
        "/STS/Users/Register/Index",
        "/Public/Directory/Index",
        "/CO1Marketplace/Companies/SupplierRegistration/Index",
        "/CO1Marketplace/Common/Lookup/Municipio",
        "/CO1Marketplace/Common/Lookup/Unspsc",
    }
)

SUFFIX = " (actualizado)"
# Elements read by id that are not form controls (the canary's markers).
MARKER_TAGS = ("div",)


def _choose(seed: int, key: str, kinds: Sequence[str]) -> str:
    return kinds[int(roll(seed, "drift_kind", key) * len(kinds))]


def apply(html: str, path: str, seed: int, rate: float, kinds: Sequence[str]) -> str:
    """The page ``html`` of ``path`` with its drift applied (unchanged when nothing is drawn)."""
    soup = BeautifulSoup(html, "html.parser")
    main = soup.find("main")
    if not isinstance(main, Tag):
        return html
    changed = False
    for el in list(main.find_all(["input", "select", "textarea", "button", *MARKER_TAGS])):
        if el.decomposed:  # inside a row removed just before
            continue
        ident = el.get("id")
        if not isinstance(ident, str) or not ident or el.get("type") == "hidden":
            continue
        key = f"{path}|{ident}"
        if roll(seed, "drift", key) >= rate:
            continue
        possible: tuple[str, ...]
        if el.name in MARKER_TAGS:
            possible = ("rename", "remove")
        elif el.name == "button":
            possible = ("relabel", "rename")
        else:
            possible = ("relabel", "rename", "remove", "move", "required")
            if el.name == "select":
                possible = (*possible, "options")
        allowed = [k for k in possible if k in kinds]
        if not allowed:
            continue
        _DRIFTS[_choose(seed, key, allowed)](soup, main, el, ident, seed, rate, key)
        changed = True
    return str(soup) if changed else html


def _label(main: Tag, el: Tag, ident: str) -> Tag | None:
    if el.name == "button":
        return el
    found = main.find("label", attrs={"for": ident})
    return found if isinstance(found, Tag) else None


def _relabel(
    soup: BeautifulSoup, main: Tag, el: Tag, ident: str, seed: int, rate: float, key: str
) -> None:
    label = _label(main, el, ident)
    if label is None:
        return
    for node in label.contents:
        if isinstance(node, NavigableString) and node.strip():
            node.replace_with(NavigableString(node.strip() + SUFFIX))
            return


def _rename(
    soup: BeautifulSoup, main: Tag, el: Tag, ident: str, seed: int, rate: float, key: str
) -> None:
    new = ident + "V2"
    label = main.find("label", attrs={"for": ident})
    if isinstance(label, Tag):
        label["for"] = new
    for suffix in ("Failure",):
        span = main.find(id=ident + suffix)
        if isinstance(span, Tag):
            span["id"] = new + suffix
    row = main.find(id="tr" + ident)
    if isinstance(row, Tag):
        row["id"] = "tr" + new
    el["id"] = new  # its name stays: the form posts the same fields


def _row(el: Tag) -> Tag:
    row = el.find_parent("tr")
    return row if isinstance(row, Tag) else el


def _remove(
    soup: BeautifulSoup, main: Tag, el: Tag, ident: str, seed: int, rate: float, key: str
) -> None:
    row = _row(el)
    if row is el:
        label = main.find("label", attrs={"for": ident})
        if isinstance(label, Tag):
            label.decompose()
    row.decompose()


def _move(
    soup: BeautifulSoup, main: Tag, el: Tag, ident: str, seed: int, rate: float, key: str
) -> None:
    row = _row(el)
    parent = row.parent
    if parent is None or row is el:
        return
    rows = list(parent.find_all("tr", recursive=False))
    row.extract()
    if rows and rows[-1] is row:
        parent.insert(0, row)  # the last row goes first
    else:
        parent.append(row)  # any other goes last


def _required(
    soup: BeautifulSoup, main: Tag, el: Tag, ident: str, seed: int, rate: float, key: str
) -> None:
    label = main.find("label", attrs={"for": ident})
    if el.get("aria-required") == "true" or el.has_attr("required"):
        del el["aria-required"]
        if el.has_attr("required"):
            del el["required"]
        if isinstance(label, Tag):
            for star in label.find_all(class_="RequiredField"):
                star.decompose()
        return
    el["aria-required"] = "true"
    if isinstance(label, Tag):
        star = soup.new_tag("span", attrs={"class": "RequiredField", "aria-hidden": "true"})
        star.string = "*"
        label.append(" ")
        label.append(star)


def _options(
    soup: BeautifulSoup, main: Tag, el: Tag, ident: str, seed: int, rate: float, key: str
) -> None:
    """Each option (but the empty placeholder) drawn at the same rate: relabelled, removed or
    moved to the end; at least one is changed."""
    options = [o for o in el.find_all("option") if o.get("value")]
    if not options:
        return
    drawn = [o for o in options if roll(seed, "drift_option", f"{key}|{o['value']}") < rate]
    for option in drawn or options[:1]:
        how = ("relabel", "remove", "move")[
            int(roll(seed, "drift_option_kind", f"{key}|{option['value']}") * 3)
        ]
        if how == "relabel":
            option.string = option.get_text().strip() + SUFFIX
        elif how == "remove":
            option.decompose()
        else:
            el.append(option.extract())


_DRIFTS = {
    "relabel": _relabel,
    "rename": _rename,
    "remove": _remove,
    "move": _move,
    "required": _required,
    "options": _options,
}
