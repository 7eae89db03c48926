"""The steps of one supplier, in the order of the manual procedure, with the inputs of each.

Step names are stable: the ledger, ``results.json``, ``--until`` and the report use them.

    documents                      prepare the documents (watermarks, constancias, manifest)
    admin.register                 Registrar usuario for the administrator
    admin.activate                 the activation mail, the link opened
    account.entity                 Crear o solicitar acceso a una Entidad (create or ask access)
    account.form                   Registro de Proveedor filled and saved as a draft
    account.documents              the documents uploaded and checked (name, size, SHA-256)
    account.finalize               Finalizar: the account becomes active
    account.directory              the supplier and its documents in the Directorio SECOP
    users.<username>.register      an additional user: Registrar usuario
    users.<username>.activate      its activation mail
    users.<username>.request       its Solicitud de acceso to the account
    users.<username>.accept        the administrator's Aceptar acceso; the state is Aceptado
    users.<username>.create        (registration: administrator) Administración de usuarios >
                                   Crear, instead of register and request; activate then means
                                   the password chosen from the mail and the first login's consents
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from robot.documents.manifest import MANIFEST_NAME, Manifest
from robot.flows import account, members, user
from robot.flows.runtime import Actor, Job, Runtime, Tracker, input_hash
from robot.portal_rules import WATERMARK_TEXT
from robot.profiles.models import Profile, User

StepFn = Callable[[Runtime, Tracker, Job, Actor, str], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Step:
    name: str
    phase: str  # user | account | additional_users (the scenario's ``steps``)
    actor: str  # "admin" or "users.<username>": whose browser session runs it
    run: StepFn | None  # None: a local step (documents)


def plan(profile: Profile, phases: list[str]) -> list[Step]:
    steps: list[Step] = []
    if "account" in phases and profile.documents:
        steps.append(Step("documents", "account", "admin", None))
    if "user" in phases:
        steps += [
            Step("admin.register", "user", "admin", user.register),
            Step("admin.activate", "user", "admin", user.activate),
        ]
    if "account" in phases:
        steps += [
            Step("account.entity", "account", "admin", account.entity),
            Step("account.form", "account", "admin", account.fill_form),
            Step("account.documents", "account", "admin", account.upload),
            Step("account.finalize", "account", "admin", account.finalize),
            Step("account.directory", "account", "admin", account.directory),
        ]
    if "additional_users" in phases:
        for extra in profile.additional_users:
            name = f"users.{extra.username}"
            if extra.registration == "administrator":
                steps += [
                    Step(f"{name}.create", "additional_users", "admin", members.create),
                    Step(f"{name}.activate", "additional_users", name, members.activate_created),
                    Step(f"{name}.accept", "additional_users", "admin", members.accept),
                ]
                continue
            steps += [
                Step(f"{name}.register", "additional_users", name, user.register),
                Step(f"{name}.activate", "additional_users", name, user.activate),
                Step(f"{name}.request", "additional_users", name, members.request_access),
                Step(f"{name}.accept", "additional_users", "admin", members.accept),
            ]
    return steps


def step_names(profile: Profile, phases: list[str]) -> list[str]:
    return [s.name for s in plan(profile, phases)]


def _inputs(model: BaseModel) -> dict[str, Any]:
    """A model's values as the profile gives them: fields left at their default are left out,
    so a newer secop-robot whose models gained a field does not see every profile as changed."""
    return model.model_dump(mode="json", exclude_defaults=True)


def _user_inputs(person: User) -> dict[str, Any]:
    return _inputs(person)  # the password is a reference here, not its value


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return "ilegible"  # the documents step reports the file's problem
    return digest.hexdigest()


def _document_inputs(profile: Profile) -> list[Any]:
    return [[_inputs(d), _file_hash(profile.document_path(d))] for d in profile.documents]


def hashes(profile: Profile, phases: list[str]) -> dict[str, str]:
    """The hash of each step's inputs: a changed profile is noticed step by step."""
    supplier = _inputs(profile.supplier)
    docs = _document_inputs(profile)
    result = {}
    for step in plan(profile, phases):
        if step.name == "documents":
            result[step.name] = input_hash(docs, profile.watermark_text)
        elif step.name.startswith("admin."):
            result[step.name] = input_hash(_user_inputs(profile.administrator))
        elif step.name.startswith("account."):
            result[step.name] = input_hash(supplier, docs, profile.if_exists)
        else:
            username = step.name.removeprefix("users.").rsplit(".", 1)[0]
            person = next(u for u in profile.additional_users if u.username == username)
            result[step.name] = input_hash(_user_inputs(person))
    return result


def prepare(job: Job, out_dir: Path, max_bytes: int, day: dt.date | None) -> dict[str, Any]:
    """The documents step: prepare (or reuse) the supplier's documents in the output folder."""
    from robot.documents.from_profile import specs_from_profile, supplier_from_profile
    from robot.documents.prepare import prepare_documents

    folder = out_dir / job.dir / "documents"
    profile = job.profile
    # Each document is prepared in its own process (pdfium is not thread-safe), at most one
    # per CPU across the suppliers that run at once (robot.bounded): no lock needed here.
    manifest = prepare_documents(
        specs_from_profile(profile),
        supplier_from_profile(profile),
        folder,
        max_bytes=max_bytes,
        today=day,
        template=profile.watermark_text or WATERMARK_TEXT,
    )
    job.manifest = manifest
    return {
        "found": _prepared(manifest),
        "date": manifest.date,
        "manifest": str(job.dir / "documents" / MANIFEST_NAME),
        "documents": [
            {
                "slot": e.slot,
                "name": e.output.name,
                "size": e.output.size,
                "sha256": e.output.sha256,
                "marking": e.marking,
            }
            for e in manifest.entries
        ],
    }


_MARKED = {"marca de agua": "con marca de agua", "constancia": "con constancia"}


def _prepared(manifest: Manifest) -> str:
    """The step's line in the progress: ``4 documentos preparados (2 con marca de agua, …)``."""
    counts = Counter(_MARKED.get(e.marking, "sin marcar") for e in manifest.entries)
    kinds = ", ".join(f"{n} {marking}" for marking, n in sorted(counts.items()))
    return f"{len(manifest.entries)} documentos preparados" + (f" ({kinds})" if kinds else "")


def load_manifest(job: Job, out_dir: Path) -> Manifest | None:
    path = out_dir / job.dir / "documents" / MANIFEST_NAME
    if not path.is_file():
        return None
    manifest = Manifest.from_json(path.read_text(encoding="utf-8"))
    folder = path.parent
    for entry in manifest.entries:
        target = folder / entry.output.name
        if not target.is_file() or target.stat().st_size != entry.output.size:
            return None
    return manifest
