"""``secop-robot validate``'s work: which files, which kind, every check, one batch.

Everything named in one call is one batch: no NIT, e-mail or user name twice across all the
profiles given directly and all the profiles of the scenarios given (each file counted once).
A scenario is also its own batch when it runs (:meth:`robot.scenarios.Scenario.load_profiles`).
"""

from __future__ import annotations

import difflib
import glob
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from robot import portal_rules, secrets
from robot.errors import ConfigError, Problem
from robot.profiles.batch import duplicate_problems
from robot.profiles.loader import Checked, check_profile, secret_problems
from robot.profiles.paths import matches, resolved
from robot.profiles.yamlsource import YamlDocument, read_yaml

SCENARIO_KEYS = ("portal", "profiles", "concurrency", "steps", "name", "output", "probe_account")
PROFILE_KEYS = ("supplier", "administrator", "additional_users", "documents", "if_exists")
SCENARIO_FOLDERS = frozenset({"scenarios", "escenarios"})
PROFILE_FOLDERS = frozenset({"profiles", "perfiles"})


@dataclass
class Report:
    """The outcome of one ``validate`` call."""

    ok: list[str] = field(default_factory=list)  # files with no problem, in order
    problems: list[Problem] = field(default_factory=list)  # notes included, in order
    notes: int = 0  # how many of the problems only say which kind of file was assumed

    @property
    def count(self) -> int:
        return len(self.problems) - self.notes


@dataclass
class _File:
    path: Path
    display: str
    kind: str  # "profile" | "scenario"
    note: Problem | None = None
    problems: list[Problem] = field(default_factory=list)
    profiles: list[Checked] = field(default_factory=list)  # a scenario's; a profile: itself
    scenario: Any = None  # the valid Scenario, for a scenario file


