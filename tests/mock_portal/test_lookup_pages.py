"""The lupa pop-ups: municipio (by departamento, accents ignored) and UNSPSC search."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.mock_portal.supplier_helpers import App, login, make_app, seed_draft, soup

MUNICIPIO_URL = "/CO1Marketplace/Common/Lookup/Municipio"
UNSPSC_URL = "/CO1Marketplace/Common/Lookup/Unspsc"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> App:
    return make_app(tmp_path_factory.mktemp("lookup"))


@pytest.fixture(scope="module")
def client(app: App) -> tuple[FlaskClient, str]:
    draft = seed_draft(app.store)
    c = app.client()
    mkey, _ = login(c, draft.username)
    return c, mkey


def _rows(client: tuple[FlaskClient, str], path: str, **args: str) -> list[list[str]]:
    c, mkey = client
    resp = c.get(path, query_string={"mkey": mkey, **args})
    assert resp.status_code == 200
    return [
        [td.get_text(strip=True) for td in tr.find_all("td")]
        for tr in soup(resp).select("#tblResults tbody tr")
    ]


def test_municipio_search_ignores_accents_and_case(client: tuple[FlaskClient, str]) -> None:
    rows = _rows(client, MUNICIPIO_URL, txtSearch="BOGOTA")
    assert rows[0][:3] == ["11001", "BOGOTÁ, D.C.", "BOGOTÁ, D.C."]
    medellin = _rows(client, MUNICIPIO_URL, txtSearch="medellin")
    assert ["05001", "MEDELLÍN", "ANTIOQUIA"] in [r[:3] for r in medellin]


def test_municipio_search_is_filtered_by_departamento(client: tuple[FlaskClient, str]) -> None:
    everywhere = _rows(client, MUNICIPIO_URL, txtSearch="san")
    in_antioquia = _rows(client, MUNICIPIO_URL, txtSearch="san", selDepartamento="05")
    assert len(in_antioquia) < len(everywhere)
    assert {r[2] for r in in_antioquia} == {"ANTIOQUIA"}
    whole_dep = _rows(client, MUNICIPIO_URL, selDepartamento="05")
    assert len(whole_dep) == 125  # every municipio of Antioquia, without typing


def test_municipio_select_button_carries_the_dane_codes(
    client: tuple[FlaskClient, str],
) -> None:
    c, mkey = client
    resp = c.get(MUNICIPIO_URL, query_string={"mkey": mkey, "txtSearch": "Cali"})
    button = soup(resp).find(id="btnSelect_76001")
    assert button.get_text() == "Seleccionar"
    assert (button["data-dep-code"], button["data-mun-code"]) == ("76", "76001")
    assert button["data-mun-name"] == "CALI"


def test_unknown_departamento_is_a_message_not_a_crash(client: tuple[FlaskClient, str]) -> None:
    c, mkey = client
    resp = c.get(MUNICIPIO_URL, query_string={"mkey": mkey, "selDepartamento": "zz"})
    assert resp.status_code == 200
    assert "Departamento desconocido" in soup(resp).find(id="divLookupError").get_text()


def test_unspsc_search_by_words_and_by_code_prefix(client: tuple[FlaskClient, str]) -> None:
    by_words = _rows(client, UNSPSC_URL, txtSearch="tornillos")
    assert ["31161500", "Tornillos", "clase"] in [r[:3] for r in by_words]
    by_accentless = _rows(client, UNSPSC_URL, txtSearch="impresion")
    assert any("impresión" in r[1].lower() for r in by_accentless)
    by_code = _rows(client, UNSPSC_URL, txtSearch="4321")
    assert by_code
    assert all(r[0].startswith("4321") for r in by_code)


def test_unspsc_search_too_short_or_unknown(client: tuple[FlaskClient, str]) -> None:
    c, mkey = client
    short = c.get(UNSPSC_URL, query_string={"mkey": mkey, "txtSearch": "ab"})
    assert "al menos 3 letras" in soup(short).find(id="divLookupError").get_text()
    none = c.get(UNSPSC_URL, query_string={"mkey": mkey, "txtSearch": "zzzzqqq"})
    assert "No se encontraron" in soup(none).find(id="lblResultCount").get_text()


@pytest.mark.parametrize("path", [MUNICIPIO_URL, UNSPSC_URL])
def test_lookups_need_login_and_mkey(app: App, path: str) -> None:
    resp = app.client().get(path, query_string={"txtSearch": "cali"})
    assert resp.status_code == 302
    assert "/STS/Users/Login/Index" in resp.headers["Location"]
