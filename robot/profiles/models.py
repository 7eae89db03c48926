"""The profile format: one supplier per YAML file. Unknown keys are errors.

Keys are English snake_case; values (names, addresses, messages) are Spanish. Every field has a
description: ``secop-robot schema`` turns them into the JSON Schema and ``docs/schema/*.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, field_validator

from robot import portal_rules
from robot.documents.template import WatermarkTemplate
from robot.errors import Problem
from robot.profiles.fields import (
    CONSENT_MESSAGES,
    CompanySize,
    Country,
    Departamento,
    Email,
    IdNumber,
    IdType,
    Language,
    Nit,
    OrganizationType,
    Phone,
    Secret,
    Slot,
    Text,
    TimeZone,
    Unspsc,
    Url,
    Username,
    consent,
    control_problem,
)
from robot.profiles.yamlsource import Loc, YamlDocument


class Strict(BaseModel):
    """Base of every input model: unknown keys are errors; numbers are accepted as text."""

    model_config = ConfigDict(
        extra="forbid",
        coerce_numbers_to_str=True,
        str_strip_whitespace=True,
        frozen=True,
        allow_inf_nan=False,  # .inf and .nan are no number a person means
    )

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        """No text field holds a control character (a NUL in a path, a newline in a name).

        Checked on the value as written, before any field turns it into something clean
        (a phone number, an e-mail); only the spaces and line ends around it are forgiven.
        """
        problem = control_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value


class Person(Strict):
    first_name: Text = Field(description="Nombre(s)")
    last_name: Text = Field(description="Apellido(s)")
    id_type: IdType = Field(description="Tipo de identificación: CC, CE, PA (pasaporte) o TI")
    id_number: IdNumber = Field(description="Número de identificación, sin puntos")
    phone: Phone = Field(
        description="Teléfono: celular o fijo colombiano, o +indicativo de otro país"
    )
    email: Email = Field(description="Correo electrónico")


class User(Person):
    """A user of the portal: everything the *Registrar usuario* form asks (PORTAL.md 3.2)."""

    email: Email = Field(
        description="Correo con el que se registra y al que llega la activación; puede ser una "
        "dirección con +etiqueta del buzón (tramites+acme-admin@consultora.com.co)"
    )
    position: Text | None = Field(None, description="Cargo (opcional)")
    language: Language = Field(portal_rules.DEFAULT_LANGUAGE, description="Idioma del portal")
    time_zone: TimeZone = Field(portal_rules.DEFAULT_TIME_ZONE, description="Zona horaria")
    username: Username = Field(description=f"Nombre de usuario: {portal_rules.USERNAME_RULE}")
    password: Secret = Field(
        description="Contraseña como referencia: ${VARIABLE} o file:ruta. Política del portal: "
        + portal_rules.PASSWORD_RULE,
        repr=False,
    )
    accept_terms: bool = consent(
        "accept_terms",
        "La persona acepta los términos y condiciones de uso del SECOP II (casilla del "
        "formulario Registrar usuario): debe ser true",
    )
    data_policy_consent: bool = consent(
        "data_policy_consent",
        "La persona autoriza el tratamiento de sus datos personales (Ley 1581 de 2012; casilla "
        "del formulario Registrar usuario): debe ser true",
    )

    registration: Literal["self", "administrator"] = Field(
        "self",
        description="Cómo entra a la cuenta: self (se registra en Registrar usuario y solicita "
        "acceso, que el administrador acepta) o administrator (el administrador lo crea en "
        "Administración de usuarios > Crear y la persona elige su contraseña desde el correo); "
        "administrator solo para usuarios adicionales",
    )

    @field_validator("accept_terms", "data_policy_consent")
    @classmethod
    def _consented(cls, value: bool, info: ValidationInfo) -> bool:
        if value is not True:
            raise ValueError(CONSENT_MESSAGES[str(info.field_name)])
        return value


class LegalRepresentative(Person):
    """The *Representante legal* block of the supplier form (mandatory)."""


class Financial(Strict):
    """*Información financiera* (optional), in Colombian pesos."""

    fiscal_year: int = Field(ge=1990, le=2100, description="Año del corte de los estados")
    total_assets: int = Field(ge=0, description="Activo total")
    current_assets: int = Field(ge=0, description="Activo corriente")
    total_liabilities: int = Field(ge=0, description="Pasivo total")
    current_liabilities: int = Field(ge=0, description="Pasivo corriente")
    equity: int = Field(description="Patrimonio")
    operating_income: int = Field(description="Utilidad operacional")
    net_income: int | None = Field(None, description="Utilidad neta (opcional)")


class Supplier(Strict):
    """The supplier account (*Registro de Proveedor*, PORTAL.md 3.5)."""

    person_type: Literal["natural", "juridica"] = Field(
        description="Tipo de persona: natural o juridica"
    )
    origin: Literal["nacional", "extranjero"] = Field(
        "nacional", description="Proveedor nacional o extranjero"
    )
    organization_type: OrganizationType = Field(
        description="Tipo de organización (del formulario del portal)"
    )
    legal_name: Text = Field(
        description="Razón social (el portal la pide como «Nombre de la Entidad»)"
    )
    short_name: Text = Field(description="Nombre abreviado (se recomiendan mayúsculas)")
    nit: Nit = Field(
        description="NIT con dígito de verificación: 900123456-8 (los puntos son opcionales)"
    )
    foreign_tax_id: Text | None = Field(
        None, description="Identificación tributaria del país de origen (solo extranjeros)"
    )
    address: Text = Field(description="Dirección")
    country: Country = Field("CO", description="País, código ISO de dos letras")
    departamento: Departamento | None = Field(
        None, description="Departamento (nombre o código DANE); solo en Colombia"
    )
    municipio: Text | None = Field(
        None, description="Municipio del departamento (nombre o código DANE); solo en Colombia"
    )
    city: Text | None = Field(None, description="Ciudad (solo fuera de Colombia)")
    phone: Phone = Field(description="Teléfono del proveedor")
    email: Email = Field(description="Correo electrónico para notificaciones SECOP")
    website: Url | None = Field(None, description="Sitio web (opcional)")
    company_size: CompanySize = Field(
        description="Tamaño de empresa; micro, pequena y mediana son MiPyme"
    )
    unspsc_main: Unspsc = Field(
        description="Código UNSPSC principal (8 dígitos, Clasificador v14.1)"
    )
    unspsc_others: list[Unspsc] = Field(
        default_factory=list, description="Otros códigos UNSPSC", max_length=100
    )
    legal_representative: LegalRepresentative = Field(description="Representante legal")
    financial: Financial | None = Field(None, description="Información financiera (opcional)")

    @property
    def nit_number(self) -> str:
        """The NIT without its check digit, as the portal's Nit field wants it."""
        return self.nit.split("-")[0]

    @property
    def check_digit(self) -> str:
        return self.nit.split("-")[1]

    @property
    def is_mipyme(self) -> bool:
        return self.company_size in portal_rules.MIPYME_SIZES


