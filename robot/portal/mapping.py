"""What the robot types into the portal for a profile: one value per field, by the portal's label.

Pure data (no browser): the page objects fill these, ``run --plan`` prints them, and the report
shows them next to what the portal shows back. Password values are never here: a user's
password is resolved only when the form is filled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from robot import portal_rules, refdata
from robot.profiles.models import Profile, Supplier, User


@dataclass(frozen=True)
class FieldValue:
    """One form field: its label on the portal, how it is set, the value and what a person reads."""

    label: str
    kind: str  # text | select | radio | check | lookup
    value: str
    shown: str = ""  # the option text, for selects and radios

    @property
    def display(self) -> str:
        return self.shown or self.value


@dataclass(frozen=True)
class Location:
    """Departamento and municipio as the lupa sets them (DANE codes and names)."""

    departamento_code: str
    departamento_name: str
    municipio_code: str
    municipio_name: str


@dataclass(frozen=True)
class SupplierValues:
    """Every section of Registro de Proveedor for one profile."""

    general: tuple[FieldValue, ...]
    location: Location | None
    unspsc: tuple[str, ...]  # the principal first
    legal_representative: tuple[FieldValue, ...]
    financial: tuple[FieldValue, ...]
    organization_type: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def all_fields(self) -> tuple[FieldValue, ...]:
        return self.general + self.legal_representative + self.financial


def user_fields(user: User) -> tuple[FieldValue, ...]:
    """The personal fields of Registrar usuario (and of an administrator's Crear)."""
    return (
        FieldValue("Nombre(s)", "text", user.first_name),
        FieldValue("Apellido(s)", "text", user.last_name),
        FieldValue(
            "Tipo de identificación",
            "select",
            user.id_type,
            portal_rules.ID_TYPES.get(user.id_type, ""),
        ),
        FieldValue("Número de identificación", "text", user.id_number),
        FieldValue("Correo electrónico", "text", user.email),
        FieldValue("Confirmar correo electrónico", "text", user.email),
        FieldValue("Teléfono", "text", user.phone),
        FieldValue("Cargo", "text", user.position or ""),
        FieldValue("Idioma", "select", user.language),
        FieldValue("Zona horaria", "select", user.time_zone),
        FieldValue("Nombre de usuario", "text", user.username),
    )


def location(supplier: Supplier) -> Location | None:
    if supplier.country != "CO" or not supplier.departamento or not supplier.municipio:
        return None
    found = refdata.find_municipio(supplier.departamento, supplier.municipio)
    if found is None:  # validation refuses such a profile before any browser opens
        return None
    return Location(
        departamento_code=found.codigo_departamento,
        departamento_name=refdata.departamentos()[found.codigo_departamento],
        municipio_code=found.codigo,
        municipio_name=found.nombre,
    )


def supplier_values(profile: Profile) -> SupplierValues:
    s = profile.supplier
    rep = s.legal_representative
    money = s.financial
    general = [
        FieldValue("Nombre de la Entidad Estatal", "text", s.legal_name),
        FieldValue("Nombre Abreviado", "text", s.short_name),
        FieldValue("Nit", "text", s.nit_number),
        FieldValue("Dígito de verificación", "text", s.check_digit),
        FieldValue("Dirección", "text", s.address),
        FieldValue("País", "select", s.country),
    ]
    if s.country != "CO":
        general.append(FieldValue("Ciudad", "text", s.city or ""))
    general += [
        FieldValue("Teléfono", "text", s.phone),
        FieldValue("Correo electrónico para notificaciones SECOP", "text", s.email),
    ]
    if s.website:
        general.append(FieldValue("Sitio web", "text", s.website))
    general += [
        FieldValue(
            "Tamaño de empresa",
            "select",
            s.company_size,
            portal_rules.COMPANY_SIZES.get(s.company_size, ""),
        ),
        FieldValue("¿Es MiPyme?", "radio", "Sí" if s.is_mipyme else "No"),
    ]
    representative = (
        FieldValue("Nombres del representante legal", "text", rep.first_name),
        FieldValue("Apellidos del representante legal", "text", rep.last_name),
        FieldValue(
            "Tipo de documento del representante legal",
            "select",
            rep.id_type,
            portal_rules.ID_TYPES.get(rep.id_type, ""),
        ),
        FieldValue("Número de documento del representante legal", "text", rep.id_number),
        FieldValue("Teléfono del representante legal", "text", rep.phone),
        FieldValue("Correo electrónico del representante legal", "text", rep.email),
    )
    financial: tuple[FieldValue, ...] = ()
    if money is not None:
        financial = (
            FieldValue("Activos totales", "text", str(money.total_assets)),
            FieldValue("Pasivos totales", "text", str(money.total_liabilities)),
            FieldValue("Patrimonio", "text", str(money.equity)),
            FieldValue("Ingresos operacionales", "text", str(money.operating_income)),
            FieldValue("Fecha de corte", "text", f"{money.fiscal_year}-12-31"),
        )
    return SupplierValues(
        general=tuple(general),
        location=location(s),
        unspsc=(s.unspsc_main, *[c for c in s.unspsc_others if c != s.unspsc_main]),
        legal_representative=representative,
        financial=financial,
        organization_type=portal_rules.ORGANIZATION_TYPES.get(s.organization_type, ""),
    )
