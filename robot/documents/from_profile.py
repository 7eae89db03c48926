"""The adapter from a validated profile (robot.profiles) to the pipeline's small inputs."""

from __future__ import annotations

from collections.abc import Mapping

from robot import secrets
from robot.documents.model import DocumentSpec, SupplierFacts
from robot.errors import Problem
from robot.portal_rules import DOCUMENT_SLOTS
from robot.profiles import Profile


def supplier_from_profile(profile: Profile) -> SupplierFacts:
    supplier = profile.supplier
    rep = supplier.legal_representative
    return SupplierFacts(
        razon_social=supplier.legal_name,
        nit=supplier.nit_number,
        dv=supplier.check_digit,
        representante_nombre=f"{rep.first_name} {rep.last_name}",
        representante_tipo_id=rep.id_type,
        representante_numero=rep.id_number,
        ciudad=supplier.municipio or supplier.city or supplier.departamento or "",
    )


def specs_from_profile(
    profile: Profile, *, environ: Mapping[str, str] | None = None
) -> list[DocumentSpec]:
    """One spec per document, paths made absolute, passwords resolved (and masked in logs)."""
    specs = []
    for index, doc in enumerate(profile.documents):
        password = None
        if doc.password:
            where = Problem(profile.display_name, None, f"documents[{index}].password", "")
            password = secrets.resolve(
                doc.password, base_dir=profile.base_dir, environ=environ, where=where
            )
        specs.append(
            DocumentSpec(
                slot=doc.slot,
                path=profile.document_path(doc),
                confidential=doc.confidential,
                marking=doc.marking or "watermark",
                image_output=doc.image_output,
                password=password,
                max_pages=DOCUMENT_SLOTS[doc.slot].max_pages,
            )
        )
    return specs
