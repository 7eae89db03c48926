"""Scenarios: same strictness as profiles; paths relative to the scenario file."""

from __future__ import annotations

from pathlib import Path

import pytest

from robot.errors import ScenarioError
from robot.scenarios import load_scenario

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "profiles"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lote.yaml"
    path.write_text(text, encoding="utf-8")
    return path


MOCK = f"""\
name: pruebas
portal:
  mock:
    mail_backend: pymap
    faults: {{seed: 7, error_rate: 0.1}}
    settings: {{max_upload_mb: 5, token_ttl_hours: 1}}
profiles: ["{DATA}/valid/*.yaml"]
concurrency: 2
steps: [user, account]
output: salida
"""


def test_mock_scenario(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, MOCK))
    mock = scenario.portal.mock
    assert mock is not None
    assert mock.faults.seed == 7 and mock.faults.error_rate == 0.1
    assert mock.settings.model_dump(exclude_none=True) == {"token_ttl_hours": 1, "max_upload_mb": 5}
    assert scenario.output_dir == tmp_path / "salida"
    assert scenario.profile_paths == [DATA / "valid" / "empresa-pruebas.yaml"]
    profiles = scenario.load_profiles()
    assert scenario.mailbox_for(profiles[0]) is None  # the mock's own mailbox


def test_sample_scenario_against_a_real_portal() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "consultora-real.yaml")
    assert scenario.portal.base_url == "https://community.secop.gov.co"
    profiles = scenario.load_profiles()
    assert len(profiles) == 5
    assert all(scenario.mailbox_for(p) is scenario.mailbox for p in profiles)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("    mail_backend: pymap\n", "    mail_backend: exim\n"),
            [
                "lote.yaml:4: portal.mock.mail_backend: valor no permitido «exim»; "
                "use uno de: auto, pymap, dovecot"
            ],
        ),
        (
            ("error_rate: 0.1", "error_rate: 2"),
            ["lote.yaml:5: portal.mock.faults.error_rate: debe ser menor o igual que 1"],
        ),
        (
            ("error_rate: 0.1", "eror_rate: 0.1"),
            [
                "lote.yaml:5: portal.mock.faults.eror_rate: campo desconocido; "
                "¿quiso decir «error_rate»?"
            ],
        ),
        (
            ("portal:\n", "portal:\n  base_url: https://x.test\n"),
            ["lote.yaml:2: portal: indique exactamente uno: mock (portal simulado) o base_url"],
        ),
        (
            ("concurrency: 2", "concurrency: 0"),
            ["lote.yaml:8: concurrency: debe ser mayor o igual que 1"],
        ),
        (
            ("steps: [user, account]", "steps: [user, user, pagar]"),
            [
                "lote.yaml:9: steps[2]: valor no permitido «pagar»; use uno de: user, account, "
                "additional_users"
            ],
        ),
        (
            ("steps: [user, account]", "steps: [user, user]"),
            ["lote.yaml:9: steps: hay pasos repetidos"],
        ),
        (
            ("valid/*.yaml", "nada/*.yaml"),
            [
                f"lote.yaml:7: profiles[0]: «{DATA}/nada/*.yaml» no corresponde a ningún archivo "
                "(relativo al escenario)"
            ],
        ),
    ],
)
def test_invalid_scenarios(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: tuple[str, str], expected: list[str]
) -> None:
    assert edit[0] in MOCK
    write(tmp_path, MOCK.replace(*edit))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as info:
        load_scenario("lote.yaml")
    assert [str(p) for p in info.value.problems] == expected


def test_real_portal_needs_a_mailbox_and_no_literal_secrets(tmp_path: Path) -> None:
    profile_text = (DATA / "valid" / "empresa-pruebas.yaml").read_text(encoding="utf-8")
    profile_text = profile_text.replace("../docs/", f"{DATA}/docs/")
    profile_text = profile_text[: profile_text.index("mailbox:")]
    profile_text = "allow_literal_secrets: true\n" + profile_text
    (tmp_path / "p.yaml").write_text(profile_text, encoding="utf-8")
    path = write(
        tmp_path, "name: real\nportal:\n  base_url: https://portal.test\nprofiles: [p.yaml]\n"
    )
    scenario = load_scenario(path)
    with pytest.raises(ScenarioError) as info:
        scenario.load_profiles()
    display = str(tmp_path / "p.yaml")
    assert [str(p) for p in info.value.problems] == [
        f"{display}:1: allow_literal_secrets: con un portal real (base_url) no se admiten "
        "contraseñas en claro",
        f"{display}:1: mailbox: falta el buzón: agréguelo al perfil o al escenario (mailbox)",
    ]
