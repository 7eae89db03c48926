"""YAML profile files -> validated :class:`Profile` objects, or every problem at once."""

from __future__ import annotations

import glob
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from robot import portal_rules, secrets
from robot.errors import ConfigError, Problem, ProfileError
from robot.profiles import checks, files
from robot.profiles.messages import problems_from
from robot.profiles.models import Document, Mailbox, Profile, Supplier, User
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
    base_dir = path.resolve().parent
    try:
        profile = Profile.model_validate(doc.data)
    except ValidationError as err:
        # Still check the sections that are valid on their own: all problems at once.
        parts = _partial(doc.data)
        problems = problems_from(err, doc, Profile)
        problems += [doc.problem(loc, msg) for loc, msg in checks.findings(parts)]
        problems += _file_problems(parts, base_dir, doc, max_upload_mb)
        return None, sorted(problems, key=_order)
    profile._source = path.resolve()
    profile._display = display
    profile._lines = doc.lines
    parts = checks.Parts.of(profile)
    problems = [doc.problem(loc, msg) for loc, msg in checks.findings(parts)]
    problems += _file_problems(parts, base_dir, doc, max_upload_mb)
    return profile, sorted(problems, key=_order)


def _order(problem: Problem) -> int:
    return problem.line or 0


def _partial(data: dict[str, Any]) -> checks.Parts:
    users: list[tuple[Loc, User]] = []
    admin = _valid(User, data.get("administrator"))
    if admin is not None:
        users.append((("administrator",), admin))
    extra = data.get("additional_users")
    for index, item in enumerate(extra if isinstance(extra, list) else []):
        user = _valid(User, item)
        if user is not None:
            users.append((("additional_users", index), user))
    try:
        documents: list[Document] | None = _DOCUMENTS.validate_python(data.get("documents"))
    except ValidationError:
        documents = None
    return checks.Parts(
        supplier=_valid(Supplier, data.get("supplier")),
        users=users,
        documents=documents,
        mailbox=_valid(Mailbox, data.get("mailbox")),
        allow_literal_secrets=data.get("allow_literal_secrets") is True,
        organization_type=_organization_type(data.get("supplier")),
    )


def _organization_type(supplier: Any) -> str | None:
    org = supplier.get("organization_type") if isinstance(supplier, dict) else None
    return org if isinstance(org, str) and org in portal_rules.ORGANIZATION_TYPES else None


_DOCUMENTS = TypeAdapter(list[Document])
M = TypeVar("M", bound=BaseModel)


def _valid(model: type[M], value: Any) -> M | None:
    try:
        return model.model_validate(value)
    except ValidationError:
        return None


def _file_problems(
    parts: checks.Parts, base_dir: Path, doc: YamlDocument, max_upload_mb: float
) -> list[Problem]:
    problems = []
    for index, document in enumerate(parts.documents or []):
        path = (base_dir / document.path).resolve()
        message = files.file_problem(path, document.path, max_upload_mb)
        if message:
            problems.append(doc.problem(("documents", index, "path"), message))
    box = parts.mailbox
    if box is not None and box.ca_file is not None:
        message = files.ca_file_problem(base_dir / box.ca_file, box.ca_file)
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
