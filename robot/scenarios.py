"""Scenarios: a batch of profiles run against one portal (``scenarios/*.yaml``).

Validated like profiles: unknown keys are errors, every problem is ``file:line: field: message``.
Paths (profiles, output) are relative to the scenario file.

Mailbox precedence for a supplier (see :meth:`Scenario.mailbox_for`): with the bundled mock,
the mock's own mail stack unless the scenario names a mailbox; with a real portal, the
profile's own ``mailbox`` first, then the scenario's.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator

from robot import portal_rules, secrets
from robot.errors import ConfigError, Problem, ProfileError, ScenarioError
from robot.mock_portal.faults import FaultConfig
from robot.profiles.loader import expand, load_profiles
from robot.profiles.messages import problems_from
from robot.profiles.models import Mailbox, Profile, Strict
from robot.profiles.yamlsource import Loc, YamlDocument, read_yaml

Step = Literal["user", "account", "additional_users"]
STEPS: tuple[Step, ...] = ("user", "account", "additional_users")


class MockSettings(Strict):
    """Overrides of the mock portal's settings (``robot.settings``, ``portal.*``)."""

    token_ttl_hours: int | None = Field(None, ge=1, description="Horas de validez del enlace")
    session_ttl_seconds: int | None = Field(None, ge=1, description="Segundos de sesión inactiva")
    max_upload_mb: float | None = Field(None, gt=0, description="Tamaño máximo de un documento")
    state_endpoint: bool | None = Field(None, description="Servir el volcado JSON /_state")
    existing_suppliers: list[str] | None = Field(
        None,
        description="Perfiles de proveedores que ya existen en el portal al iniciar "
        "(rutas relativas al escenario)",
    )


class MockPortal(Strict):
    """Start the bundled mock portal and its mail stack."""

    mail_backend: Literal["auto", "pymap", "dovecot"] = Field(
        "auto", description="Servidor IMAP del simulador: auto, pymap o dovecot"
    )
    faults: FaultConfig = Field(
        default_factory=FaultConfig, description="Fallas simuladas (PORTAL.md 3.8)"
    )
    settings: MockSettings = Field(
        default_factory=MockSettings, description="Ajustes del portal simulado"
    )


class Portal(Strict):
    """Either the bundled mock (``mock``) or a real portal (``base_url``)."""

    mock: MockPortal | None = Field(None, description="Usar el portal simulado incluido")
    base_url: str | None = Field(
        None, description="URL de un portal real, p. ej. https://community.secop.gov.co"
    )

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?", value):
            raise ValueError("URL no válida; debe empezar por https://")
        return value.rstrip("/") if value else value

    @model_validator(mode="after")
    def _one(self) -> Portal:
        if (self.mock is None) == (self.base_url is None):
            raise ValueError("indique exactamente uno: mock (portal simulado) o base_url")
        return self

    @property
    def max_upload_mb(self) -> float:
        if self.mock is not None and self.mock.settings.max_upload_mb is not None:
            return self.mock.settings.max_upload_mb
        return portal_rules.DEFAULT_MAX_UPLOAD_MB


class Scenario(Strict):
    """A batch: which portal, which profiles, how many at once, which steps, where to write."""

    name: str = Field(min_length=1, max_length=80, description="Nombre del lote")
    portal: Portal = Field(description="Portal: mock o base_url")
    mailbox: Mailbox | None = Field(
        None, description="Buzón compartido por los perfiles que no traen el suyo"
    )
    profiles: list[str] = Field(
        min_length=1, description="Perfiles: rutas, carpetas o patrones, relativos al escenario"
    )
    concurrency: int = Field(1, ge=1, le=16, description="Proveedores en paralelo")
    steps: list[Step] = Field(
        default_factory=lambda: list(STEPS),
        min_length=1,
        description="Pasos: user, account, additional_users",
    )
    output: str = Field("../reports", min_length=1, description="Carpeta de resultados")
    allow_literal_secrets: bool = Field(
        False, description="Admitir la contraseña IMAP en claro (solo portal simulado)"
    )

    _source: Path = PrivateAttr(default=Path("escenario.yaml"))
    _lines: dict[Loc, int] = PrivateAttr(default_factory=dict)
    _display: str = PrivateAttr(default="escenario.yaml")

    @property
    def source(self) -> Path:
        return self._source

    @property
    def base_dir(self) -> Path:
        return self._source.parent

    @property
    def output_dir(self) -> Path:
        """The output folder, resolved against the scenario file."""
        return (self.base_dir / self.output).resolve()

    @property
    def profile_paths(self) -> list[Path]:
        """The profile files named by ``profiles`` (globs and folders expanded)."""
        return expand(self.profiles, self.base_dir)

    def mailbox_for(self, profile: Profile) -> Mailbox | None:
        """The mailbox of a supplier's activation mail; None means the mock's own."""
        if self.portal.mock is not None:
            return self.mailbox
        return profile.mailbox or self.mailbox

    def load_profiles(self) -> list[Profile]:
        """Validate the batch's profiles (and their fit with this scenario)."""
        try:
            profiles = load_profiles(self.profile_paths, max_upload_mb=self.portal.max_upload_mb)
        except ProfileError as err:
            raise ScenarioError(err.problems) from None
        problems = self._fit(profiles)
        if problems:
            raise ScenarioError(problems)
        return profiles

    def _fit(self, profiles: list[Profile]) -> list[Problem]:
        problems = []
        for profile in profiles:
            if self.portal.base_url is None:
                continue
            if profile.allow_literal_secrets:
                msg = "con un portal real (base_url) no se admiten contraseñas en claro"
                problems.append(profile.problem(("allow_literal_secrets",), msg))
            if self.mailbox_for(profile) is None:
                msg = "falta el buzón: agréguelo al perfil o al escenario (mailbox)"
                problems.append(profile.problem(("mailbox",), msg))
        return problems


def load_scenario(path: Path | str) -> Scenario:
    """Read and validate a scenario (not its profiles: see :meth:`Scenario.load_profiles`)."""
    display = str(path)
    try:
        doc = read_yaml(Path(path), display)
    except ConfigError as err:
        raise ScenarioError(err.problems) from None
    try:
        scenario = Scenario.model_validate(doc.data)
    except ValidationError as err:
        raise ScenarioError(problems_from(err, doc, Scenario)) from None
    scenario._source = Path(path).resolve()
    scenario._display = display
    scenario._lines = doc.lines
    problems = _scenario_problems(scenario, doc)
    if problems:
        raise ScenarioError(problems)
    return scenario


def _scenario_problems(scenario: Scenario, doc: YamlDocument) -> list[Problem]:
    problems = []
    if len(set(scenario.steps)) != len(scenario.steps):
        problems.append(doc.problem(("steps",), "hay pasos repetidos"))
    for index, item in enumerate(scenario.profiles):
        if not [p for p in expand([item], scenario.base_dir) if p.is_file()]:
            msg = f"«{item}» no corresponde a ningún archivo (relativo al escenario)"
            problems.append(doc.problem(("profiles", index), msg))
    box = scenario.mailbox
    literal = box is not None and not secrets.is_reference(box.password)
    if literal and not scenario.allow_literal_secrets:
        msg = "contraseña escrita en claro; use una referencia ${VARIABLE} o file:ruta"
        problems.append(doc.problem(("mailbox", "password"), msg))
    if scenario.allow_literal_secrets and scenario.portal.base_url is not None:
        msg = "con un portal real (base_url) no se admiten contraseñas en claro"
        problems.append(doc.problem(("allow_literal_secrets",), msg))
    return problems
