"""Scenarios: a batch of profiles run against one portal (``scenarios/*.yaml``).

Validated like profiles: unknown keys are errors, every problem is ``file:line: field: message``.
Paths (profiles, output) are relative to the scenario file. An invalid scenario still has its
profiles checked (:func:`check_scenario`): all problems at once.

Mailbox precedence for a supplier (see :meth:`Scenario.mailbox_for`): with the bundled mock,
the mock's own mail stack unless the scenario names a mailbox; with a real portal, the
profile's own ``mailbox`` first, then the scenario's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from robot import portal_rules, secrets
from robot.errors import ConfigError, Problem, ScenarioError
from robot.inputfiles import kind_problem
from robot.mock_portal.faults import FaultConfig
from robot.profiles import checks, files
from robot.profiles.batch import duplicate_problems
from robot.profiles.fields import NUMBER_AS_TEXT, Secret, Username, check_visible
from robot.profiles.loader import Checked, check_profile
from robot.profiles.messages import problems_from
from robot.profiles.models import Mailbox, Profile, Strict
from robot.profiles.paths import display_path, expand, is_file, matches, resolved
from robot.profiles.yamlsource import Loc, YamlDocument, read_yaml

Step = Literal["user", "account", "additional_users"]
STEPS: tuple[Step, ...] = ("user", "account", "additional_users")


class MockSettings(Strict):
    """Overrides of the mock portal's settings (``robot.settings``, ``portal.*``)."""

    # The ranges of the settings these override (robot.settings): no inf, no nan, no 0.
    token_ttl_hours: int | None = Field(
        None, ge=1, le=8760, description="Horas de validez del enlace"
    )
    session_ttl_seconds: int | None = Field(
        None, ge=1, le=7 * 86400, description="Segundos de sesión inactiva"
    )
    max_upload_mb: float | None = Field(
        None, ge=0.01, le=1024, description="Tamaño máximo de un documento, en MB"
    )
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


class ProbeAccountRef(Strict):
    """The test account the drift probe logs in with (docs/probe.md): the administrator of a
    draft supplier account kept for probing, never finalized. With the bundled mock it is
    created when the mock starts."""

    username: Username = Field(
        description="Usuario administrador del borrador de cuenta de proveedor de sondeo"
    )
    password: Secret = Field(
        description="Su contraseña: una referencia ${VARIABLE} o file:ruta, nunca en claro"
    )


