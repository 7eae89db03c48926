"""Scenarios: same strictness as profiles; paths relative to the scenario file."""

from __future__ import annotations

from pathlib import Path

import pytest

from robot.errors import ScenarioError
from robot.scenarios import check_scenario, load_scenario

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


def valid_profile_text() -> str:
    """The valid test profile, with absolute document paths (usable from any folder)."""
    text = (DATA / "valid" / "empresa-pruebas.yaml").read_text(encoding="utf-8")
    return text.replace("../docs/", f"{DATA}/docs/")


def test_an_invalid_scenario_still_has_its_profiles_checked(tmp_path: Path) -> None:
    bad_profile = valid_profile_text().replace("nit: 901234560-6", "nit: 901234560-7")
    (tmp_path / "p.yaml").write_text(bad_profile, encoding="utf-8")
    path = write(tmp_path, "name: x\nportal:\n  mock: {}\nprofiles: [p.yaml]\nconcurrency: 0\n")
    result = check_scenario(path)
    assert result.scenario is None
    assert [str(p) for p in result.problems] == [
        f"{path}:5: concurrency: debe ser mayor o igual que 1"
    ]
    assert [str(p) for c in result.profiles for p in c.problems] == [
        f"{tmp_path / 'p.yaml'}:9: supplier.nit: el dígito de verificación no corresponde "
        "(esperado 6)"
    ]


def test_the_scenario_mailbox_must_receive_every_users_email(tmp_path: Path) -> None:
    profile = valid_profile_text()
    profile = profile[: profile.index("mailbox:")]  # the scenario's mailbox is used
    (tmp_path / "p.yaml").write_text(profile, encoding="utf-8")
    path = write(
        tmp_path,
        "name: x\nportal:\n  mock: {}\nprofiles: [p.yaml]\nmailbox:\n  host: h\n  port: 993\n"
        "  user: u\n  password: ${X}\n  address: buzon@consultora.test\n",
    )
    scenario = load_scenario(path)
    with pytest.raises(ScenarioError) as info:
        scenario.load_profiles()
    display = str(tmp_path / "p.yaml")
    tail = "no llega al buzón buzon@consultora.test del escenario"
    fix = "use la dirección del buzón o una +etiqueta de ella"
    assert [str(p) for p in info.value.problems] == [
        f"{display}:32: administrator.email: el correo tramites+admin@pruebas.test {tail} "
        f"{path}; {fix}",
        f"{display}:43: additional_users[0].email: el correo tramites+lucia@pruebas.test {tail} "
        f"{path}; {fix}",
    ]
    # A catch-all of the users' domain receives them all.
    write(
        tmp_path,
        path.read_text().replace(
            "address: buzon@consultora.test", "catch_all_domain: pruebas.test"
        ),
    )
    assert len(load_scenario(path).load_profiles()) == 1


def test_a_profile_mailbox_wins_over_the_scenario_one_on_a_real_portal(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(valid_profile_text(), encoding="utf-8")
    path = write(
        tmp_path,
        "name: x\nportal:\n  base_url: https://portal.test\nprofiles: [p.yaml]\nmailbox:\n"
        "  host: h\n  port: 993\n  user: u\n  password: ${X}\n  address: otro@otro.test\n",
    )
    assert len(load_scenario(path).load_profiles()) == 1


def test_a_literal_mailbox_password_in_a_scenario(tmp_path: Path) -> None:
    text = (
        "name: x\nportal:\n  mock: {}\nprofiles: [p.yaml]\nmailbox:\n  host: h\n  port: 993\n"
        "  user: u\n  password: Clave-Buzon-2026\n"
    )
    (tmp_path / "p.yaml").write_text(valid_profile_text(), encoding="utf-8")
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:9: mailbox.password: contraseña escrita en claro; use una referencia "
        "${VARIABLE} o file:ruta"
    ]
    assert "Clave-Buzon-2026" not in str(info.value)
    write(tmp_path, text + "allow_literal_secrets: true\n")
    assert load_scenario(path).mailbox is not None


def test_literal_secrets_are_refused_with_a_real_portal(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(valid_profile_text(), encoding="utf-8")
    path = write(
        tmp_path,
        "name: x\nportal:\n  base_url: https://portal.test\nprofiles: [p.yaml]\n"
        "allow_literal_secrets: true\n",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:5: allow_literal_secrets: con un portal real (base_url) no se admiten "
        "contraseñas en claro"
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('output: "o\\0ut"', "output: contiene un carácter de control o no imprimible (U+0000)"),
        ('name: "a\\u202eb"', "name: contiene un carácter de control o no imprimible (U+202E)"),
        (
            'profiles: [p.yaml, "q\\0.yaml"]',
            "profiles: el elemento [1] contiene un carácter de control o no imprimible (U+0000)",
        ),
    ],
)
def test_control_characters_are_refused_in_scenarios(
    tmp_path: Path, line: str, expected: str
) -> None:
    (tmp_path / "p.yaml").write_text(valid_profile_text(), encoding="utf-8")
    key = line.split(":", maxsplit=1)[0]
    base = {"name": "name: x", "output": "output: salida", "profiles": "profiles: [p.yaml]"}
    text = "name: x\nportal:\n  mock: {}\nprofiles: [p.yaml]\noutput: salida\n"
    path = write(tmp_path, text.replace(base[key], line))
    result = check_scenario(path)
    assert [p.message for p in result.problems] == [expected.split(": ", 1)[1] + "; quítelo"]
    assert [p.field for p in result.problems] == [key]
    assert [c.display for c in result.profiles] == [str(tmp_path / "p.yaml")]  # still checked


def test_a_scenario_batch_rejects_users_shared_by_two_profiles(tmp_path: Path) -> None:
    text = valid_profile_text()
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(text.replace("901234560-6", "900123456-8"), encoding="utf-8")
    path = write(tmp_path, "name: x\nportal:\n  mock: {}\nprofiles: ['*.yaml']\n")
    (tmp_path / "lote.yaml").rename(tmp_path / "lote.yml")  # not one of its own profiles
    scenario = load_scenario(tmp_path / "lote.yml")
    with pytest.raises(ScenarioError) as info:
        scenario.load_profiles()
    assert [p.field for p in info.value.problems] == [
        "administrator.email",
        "administrator.username",
        "additional_users[0].email",
        "additional_users[0].username",
    ]
    assert all(p.file == str(tmp_path / "b.yaml") for p in info.value.problems)
    assert path.name == "lote.yaml"


def test_existing_suppliers_must_name_files(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(valid_profile_text(), encoding="utf-8")
    path = write(
        tmp_path,
        "name: x\nportal:\n  mock:\n    settings:\n      existing_suppliers: [p.yaml, falta.yaml]\n"
        "profiles: [p.yaml]\n",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:5: portal.mock.settings.existing_suppliers[1]: «falta.yaml» no corresponde a "
        "ningún archivo (relativo al escenario)"
    ]
