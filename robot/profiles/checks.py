"""Checks across fields of a profile that passed the field checks.

Each check yields ``(location, message)``; the loader places them at ``file:line``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from robot import portal_rules, refdata, secrets
from robot.profiles.models import Document, Mailbox, Person, Profile, Supplier, User
from robot.profiles.yamlsource import Loc

Finding = tuple[Loc, str]


@dataclass
class Parts:
    """The sections of a profile that passed the field checks (None: that section did not)."""

    supplier: Supplier | None
    users: list[tuple[Loc, User]]
    documents: list[Document] | None
    mailbox: Mailbox | None
    allow_literal_secrets: bool
    organization_type: str | None = None  # known even when the supplier section is not valid

    @classmethod
    def of(cls, profile: Profile) -> Parts:
        return cls(
            profile.supplier,
            list(_users(profile)),
            list(profile.documents),
            profile.mailbox,
            profile.allow_literal_secrets,
        )


def profile_findings(profile: Profile) -> list[Finding]:
    """Every cross-field problem of one profile (files and batch checks are elsewhere)."""
    return findings(Parts.of(profile))


def findings(parts: Parts) -> list[Finding]:
    """Cross-field problems of the sections that are valid on their own."""
    found: list[Finding] = []
    if parts.supplier is not None:
        found += _supplier(parts.supplier)
        rep = parts.supplier.legal_representative
        found += _person(rep, ("supplier", "legal_representative"))
    for loc, user in parts.users:
        found += _person(user, loc)
    found += _secrets(parts)
    if parts.documents is not None:
        org = (
            parts.organization_type if parts.supplier is None else parts.supplier.organization_type
        )
        found += _documents(parts.documents, org)
    found += _mailbox(parts)
    return found


def _users(profile: Profile) -> Iterator[tuple[Loc, User]]:
    yield ("administrator",), profile.administrator
    for index, user in enumerate(profile.additional_users):
        yield ("additional_users", index), user


# --- supplier -------------------------------------------------------------------------------


def _supplier(s: Supplier) -> list[Finding]:
    found: list[Finding] = []
    org = s.organization_type
    natural = org in portal_rules.NATURAL_PERSON_TYPES
    if natural and s.person_type != "natural":
        found.append(
            (("supplier", "person_type"), "una persona natural tiene person_type: natural")
        )
    if not natural and s.person_type == "natural":
        found.append(
            (
                ("supplier", "person_type"),
                f"el tipo de organización {org} es de persona jurídica; use person_type: juridica",
            )
        )
    if org == "extranjera" and s.origin != "extranjero":
        found.append(
            (("supplier", "origin"), "una persona jurídica extranjera tiene origin: extranjero")
        )
    found += _nit_length(s)
    found += _location(s)
    found += _unspsc(s)
    found += _financial(s)
    if s.foreign_tax_id is not None and s.origin != "extranjero":
        found.append((("supplier", "foreign_tax_id"), "solo aplica a proveedores extranjeros"))
    return found


def _nit_length(s: Supplier) -> list[Finding]:
    digits = len(s.nit_number)
    rep = s.legal_representative
    cedula = rep.id_type == "CC" and portal_rules.id_number_problem("CC", rep.id_number) is None
    natural = (
        s.person_type == "natural" and s.organization_type in portal_rules.NATURAL_PERSON_TYPES
    )
    if natural and cedula:
        if s.nit_number == rep.id_number:
            return []
        expected = f"{rep.id_number}-{portal_rules.nit_check_digit(rep.id_number)}"
        msg = (
            "el NIT de una persona natural es su cédula más el dígito de verificación; con la "
            f"cédula del representante legal ({rep.id_number}) es {expected}"
        )
        return [(("supplier", "nit"), msg)]
    if s.person_type == "juridica" and s.origin == "nacional" and digits != 9:
        msg = f"el NIT de una persona jurídica tiene 9 dígitos más el de verificación ({digits})"
        return [(("supplier", "nit"), msg)]
    if s.person_type == "natural" and not 6 <= digits <= 10:
        msg = "el NIT de una persona natural es su cédula (6 a 10 dígitos) más el de verificación"
        return [(("supplier", "nit"), msg)]
    return []


def _location(s: Supplier) -> list[Finding]:
    if s.country != "CO":
        found: list[Finding] = []
        for name in ("departamento", "municipio"):
            if getattr(s, name) is not None:
                found.append((("supplier", name), "solo aplica a direcciones en Colombia"))
        if s.city is None:
            found.append((("supplier", "city"), "falta la ciudad (dirección fuera de Colombia)"))
        return found
    if s.city is not None:
        return [(("supplier", "city"), "en Colombia use departamento y municipio, no city")]
    if s.departamento is None:
        return [(("supplier", "departamento"), "falta el departamento (dirección en Colombia)")]
    if s.municipio is None:
        return [(("supplier", "municipio"), "falta el municipio (dirección en Colombia)")]
    if refdata.find_municipio(s.departamento, s.municipio) is not None:
        return []
    dep_code = refdata.find_departamento(s.departamento) or ""
    dep_name = refdata.departamentos().get(dep_code, s.departamento)
    elsewhere = sorted(
        {
            m.departamento
            for m in refdata.search_municipios(s.municipio)
            if refdata.fold(m.nombre) == refdata.fold(s.municipio)
        }
    )
    msg = f"el municipio «{s.municipio}» no pertenece a {dep_name}"
    if elsewhere:
        msg += f" (está en {', '.join(elsewhere)})"
    elif not refdata.search_municipios(s.municipio, limit=1):
        msg = f"el municipio «{s.municipio}» no existe en la DIVIPOLA del DANE"
    return [(("supplier", "municipio"), msg)]


def _unspsc(s: Supplier) -> list[Finding]:
    found: list[Finding] = []
    seen = {s.unspsc_main}
    for index, code in enumerate(s.unspsc_others):
        if code in seen:
            found.append((("supplier", "unspsc_others", index), f"código {code} repetido"))
        seen.add(code)
    return found


def _financial(s: Supplier) -> list[Finding]:
    f = s.financial
    if f is None:
        return []
    found: list[Finding] = []
    if f.current_assets > f.total_assets:
        found.append(
            (("supplier", "financial", "current_assets"), "no puede superar el activo total")
        )
    if f.current_liabilities > f.total_liabilities:
        found.append(
            (("supplier", "financial", "current_liabilities"), "no puede superar el pasivo total")
        )
    return found


# --- people and secrets ---------------------------------------------------------------------


def _person(person: Person, loc: Loc) -> list[Finding]:
    problem = portal_rules.id_number_problem(person.id_type, person.id_number)
    return [] if problem is None else [((*loc, "id_number"), problem)]


def secret_fields(profile: Profile) -> list[tuple[Loc, str]]:
    """Every secret of the profile with its location: user, mailbox and PDF passwords."""
    return secret_fields_of(Parts.of(profile))


def secret_fields_of(parts: Parts) -> list[tuple[Loc, str]]:
    """Every secret of the valid sections, with its location."""
    out: list[tuple[Loc, str]] = [((*loc, "password"), user.password) for loc, user in parts.users]
    if parts.mailbox is not None:
        out.append((("mailbox", "password"), parts.mailbox.password))
    for index, doc in enumerate(parts.documents or []):
        if doc.password is not None:
            out.append((("documents", index, "password"), doc.password))
    return out


def _secrets(parts: Parts) -> list[Finding]:
    found: list[Finding] = []
    for loc, value in secret_fields_of(parts):
        if secrets.is_reference(value):
            continue
        if not parts.allow_literal_secrets:
            found.append(
                (
                    loc,
                    "contraseña escrita en claro; use una referencia ${VARIABLE} o file:ruta "
                    "(o allow_literal_secrets: true, solo con el portal simulado)",
                )
            )
        elif loc[0] in {"administrator", "additional_users"}:
            policy = portal_rules.password_problem(value)
            if policy:
                found.append((loc, policy))
    return found


# --- documents --------------------------------------------------------------------------------


def _documents(docs: list[Document], org: str | None) -> list[Finding]:
    found: list[Finding] = []
    slots = [d.slot for d in docs]
    for key, slot in portal_rules.DOCUMENT_SLOTS.items():
        if org is not None and slot.is_required(org) and key not in slots:
            found.append((("documents",), f"falta el documento obligatorio {key} ({slot.label})"))
    seen: set[str] = set()
    for index, doc in enumerate(docs):
        if doc.slot in seen:
            found.append(
                (("documents", index, "slot"), f"la casilla {doc.slot} ya tiene documento")
            )
        seen.add(doc.slot)
        found += [(("documents", index, f), m) for f, m in _document(doc)]
    # A confidential document marked 'constancia' is replaced, in its own slot, by a constancia
    # that secop-robot generates (robot/documents/prepare.py, constancia.py).
    return found


def _document(doc: Document) -> Iterator[tuple[str, str]]:
    suffix = doc.path.lower().rsplit(".", 1)[-1]
    if doc.confidential and doc.marking is None:
        yield "marking", "un documento confidencial necesita marking: watermark o constancia"
    if not doc.confidential and doc.marking is not None:
        yield "marking", "solo aplica con confidential: true"
    if "image_output" in doc.model_fields_set and suffix not in {"jpg", "jpeg", "png"}:
        yield "image_output", "solo aplica a imágenes JPG o PNG"
    if doc.password is not None and suffix != "pdf":
        yield "password", "solo aplica a documentos PDF cifrados"


# --- mailbox ----------------------------------------------------------------------------------


def _mailbox(parts: Parts) -> list[Finding]:
    return [] if parts.mailbox is None else mailbox_findings(parts.mailbox, parts.users)


def mailbox_findings(box: Mailbox, users: list[tuple[Loc, User]], owner: str = "") -> list[Finding]:
    """Every user whose e-mail would not land in ``box`` (when the mailbox says what it gets).

    ``owner`` completes the mailbox's name in the message (`` del escenario x.yaml``).
    """
    found: list[Finding] = []
    for loc, user in users:
        if box.receives(user.email) is False:
            found.append(
                (
                    (*loc, "email"),
                    f"el correo {user.email} no llega al buzón {box.address or box.user}{owner}; "
                    "use la dirección del buzón o una +etiqueta de ella",
                )
            )
    return found
