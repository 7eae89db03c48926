"""``portal.mock.settings.existing_suppliers``: suppliers already registered when the portal starts.

The sample profile profiles/andina-existente.yaml (``if_exists: request_access``) must find its
NIT on the portal: in Validar (Crear o solicitar acceso a una Entidad) and in the Directorio.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.portal import ROOT, PortalProcess
from tests.mock_portal.web_client import WebClient, new_user, seeded_account, validate_entity

ANDINA = ROOT / "profiles" / "andina-existente.yaml"
NAME, NIT = "Distribuciones Andina Ltda.", "900888321"


def _scenario(tmp_path: Path, existing: list[str]) -> Path:
    sample = os.path.relpath(ROOT / "profiles" / "acme-sas.yaml", tmp_path)
    listed = ", ".join(f'"{item}"' for item in existing)
    path = tmp_path / "con-existentes.yaml"
    path.write_text(
        "name: con-existentes\n"
        "portal:\n"
        "  mock:\n"
        "    mail_backend: pymap\n"
        "    settings:\n"
        "      state_endpoint: true\n"
        f"      existing_suppliers: [{listed}]\n"
        f'profiles: ["{sample}"]\n'
    )
    return path


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> PortalProcess:
    tmp = tmp_path_factory.mktemp("existing")
    running = PortalProcess(["--scenario", str(_scenario(tmp, [os.path.relpath(ANDINA, tmp)]))])
    yield running  # type: ignore[misc]
    running.stop()


def test_validar_finds_the_existing_supplier_by_nit(seeded: PortalProcess) -> None:
    _, username, _ = new_user(seeded, first_name="Diana")
    client = WebClient(seeded.url)
    client.login(username)
    page = validate_entity(client, "", f"{NIT}-5")
    assert NAME in page.text()
    [account] = [a for a in seeded.state()["accounts"] if a["nit"] == NIT]
    assert page.soup.find(id=f"btnRequestAccess{account['id']}") is not None
    assert "Registrar Entidad" not in page.text()


def test_the_directorio_publishes_its_data_and_documents(seeded: PortalProcess) -> None:
    # Documents are for users with access to an account (PORTAL.md 1): log in as one.
    client = WebClient(seeded.url)
    client.login(seeded_account(seeded).admin_username)
    results = client.get(f"/Public/Directory/Index?txtSearch={NIT}")
    page = client.get(results.link(NAME))
    assert page.soup.find(id="lblNit").get_text() == f"{NIT}-5"
    assert page.soup.find(id="lblMunicipio").get_text() == "CALI"
    assert page.soup.find(id="lblUnspscCode").get_text() == "43211500"
    assert page.soup.find(id="lblRepName").get_text() == "Jorge Enrique Valencia"
    rut = (ANDINA.parent / "docs" / "andina-rut.pdf").read_bytes()
    download = client.opener.open(seeded.url + page.link("andina-rut.pdf"), timeout=10)
    assert download.read() == rut


def test_its_administrator_is_none_of_the_profiles_users(seeded: PortalProcess) -> None:
    state = seeded.state()
    [account] = [a for a in state["accounts"] if a["nit"] == NIT]
    assert (account["name"], account["status"]) == (NAME, "active")
    [admin_id] = [
        m["user_id"]
        for m in state["memberships"]
        if m["account_id"] == account["id"] and m["role"] == "admin"
    ]
    [admin] = [u for u in state["users"] if u["id"] == admin_id]
    assert admin["username"] != "andina.dcaicedo"
    assert "andina" not in admin["email"]
    assert admin["email"].endswith("@proveedores.test")  # its mail lands in the shared mailbox
    assert admin["status"] == "active"
    assert f"existing_supplier: {NAME} (NIT {NIT}-5)" in seeded.output


def test_a_missing_existing_supplier_is_reported_with_file_line_and_field(
    tmp_path: Path,
) -> None:
    scenario = _scenario(tmp_path, ["no-existe.yaml"])
    result = subprocess.run(
        [sys.executable, "-m", "robot", "mock-portal", "--scenario", str(scenario)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert f"{scenario}:7: portal.mock.settings.existing_suppliers[0]:" in result.stderr
    assert "no-existe.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_kept_database_is_seeded_once(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, [os.path.relpath(ANDINA, tmp_path)])
    db = tmp_path / "portal.sqlite3"
    for _ in range(2):
        running = PortalProcess(["--scenario", str(scenario), "--db", str(db)])
        accounts = [a for a in running.state()["accounts"] if a["nit"] == NIT]
        running.stop()
        assert len(accounts) == 1
        assert running.proc.returncode == 0


def test_a_seeded_constancia_stands_in_its_documents_slot(tmp_path: Path) -> None:
    """A confidential document marked 'constancia' is published as a constancia in its own
    slot; the document itself is not on the portal (PORTAL.md 3.5)."""
    from robot.mock_portal.seed import seed_supplier
    from robot.mock_portal.store import Store
    from robot.profiles import load_profile

    caribe = load_profile(ROOT / "profiles" / "caribe-constancia.yaml")
    store = Store(tmp_path / "portal.sqlite3")
    account_id = seed_supplier(store, caribe, mail_domain="proveedores.test")
    docs = {d["slot"]: d["filename"] for d in store.account_documents(account_id)}
    assert docs["estados_financieros"] == "estados_financieros-constancia-confidencialidad.pdf"
    assert docs["experiencia"] == "experiencia-constancia-confidencialidad.pdf"
    assert docs["rut"] == "caribe-rut.pdf"
    assert "constancia" not in docs
    [doc] = [d for d in store.account_documents(account_id) if d["slot"] == "experiencia"]
    stored = store.document(int(doc["id"]))
    assert stored is not None
    assert bytes(stored["data"]).startswith(b"%PDF-")
    original = (ROOT / "profiles" / "docs" / "caribe-experiencia.pdf").read_bytes()
    assert bytes(stored["data"]) != original
    store.close()