class Scenario(Strict):
    """A batch: which portal, which profiles, how many at once, which steps, where to write."""

    name: Annotated[str, AfterValidator(check_visible), NUMBER_AS_TEXT] = Field(
        min_length=1, max_length=80, description="Nombre del lote"
    )
    portal: Portal = Field(description="Portal: mock o base_url")
    mailbox: Mailbox | None = Field(
        None, description="Buzón compartido por los perfiles que no traen el suyo"
    )
    profiles: list[Annotated[str, NUMBER_AS_TEXT]] = Field(
        min_length=1, description="Perfiles: rutas, carpetas o patrones, relativos al escenario"
    )
    concurrency: int = Field(1, ge=1, le=16, description="Proveedores en paralelo")
    steps: list[Step] = Field(
        default_factory=lambda: list(STEPS),
        min_length=1,
        description="Pasos: user, account, additional_users",
    )
    output: Annotated[str, NUMBER_AS_TEXT] = Field(
        "../reports", min_length=1, description="Carpeta de resultados"
    )
    allow_literal_secrets: bool = Field(
        False, description="Admitir la contraseña IMAP en claro (solo portal simulado)"
    )
    probe_account: ProbeAccountRef | None = Field(
        None,
        description="Cuenta de prueba con la que el sondeo abre el Registro de Proveedor sin"
        " guardar (docs/probe.md)",
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

    def problem(self, loc: Loc, message: str) -> Problem:
        """A Problem placed at the line of ``loc`` in this scenario's file."""
        return YamlDocument(self._display, None, self._lines).problem(loc, message)

    def probe_login(self) -> tuple[str, str] | None:
        """The test account's user name and password (resolved now, registered for masking;
        a missing variable or file is a problem at ``probe_account.password``)."""
        account = self.probe_account
        if account is None:
            return None
        where = self.problem(("probe_account", "password"), "")
        password = secrets.resolve(account.password, base_dir=self.base_dir, where=where)
        return account.username, password

    def mailbox_for(self, profile: Profile) -> Mailbox | None:
        """The mailbox of a supplier's activation mail; None means the mock's own."""
        if self.portal.mock is not None:
            return self.mailbox
        return profile.mailbox or self.mailbox

    def load_profiles(self) -> list[Profile]:
        """Validate the batch's profiles, their fit with this scenario and the batch checks."""
        limit = self.portal.max_upload_mb
        checked = [check_profile(p, display_path(p), limit) for p in self.profile_paths]
        problems = [p for c in checked for p in c.problems] + duplicate_problems(checked)
        problems += fit_problems(_Parts.of(self), checked)
        if problems:
            raise ScenarioError(problems)
        return [c.profile for c in checked if c.profile is not None]


@dataclass
class _Parts:
    """The sections of a scenario that are valid on their own (None: that one is not)."""

    display: str
    base_dir: Path
    portal: Portal | None
    mailbox: Mailbox | None
    profiles: list[tuple[int, str]]  # the items that are text, with their index
    allow_literal_secrets: bool
    steps: list[Step] | None = None
    probe_account: ProbeAccountRef | None = None

    @classmethod
    def of(cls, scenario: Scenario) -> _Parts:
        return cls(
            scenario._display,
            scenario.base_dir,
            scenario.portal,
            scenario.mailbox,
            list(enumerate(scenario.profiles)),
            scenario.allow_literal_secrets,
            list(scenario.steps),
            scenario.probe_account,
        )

    @classmethod
    def partial(cls, doc: YamlDocument, base_dir: Path) -> _Parts:
        data = doc.data
        items = data.get("profiles")
        texts = [
            (i, str(v))
            for i, v in enumerate(items if isinstance(items, list) else [])
            if isinstance(v, str | int) and not isinstance(v, bool) and str(v).strip()
        ]
        return cls(
            doc.file,
            base_dir,
            _valid(Portal, data.get("portal")),
            _valid(Mailbox, data.get("mailbox")),
            [(i, t) for i, t in texts if not _has_controls(t)],
            data.get("allow_literal_secrets") is True,
            probe_account=_valid(ProbeAccountRef, data.get("probe_account")),
        )

    @property
    def max_upload_mb(self) -> float:
        if self.portal is None:
            return portal_rules.DEFAULT_MAX_UPLOAD_MB
        return self.portal.max_upload_mb

    def mailbox_for(self, checked: Checked) -> Mailbox | None:
        """As :meth:`Scenario.mailbox_for`: the scenario's mailbox where it applies."""
        if self.portal is not None and self.portal.mock is not None:
            return self.mailbox
        return None if checked.has_mailbox else self.mailbox


def _valid(model: Any, value: Any) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError:
        return None


def _has_controls(text: str) -> bool:
    from robot.profiles.fields import control_problem

    return control_problem(text) is not None


def fit_problems(parts: _Parts, checked: list[Checked]) -> list[Problem]:
    """Each profile against the scenario: a real portal needs a mailbox and no literal
    passwords; every user's e-mail must reach the scenario's mailbox where it is used."""
    problems = []
    real = parts.portal is not None and parts.portal.base_url is not None
    for item in checked:
        profile_parts = item.parts
        if profile_parts is None:
            continue  # the file could not be read: its own problem says so
        if real and profile_parts.allow_literal_secrets:
            msg = "con un portal real (base_url) no se admiten contraseñas en claro"
            problems.append(item.problem(("allow_literal_secrets",), msg))
        box = parts.mailbox_for(item)
        if real and box is None and not item.has_mailbox:
            msg = "falta el buzón: agréguelo al perfil o al escenario (mailbox)"
            problems.append(item.problem(("mailbox",), msg))
        if box is not None:
            owner = f" del escenario {parts.display}"
            found = checks.mailbox_findings(box, profile_parts.users, owner)
            problems += [item.problem(loc, msg) for loc, msg in found]
    return problems


@dataclass
class ScenarioCheck:
    """A scenario file after every check: its own problems, its profiles, their fit."""

    path: Path
    display: str
    scenario: Scenario | None = None
    problems: list[Problem] = field(default_factory=list)  # the scenario's and the fit's
    profiles: list[Checked] = field(default_factory=list)


ProfileCheck = Callable[[Path, str, float], Checked]


def _check_one(path: Path, display: str, max_upload_mb: float) -> Checked:
    return check_profile(path, display, max_upload_mb)


def load_scenario(path: Path | str) -> Scenario:
    """Read and validate a scenario (not its profiles: see :meth:`Scenario.load_profiles`)."""
    display = str(path)
    doc = _read(Path(path), display)
    scenario, problems = _validate(Path(path), doc)
    if scenario is None or problems:
        raise ScenarioError(problems)
    return scenario


def _read(path: Path, display: str) -> YamlDocument:
    try:
        return read_yaml(path, display)
    except ConfigError as err:
        raise ScenarioError(err.problems) from None


def _validate(path: Path, doc: YamlDocument) -> tuple[Scenario | None, list[Problem]]:
    problems = list(doc.problems)
    try:
        scenario = Scenario.model_validate(doc.data)
    except ValidationError as err:
        problems += problems_from(err, doc, Scenario)
        parts = _Parts.partial(doc, _resolved_parent(path))
        return None, sorted(problems + _scenario_problems(parts, doc), key=_order)
    scenario._source = resolved(path)
    scenario._display = doc.file
    scenario._lines = doc.lines
    problems += _scenario_problems(_Parts.of(scenario), doc)
    return scenario, sorted(problems, key=_order)


def _resolved_parent(path: Path) -> Path:
    return resolved(path).parent


def _order(problem: Problem) -> int:
    return problem.line or 0


def check_scenario(
    path: Path,
    display: str | None = None,
    doc: YamlDocument | None = None,
    check: ProfileCheck = _check_one,
) -> ScenarioCheck:
    """Every check of a scenario and of its profiles, even when the scenario is invalid.

    Never raises. The batch checks (duplicates) are left to the caller, who may join several
    scenarios and profiles in one batch (``secop-robot validate``).
    """
    display = str(path) if display is None else display
    result = ScenarioCheck(path, display)
    if doc is None:
        try:
            doc = read_yaml(path, display)
        except ConfigError as err:
            result.problems = err.problems
            return result
    result.scenario, result.problems = _validate(path, doc)
    parts = (
        _Parts.of(result.scenario)
        if result.scenario is not None
        else _Parts.partial(doc, _resolved_parent(path))
    )
    files = expand([item for _, item in parts.profiles], parts.base_dir)
    result.profiles = [check(p, display_path(p), parts.max_upload_mb) for p in files]
    result.problems += fit_problems(parts, result.profiles)
    return result


def _no_file(item: str, base_dir: Path) -> str:
    """Why ``item`` names no profile: nothing there, or something that is not a file."""
    try:
        mode = os.stat(base_dir / item).st_mode
    except (OSError, ValueError):
        return f"«{item}» no corresponde a ningún archivo (relativo al escenario)"
    return f"«{item}»: {kind_problem(mode) or 'no se puede leer'}"


def _scenario_problems(parts: _Parts, doc: YamlDocument) -> list[Problem]:
    problems = []
    if parts.steps is not None and len(set(parts.steps)) != len(parts.steps):
        problems.append(doc.problem(("steps",), "hay pasos repetidos"))
    for index, item in parts.profiles:
        if not [p for p in matches(item, parts.base_dir) if is_file(p)]:
            msg = _no_file(item, parts.base_dir)
            problems.append(doc.problem(("profiles", index), msg))
    mock = None if parts.portal is None else parts.portal.mock
    existing = (mock.settings.existing_suppliers if mock is not None else None) or []
    for index, item in enumerate(existing):
        if not is_file(parts.base_dir / item):
            loc = ("portal", "mock", "settings", "existing_suppliers", index)
            problems.append(doc.problem(loc, _no_file(item, parts.base_dir)))
    box = parts.mailbox
    if box is not None and box.ca_file is not None:  # a regular PEM file within its limit
        message = files.ca_file_problem(parts.base_dir / box.ca_file, box.ca_file)
        if message:
            problems.append(doc.problem(("mailbox", "ca_file"), message))
    literal = box is not None and not secrets.is_reference(box.password)
    if box is not None and literal:
        secrets.register_secret(box.password)
    if literal and not parts.allow_literal_secrets:
        msg = "contraseña escrita en claro; use una referencia ${VARIABLE} o file:ruta"
        problems.append(doc.problem(("mailbox", "password"), msg))
    account = parts.probe_account
    if account is not None and not secrets.is_reference(account.password):
        secrets.register_secret(account.password)
        if not parts.allow_literal_secrets:
            msg = "contraseña escrita en claro; use una referencia ${VARIABLE} o file:ruta"
            problems.append(doc.problem(("probe_account", "password"), msg))
    real = parts.portal is not None and parts.portal.base_url is not None
    if parts.allow_literal_secrets and real:
        msg = "con un portal real (base_url) no se admiten contraseñas en claro"
        problems.append(doc.problem(("allow_literal_secrets",), msg))
    return problems
