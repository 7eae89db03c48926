"""YAML profile files -> validated :class:`Profile` objects, or every problem at once.

:func:`check_profile` runs every check of one file and never raises; it also collects the
file's NIT, e-mails and user names even when other fields are wrong, so that the checks
across a batch (:mod:`robot.profiles.batch`) see every file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from robot import portal_rules, secrets
from robot.errors import ConfigError, Problem, ProfileError, os_reason
from robot.profiles import checks, files
from robot.profiles.batch import (
    BatchKey,
    batch_keys,
    batch_problems,
    duplicate_problems,
    profile_keys,
)
from robot.profiles.messages import problems_from
from robot.profiles.models import Document, Mailbox, Profile, Supplier, User
from robot.profiles.paths import display_path, expand, is_file, matches, resolved
from robot.profiles.yamlsource import Loc, YamlDocument, read_yaml


@dataclass
class Checked:
    """One profile file after every check of its own (the batch checks come later)."""

    path: Path  # resolved
    display: str  # as the person named it
    profile: Profile | None = None  # None when the file or its fields are not valid
    problems: list[Problem] = field(default_factory=list)
    parts: checks.Parts | None = None  # the sections valid on their own
    keys: list[BatchKey] = field(default_factory=list)
    has_mailbox: bool = False

    @property
    def ok(self) -> bool:
        return self.profile is not None and not self.problems

    def problem(self, loc: Loc, message: str) -> Problem:
        if self.profile is not None:
            return self.profile.problem(loc, message)
        return Problem(self.display, None, "", message)


def load_profile(
    path: Path | str, *, max_upload_mb: float = portal_rules.DEFAULT_MAX_UPLOAD_MB
) -> Profile:
    """Read and validate one profile; raise ProfileError with every problem found."""
    checked = check_profile(Path(path), str(path), max_upload_mb)
    problems = checked.problems + duplicate_problems([checked])
    if checked.profile is None or problems:
        raise ProfileError(problems)
    return checked.profile


def load_profiles(
    paths: Iterable[Path | str], *, max_upload_mb: float = portal_rules.DEFAULT_MAX_UPLOAD_MB
) -> list[Profile]:
    """Validate a batch: each profile, then no NIT, e-mail or user name used twice."""
    checked = [check_profile(Path(p), str(p), max_upload_mb) for p in _unique(paths)]
    problems = [p for c in checked for p in c.problems] + duplicate_problems(checked)
    if problems:
        raise ProfileError(problems)
    return [c.profile for c in checked if c.profile is not None]


def _unique(paths: Iterable[Path | str]) -> list[Path | str]:
    seen: dict[Path, Path | str] = {}
    for path in paths:
        seen.setdefault(resolved(Path(path)), path)
    return list(seen.values())


def check_profile(
    path: Path,
    display: str | None = None,
    max_upload_mb: float = portal_rules.DEFAULT_MAX_UPLOAD_MB,
    doc: YamlDocument | None = None,
) -> Checked:
    """Every check of one profile file, never raising: its problems, sorted by line."""
    display = str(path) if display is None else display
    checked = Checked(resolved(path), display)
    if doc is None:
        try:
            doc = read_yaml(path, display)
        except ConfigError as err:
            checked.problems = err.problems
            return checked
    base_dir = checked.path.parent
    problems = list(doc.problems)
    try:
        profile: Profile | None = Profile.model_validate(doc.data)
    except ValidationError as err:
        profile = None
        problems += problems_from(err, doc, Profile)
    if profile is not None:
        profile._source = checked.path
        profile._display = display
        profile._lines = doc.lines
        parts = checks.Parts.of(profile)
    else:
        # Still check the sections that are valid on their own: all problems at once.
        parts = _partial(doc.data)
    problems += [doc.problem(loc, msg) for loc, msg in checks.findings(parts)]
    problems += _file_problems(parts, base_dir, doc, max_upload_mb)
    _register_literals(parts)
    checked.profile = profile
    checked.parts = parts
    checked.problems = sorted(problems, key=_order)
    checked.keys = batch_keys(doc) if profile is None else profile_keys(profile)
    checked.has_mailbox = doc.data.get("mailbox") is not None
    return checked


def _order(problem: Problem) -> int:
    return problem.line or 0


def _register_literals(parts: checks.Parts) -> None:
    """A password written in clear is a secret too: every output masks it from now on."""
    for _, value in checks.secret_fields_of(parts):
        if not secrets.is_reference(value):
            secrets.register_secret(value)


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
        path, written = base_dir / document.path, document.path
        message = _safely(partial(files.file_problem, path, written, max_upload_mb), written)
        if message:
            problems.append(doc.problem(("documents", index, "path"), message))
    box = parts.mailbox
    if box is not None and box.ca_file is not None:
        ca_file = box.ca_file
        message = _safely(partial(files.ca_file_problem, base_dir / ca_file, ca_file), ca_file)
        if message:
            problems.append(doc.problem(("mailbox", "ca_file"), message))
    return problems


def _safely(check: Callable[[], str | None], written: str) -> str | None:
    """A file check whose path the system refuses (too long a name…) is a problem too."""
    try:
        return check()
    except OSError as err:
        return f"no se puede leer {written} ({os_reason(err)})"
    except ValueError:  # a NUL: validation refuses control characters before this
        return f"ruta no válida: {written}"


def secret_problems(profile: Profile, environ: Mapping[str, str] | None = None) -> list[Problem]:
    """Resolve every secret now: missing variables or files, and passwords against the policy.

    Values are registered for masking and never appear in a message.
    """
    problems = []
    for loc, ref in checks.secret_fields(profile):
        value = secrets.lookup(ref, base_dir=profile.base_dir, environ=environ)
        if value is None:
            message = secrets.describe_missing(ref, base_dir=profile.base_dir)
            problems.append(profile.problem(loc, message))
            continue
        is_user_password = loc[0] in {"administrator", "additional_users"}
        policy = portal_rules.password_problem(value) if is_user_password else None
        if policy:
            problems.append(profile.problem(loc, policy))
    return problems


__all__ = [
    "BatchKey",
    "Checked",
    "batch_keys",
    "batch_problems",
    "check_profile",
    "display_path",
    "duplicate_problems",
    "expand",
    "is_file",
    "load_profile",
    "load_profiles",
    "matches",
    "secret_problems",
]