def validate_paths(
    paths: Iterable[str | Path],
    *,
    max_upload_mb: float = portal_rules.DEFAULT_MAX_UPLOAD_MB,
    resolve_secrets: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Report:
    """Check every file the arguments name; never raises for bad input."""
    report = Report()
    cache: dict[tuple[Path, float], Checked] = {}

    def check(path: Path, display: str, limit: float) -> Checked:
        key = (resolved(path), limit)
        if key not in cache:
            cache[key] = check_profile(path, display, limit)
        return cache[key]

    found: list[_File] = []
    seen: set[Path] = set()
    for item in paths:
        named = matches(item)
        if not named:
            report.problems.append(Problem(str(item), None, "", _names_nothing(item)))
        for path in named:
            if resolved(path) not in seen:
                seen.add(resolved(path))
                found.append(_check_file(path, max_upload_mb, check))
    checked = _unique(c for f in found for c in f.profiles)
    problems: list[Problem] = []
    for file in found:
        if file.note is not None:
            problems.append(file.note)
            report.notes += 1
        problems += file.problems
        for profile in file.profiles:
            problems += profile.problems
    problems += duplicate_problems(checked)
    if resolve_secrets:
        problems += _secret_problems(found, checked, environ)
    report.problems += list(dict.fromkeys(problems))
    bad = {p.file for p in report.problems}
    for file in found:
        if not ({file.display} | {c.display for c in file.profiles}) & bad:
            report.ok.append(file.display)
    return report


def _unique(checked: Iterable[Checked]) -> list[Checked]:
    out: dict[Path, Checked] = {}
    for item in checked:
        out.setdefault(item.path, item)
    return list(out.values())


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def _names_nothing(item: str | Path) -> str:
    if _is_dir(Path(item)):
        return "la carpeta no tiene archivos .yaml ni .yml"
    if glob.has_magic(str(item)):
        return "ningún archivo corresponde a este patrón"
    return "no corresponde a ningún archivo"  # pragma: no cover - a plain path names itself


def _check_file(path: Path, max_upload_mb: float, check: Any) -> _File:
    from robot.scenarios import check_scenario

    display = str(path)
    try:
        doc = read_yaml(path, display)
    except ConfigError as err:
        item = _File(path, display, "profile", problems=err.problems)
        return item
    kind, reason = classify(doc, path)
    note = None
    if reason is not None:
        what = "escenario" if kind == "scenario" else "perfil"
        note = Problem(display, None, "", f"se revisó como {what}: {reason}")
    if kind == "scenario":
        result = check_scenario(path, display, doc, check)
        return _File(path, display, kind, note, result.problems, result.profiles, result.scenario)
    return _File(path, display, kind, note, [], [check_profile(path, display, max_upload_mb, doc)])


def classify(doc: YamlDocument, path: Path) -> tuple[str, str | None]:
    """``("scenario" | "profile", reason)``: the reason says why, when the keys do not.

    A file whose top-level keys are all of one kind (``portal``, ``profiles``, ``steps``…
    for a scenario; ``supplier``, ``administrator``, ``documents``… for a profile) is of that
    kind. Otherwise keys that look like misspelt ones decide, then the folder (``scenarios/``
    or ``profiles/``); a profile by default.
    """
    keys = [str(k) for k in doc.data]
    scenario = [k for k in keys if k in SCENARIO_KEYS]
    profile = [k for k in keys if k in PROFILE_KEYS]
    if scenario and not profile:
        return "scenario", None
    if profile and not scenario:
        return "profile", None
    if scenario and profile:
        kind = "scenario" if len(scenario) > len(profile) else "profile"
        mixed = (
            f"tiene claves de escenario ({', '.join(scenario)}) y de perfil ({', '.join(profile)})"
        )
        return kind, f"{mixed}; se decidió por las más numerosas"
    others = [k for k in keys if k not in ("mailbox", "allow_literal_secrets")]
    near_scenario = _near(others, SCENARIO_KEYS)
    near_profile = _near(others, PROFILE_KEYS)
    if len(near_scenario) != len(near_profile):
        kind, near = (
            ("scenario", near_scenario)
            if len(near_scenario) > len(near_profile)
            else ("profile", near_profile)
        )
        typos = ", ".join(f"{k} → {v}" for k, v in near)
        return kind, f"sus claves parecen mal escritas ({typos})"
    folder = _folder_kind(path)
    unknown = "no tiene claves de escenario (portal, profiles) ni de perfil (supplier)"
    if folder is not None:
        return folder, f"{unknown}; está en una carpeta de {_FOLDER_WORD[folder]}"
    return "profile", unknown


_FOLDER_WORD = {"scenario": "escenarios", "profile": "perfiles"}


def _near(keys: list[str], vocabulary: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for key in keys:
        close = difflib.get_close_matches(key, vocabulary, n=1, cutoff=0.7)
        if close:
            out.append((key, close[0]))
    return out


def _folder_kind(path: Path) -> str | None:
    for parent in resolved(path).parents:
        if parent.name in SCENARIO_FOLDERS:
            return "scenario"
        if parent.name in PROFILE_FOLDERS:
            return "profile"
    return None


def _secret_problems(
    found: list[_File], checked: list[Checked], environ: Mapping[str, str] | None
) -> list[Problem]:
    """Resolve every secret now (profiles whose fields are valid, valid scenarios' mailboxes
    and probe accounts)."""
    problems = []
    for item in checked:
        if item.profile is not None:
            problems += secret_problems(item.profile, environ)
    for file in found:
        scenario = file.scenario
        if scenario is None:
            continue
        refs = [("mailbox", scenario.mailbox), ("probe_account", scenario.probe_account)]
        for key, holder in refs:
            if holder is None:
                continue
            ref = holder.password
            if secrets.lookup(ref, base_dir=scenario.base_dir, environ=environ) is None:
                msg = secrets.describe_missing(ref, base_dir=scenario.base_dir)
                problems.append(scenario.problem((key, "password"), msg))
    return problems
