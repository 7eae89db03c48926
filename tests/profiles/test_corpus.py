"""Every invalid profile of the corpus gives exactly its expected problems; valid ones pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from robot.errors import ProfileError
from robot.profiles import load_profile, load_profiles

DATA = Path(__file__).resolve().parent.parent / "data" / "profiles"
INVALID = sorted((DATA / "invalid").glob("*.yaml"))
ROOT = Path(__file__).resolve().parents[2]


def test_corpus_is_large_enough() -> None:
    assert len(INVALID) >= 40
    for case in INVALID:
        assert case.with_suffix(".expected.txt").exists(), case.name


@pytest.mark.parametrize("case", INVALID, ids=[c.stem for c in INVALID])
def test_invalid_profile(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case.parent)
    expected = case.with_suffix(".expected.txt").read_text(encoding="utf-8").splitlines()
    with pytest.raises(ProfileError) as info:
        load_profile(case.name)
    assert [str(p) for p in info.value.problems] == expected


def test_valid_test_profile() -> None:
    profile = load_profile(DATA / "valid" / "empresa-pruebas.yaml")
    assert profile.supplier.nit == "901234560-6"
    assert profile.supplier.nit_number == "901234560"
    assert profile.supplier.check_digit == "6"
    assert profile.supplier.phone == "+576017456600"
    assert profile.supplier.is_mipyme
    assert [u.username for u in profile.users] == ["pruebas.admin", "pruebas.lucia"]
    assert profile.document_path(profile.documents[0]) == (DATA / "docs" / "rut.pdf").resolve()
    assert profile.mailbox is not None and profile.mailbox.receives("tramites+x@pruebas.test")


def test_sample_profiles_validate_as_one_batch() -> None:
    profiles = load_profiles(sorted((ROOT / "profiles").glob("*.yaml")))
    by_name = {p.source.stem: p for p in profiles}
    assert len(by_name["acme-sas"].additional_users) == 2
    assert any(d.confidential and d.marking == "watermark" for d in by_name["acme-sas"].documents)
    assert by_name["rodriguez-natural"].supplier.person_type == "natural"
    assert by_name["nordvik-extranjera"].supplier.organization_type == "extranjera"
    assert by_name["andina-existente"].if_exists == "request_access"
    caribe = by_name["caribe-constancia"].documents
    assert any(d.confidential and d.marking == "constancia" for d in caribe)
    assert not any(d.slot == "constancia" for d in caribe)  # secop-robot generates it
    for profile in profiles:
        head = profile.source.read_text(encoding="utf-8").splitlines()[0]
        assert head == "# yaml-language-server: $schema=../docs/schema/profile.schema.json"


def test_batch_rejects_a_nit_used_twice(tmp_path: Path) -> None:
    text = (DATA / "valid" / "empresa-pruebas.yaml").read_text(encoding="utf-8")
    text = text.replace("../docs/", str(DATA / "docs") + "/")
    first = tmp_path / "a.yaml"
    first.write_text(text, encoding="utf-8")
    second = tmp_path / "b.yaml"
    second.write_text(
        text.replace("tramites+admin", "tramites+otro")
        .replace("tramites+lucia", "tramites+otra")
        .replace("pruebas.admin", "otro.admin")
        .replace("pruebas.lucia", "otra.lucia"),
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as info:
        load_profiles([first, second])
    assert [str(p) for p in info.value.problems] == [
        f"{second}:9: supplier.nit: el NIT 901234560-6 ya está en otro perfil del lote ({first}:9)"
    ]


def test_document_over_the_size_limit(tmp_path: Path) -> None:
    text = (DATA / "valid" / "empresa-pruebas.yaml").read_text(encoding="utf-8")
    text = text.replace("../docs/", str(DATA / "docs") + "/")
    big = tmp_path / "grande.pdf"
    with big.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(11 * 1024 * 1024)  # sparse: fast, no real 11 MB written
    text = text.replace(str(DATA / "docs" / "rut.pdf"), str(big))
    profile = tmp_path / "p.yaml"
    profile.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(profile)
    assert [p.message for p in info.value.problems] == [
        f"el archivo {big} pesa 11,0 MB; el portal acepta hasta 10,0 MB"
    ]
    assert load_profile(profile, max_upload_mb=12).documents[0].path == str(big)