class Document(Strict):
    """One document to attach in the supplier form."""

    slot: Slot = Field(
        description="Casilla del formulario: rut, existencia, cedula_representante, "
        "estados_financieros o experiencia. Una constancia de confidencialidad no tiene casilla "
        "propia: va en la casilla del documento confidencial (marking: constancia)"
    )
    path: Text = Field(description="Archivo PDF, JPG o PNG, relativo al perfil")
    confidential: bool = Field(False, description="¿Documento confidencial?")
    marking: Literal["watermark", "constancia"] | None = Field(
        None,
        description="Si es confidencial: watermark (marca de agua «uso exclusivo SECOP II») "
        "o constancia (en la casilla del documento se adjunta, en su lugar, una constancia de "
        "confidencialidad generada; el documento no se publica)",
    )
    image_output: Literal["image", "pdf"] = Field(
        "image", description="Para JPG/PNG con marca de agua: conservar imagen o convertir a PDF"
    )
    password: Secret | None = Field(
        None,
        description="Contraseña de un PDF cifrado, como referencia ${VARIABLE} (opcional)",
        repr=False,
    )


class Mailbox(Strict):
    """The IMAP mailbox where activation mail arrives."""

    host: Text = Field(description="Servidor IMAP")
    port: int = Field(ge=1, le=65535, description="Puerto IMAP (993 con ssl, 143 con starttls)")
    tls: Literal["ssl", "starttls", "none"] = Field(
        "ssl", description="ssl (TLS implícito), starttls o none (solo para pruebas locales)"
    )
    user: Text = Field(description="Usuario IMAP")
    password: Secret = Field(
        description="Contraseña IMAP como referencia ${VARIABLE} o file:ruta", repr=False
    )
    ca_file: Text | None = Field(
        None, description="Certificado de la CA (PEM) para un servidor propio, relativo al archivo"
    )
    folder: Text = Field("INBOX", description="Carpeta donde llega el correo")
    address: Email | None = Field(
        None,
        description="Dirección del buzón: los usuarios se registran con ella "
        "o con una +etiqueta de ella",
    )
    catch_all_domain: Text | None = Field(
        None, description="Dominio cuyo correo llega entero a este buzón (p. ej. proveedores.test)"
    )

    def receives(self, email: str) -> bool | None:
        """Whether mail to ``email`` lands here; None when the mailbox does not say."""
        if self.address is None and self.catch_all_domain is None:
            return None
        local, _, domain = email.lower().rpartition("@")
        if self.catch_all_domain and domain == self.catch_all_domain.lower():
            return True
        if self.address:
            box_local, _, box_domain = self.address.lower().rpartition("@")
            return domain == box_domain and local.split("+")[0] == box_local
        return False


