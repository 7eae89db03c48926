"""Checks across a batch: no NIT twice, no e-mail or user name shared by two users.

The keys are collected from each file's own data, each one valid on its own, so a profile
with other problems still takes part (all problems at once). They are compared normalised
(:func:`normal`: NFKC, then case folded), so that the same e-mail written with full-width
letters or another case is the same e-mail; a NIT is compared in its one canonical form
(ASCII digits only: look-alike digits are refused by the NIT's own check).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from robot.errors import Problem
from robot.profiles import fields
from robot.profiles.models import Profile, User
from robot.profiles.yamlsource import Loc, YamlDocument, dotted

if TYPE_CHECKING:
    from robot.profiles.loader import Checked


@dataclass(frozen=True)
class BatchKey:
    """A value no two profiles of a batch may share: a NIT, an e-mail or a user name."""

    kind: str  # "nit" | "email" | "username"
    value: str
    file: str
    loc: Loc
    line: int | None


def batch_keys(doc: YamlDocument) -> list[BatchKey]:
    """The NIT, e-mails and user names of a profile, each one that is valid on its own."""
    data = doc.data
    keys: list[BatchKey] = []

    def add(kind: str, loc: Loc, check: Callable[[str], str], value: Any) -> None:
        text = _valid_text(check, value)
        if text is not None:
            keys.append(BatchKey(kind, normal(text), doc.file, loc, doc.line_of(loc)))

    supplier = data.get("supplier")
    if isinstance(supplier, dict):
        add("nit", ("supplier", "nit"), fields.check_nit, supplier.get("nit"))
    users: list[tuple[Loc, Any]] = [(("administrator",), data.get("administrator"))]
    extra = data.get("additional_users")
    if isinstance(extra, list):
        users += [(("additional_users", i), user) for i, user in enumerate(extra)]
    for loc, user in users:
        if isinstance(user, dict):
            add("email", (*loc, "email"), fields.check_email, user.get("email"))
            add("username", (*loc, "username"), fields.check_username, user.get("username"))
    return keys


def _valid_text(check: Callable[[str], str], value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    if fields.control_problem(text) is not None:
        return None
    try:
        return check(text)
    except ValueError:
        return None


def profile_keys(profile: Profile) -> list[BatchKey]:
    """The batch keys of a valid profile (cheaper than :func:`batch_keys`: already checked)."""
    keys = [_key(profile, "nit", ("supplier", "nit"), profile.supplier.nit)]
    for loc, user in _user_locs(profile):
        keys.append(_key(profile, "email", (*loc, "email"), user.email))
        keys.append(_key(profile, "username", (*loc, "username"), user.username))
    return keys


def normal(value: str) -> str:
    """The form two values are compared in: NFKC (full-width, ligatures…), case folded."""
    return unicodedata.normalize("NFKC", value).casefold()


def _key(profile: Profile, kind: str, loc: Loc, value: str) -> BatchKey:
    return BatchKey(kind, normal(value), profile.display_name, loc, profile.problem(loc, "").line)


def _user_locs(profile: Profile) -> list[tuple[Loc, User]]:
    out: list[tuple[Loc, User]] = [(("administrator",), profile.administrator)]
    out += [(("additional_users", i), u) for i, u in enumerate(profile.additional_users)]
    return out


_DUPLICATE = {
    "nit": "el NIT {value} ya está en otro perfil del lote ({first})",
    "email": "el correo {value} ya lo usa otro usuario ({first})",
    "username": "el nombre de usuario {value} ya lo usa otro usuario ({first})",
}


def batch_problems(profiles: list[Profile]) -> list[Problem]:
    """No two suppliers share a NIT; no two users share an e-mail or a user name."""
    return _duplicates([k for profile in profiles for k in profile_keys(profile)])


def duplicate_problems(checked: Iterable[Checked]) -> list[Problem]:
    """The batch checks over checked files, valid or not (each file counted once)."""
    seen: set[Path] = set()
    keys: list[BatchKey] = []
    for item in checked:
        if item.path not in seen:
            seen.add(item.path)
            keys += item.keys
    return _duplicates(keys)


def _duplicates(keys: list[BatchKey]) -> list[Problem]:
    first: dict[tuple[str, str], BatchKey] = {}
    problems = []
    for key in keys:
        earlier = first.setdefault((key.kind, key.value), key)
        if earlier is key:
            continue
        where = earlier.file if earlier.line is None else f"{earlier.file}:{earlier.line}"
        message = _DUPLICATE[key.kind].format(value=key.value, first=where)
        problems.append(Problem(key.file, key.line, dotted(key.loc), message))
    return problems
