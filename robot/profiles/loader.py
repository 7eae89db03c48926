"""YAML profile files -> validated :class:`Profile` objects, or every problem at once."""

from __future__ import annotations

import glob
from collections.abc import Iterable, Mapping
from pathlib import Path

from pydantic import ValidationError

from robot import portal_rules, secrets
from robot.errors import ConfigError, Problem, ProfileError
from robot.profiles import checks, files
from robot.profiles.messages import problems_from
from robot.profiles.models import Profile, User
from robot.profiles.yamlsource import Loc, YamlDocument, read_yaml


def load_profile(
    path: Path | str, *, max_upload_mb: float = portal_rules.DEFAULT_MAX_UPLOAD_MB
) -> Profile:
    """Read and validate one profile; raise ProfileError with every problem found."""
    profile, problems = _load(Path(path), str(path), max_upload_mb)
    if profile is None or problems:
        raise ProfileError(problems)
    problems = batch_problems([profile])
    if problems:
        raise ProfileError(problems)
    return profile


def load_profiles(
    paths: Iterable[Path | str], *, max_upload_mb: float = portal_rules.DEFAULT_MAX_UPLOAD_MB
) -> list[Profile]:
    """Validate a batch: each profile, then no NIT, e-mail or user name used twice."""
    profiles: list[Profile] = []
    problems: list[Problem] = []
    for path in paths:
        profile, found = _load(Path(path), str(path), max_upload_mb)
        problems += found
        if profile is not None and not found:
            profiles.append(profile)
    problems += batch_problems(profiles)
    if problems:
        raise ProfileError(problems)
    return profiles


def _load(path: Path, display: str, max_upload_mb: float) -> tuple[Profile | None, list[Problem]]:
    try:
        doc = read_yaml(path, display)
    except ConfigError as err:
        return None, err.problems
    try:
        profile = Profile.model_validate(doc.data)
    except ValidationError as err:
        return None, problems_from(err, doc, Profile)
    profile._source = path.resolve()
    profile._display = display
    profile._lines = doc.lines
    problems = [doc.problem(loc, msg) for loc, msg in checks.profile_findings(profile)]
    problems += _file_problems(profile, doc, max_upload_mb)
    return profile, sorted(problems, key=_order)


def _order(problem: Problem) -> tuple[int, str]:
    return (problem.line or 0, problem.field)


def _file_problems(profile: Profile, doc: YamlDocument, max_upload_mb: float) -> list[Problem]:
    problems = []
    for index, document in enumerate(profile.documents):
        message = files.file_problem(profile.document_path(document), document.path, max_upload_mb)
        if message:
            problems.append(doc.problem(("documents", index, "path"), message))
    box = profile.mailbox
    if box is not None and box.ca_file is not None:
        message = files.ca_file_problem(profile.base_dir / box.ca_file, box.ca_file)
        if message:
            problems.append(doc.problem(("mailbox", "ca_file"), message))
    return problems


def batch_problems(profiles: list[Profile]) -> list[Problem]:
    """No two suppliers share a NIT; no two users share an e-mail or a user name."""
    problems: list[Problem] = []
    nits: dict[str, str] = {}
    emails: dict[str, str] = {}
    names: dict[str, str] = {}
    for profile in profiles:
        where = profile.problem(("supplier", "nit"), "")
        first = nits.setdefault(profile.supplier.nit, _at(where))
        if first != _at(where):
            msg = f"el NIT {profile.supplier.nit} ya está en otro perfil del lote ({first})"
            problems.append(profile.problem(("supplier", "nit"), msg))
        for loc, user in _user_locs(profile):
            problems += _unique(profile, (*loc, "email"), user.email.lower(), emails, "el correo")
            problems += _unique(
                profile, (*loc, "username"), user.username.lower(), names, "el nombre de usuario"
            )
    return problems


def _user_locs(profile: Profile) -> list[tuple[Loc, User]]:
    out: list[tuple[Loc, User]] = [(("administrator",), profile.administrator)]
    out += [(("additional_users", i), u) for i, u in enumerate(profile.additional_users)]
    return out


def _unique(
    profile: Profile, loc: Loc, value: str, seen: dict[str, str], what: str
) -> list[Problem]:
    here = _at(profile.problem(loc, ""))
    first = seen.setdefault(value, here)
    if first == here:
        return []
    return [profile.problem(loc, f"{what} {value} ya lo usa otro usuario ({first})")]


def _at(problem: Problem) -> str:
    return problem.file if problem.line is None else f"{problem.file}:{problem.line}"


def secret_problems(profile: Profile, environ: Mapping[str, str] | None = None) -> list[Problem]:
    """Resolve every secret now: missing variables or files, and passwords against the policy.

    Values are registered for masking and never appear in a message.
    """
    problems = []
    for loc, ref in checks.secret_fields(profile):
        value = secrets.lookup(ref, base_dir=profile.base_dir, environ=environ)
        if value is None:
            problems.append(profile.problem(loc, secrets.describe_missing(ref)))
            continue
        is_user_password = loc[0] in {"administrator", "additional_users"}
        policy = portal_rules.password_problem(value) if is_user_password else None
        if policy:
            problems.append(profile.problem(loc, policy))
    return problems


def expand(items: Iterable[str | Path], base: Path | None = None) -> list[Path]:
    """Files, folders (their ``*.yaml``/``*.yml``) and globs -> files, in a stable order."""
    out: list[Path] = []
    for item in items:
        path = Path(item)
        if base is not None and not path.is_absolute():
            path = base / path
        if path.is_dir():
            out += sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        elif glob.has_magic(str(path)):
            out += sorted(Path(p) for p in glob.glob(str(path), recursive=True))
        else:
            out.append(path)
    unique: dict[Path, None] = dict.fromkeys(out)
    return list(unique)