class Profile(Strict):
    """One supplier: its account, its users, its documents and its mailbox."""

    allow_literal_secrets: bool = Field(
        False, description="Admitir contraseñas escritas en claro (solo para el portal simulado)"
    )
    if_exists: Literal["request_access", "stop"] = Field(
        "stop",
        description="Si el NIT ya existe en el portal: request_access (solicitar acceso) o stop",
    )
    supplier: Supplier = Field(description="El proveedor")
    administrator: User = Field(description="Usuario administrador (el primero que se registra)")
    additional_users: list[User] = Field(
        default_factory=list, description="Usuarios adicionales", max_length=50
    )
    documents: list[Document] = Field(description="Documentos del registro", max_length=30)
    watermark_text: WatermarkTemplate | None = Field(
        None,
        description="Texto de la marca de agua de los documentos confidenciales, con los campos "
        "{razon_social}, {nit} y {fecha}; si falta: " + portal_rules.WATERMARK_TEXT,
    )
    mailbox: Mailbox | None = Field(
        None,
        description="Buzón IMAP de la activación; si falta, se usa el del escenario "
        "(o el del portal simulado)",
    )

    @field_validator("administrator")
    @classmethod
    def _registers_alone(cls, value: User) -> User:
        if value.registration != "self":
            raise ValueError(
                "el administrador se registra él mismo: quite registration o use self "
                "(administrator es para usuarios adicionales)"
            )
        return value

    _source: Path = PrivateAttr(default=Path("perfil.yaml"))
    _display: str = PrivateAttr(default="perfil.yaml")
    _lines: dict[Loc, int] = PrivateAttr(default_factory=dict)

    @property
    def source(self) -> Path:
        """The profile file."""
        return self._source

    @property
    def display_name(self) -> str:
        """The file as the person named it (used in messages)."""
        return self._display

    @property
    def base_dir(self) -> Path:
        """Folder that relative paths (documents, ca_file, file: secrets) start from."""
        return self._source.parent

    @property
    def users(self) -> list[User]:
        """The administrator first, then the additional users."""
        return [self.administrator, *self.additional_users]

    def document_path(self, document: Document) -> Path:
        """Absolute path of a document (its ``path`` is relative to the profile)."""
        return (self.base_dir / document.path).resolve()

    def problem(self, loc: Loc, message: str) -> Problem:
        """A Problem placed at the line of ``loc`` in this profile's file."""
        doc = YamlDocument(self._display, None, self._lines)
        return doc.problem(loc, message)
