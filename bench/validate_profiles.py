"""Benchmark: generate 1,000 valid profiles and time their validation.

    python bench/validate_profiles.py [--count N]

Prints the figures and writes them to docs/benchmarks/validate_profiles.md. Profiles are
generated from real municipios and UNSPSC classes with computed NIT check digits; all of them
share three small documents.
"""

from __future__ import annotations

import argparse
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from robot import portal_rules, refdata  # noqa: E402
from robot.profiles import load_profiles  # noqa: E402

TEMPLATE = """\
# yaml-language-server: $schema={schema}
supplier:
  person_type: juridica
  organization_type: {org}
  legal_name: Empresa Generada {i} S.A.S.
  short_name: GENERADA {i}
  nit: {nit}
  address: Calle {i} # 10-20
  departamento: "{dep}"
  municipio: "{mun}"
  phone: 601 745 {phone:04d}
  email: tramites+empresa{i}@proveedores.test
  company_size: {size}
  unspsc_main: "{unspsc0}"
  unspsc_others: ["{unspsc1}", "{unspsc2}"]
  legal_representative:
    first_name: Persona
    last_name: Generada {i}
    id_type: CC
    id_number: "{cc}"
    phone: 300 {phone:03d} {phone:04d}
    email: tramites+rep{i}@proveedores.test
administrator:
  first_name: Admin
  last_name: Generado {i}
  id_type: CC
  id_number: "{cc2}"
  email: tramites+admin{i}@proveedores.test
  phone: 310 555 {phone:04d}
  username: admin.{i:05d}
  password: ${{SECOP_DEMO_PASSWORD}}
  accept_terms: true
  data_policy_consent: true
additional_users:
  - first_name: Usuario
    last_name: Generado {i}
    id_type: CE
    id_number: "{ce}"
    email: tramites+user{i}@proveedores.test
    phone: 311 555 {phone:04d}
    username: user.{i:05d}
    password: ${{SECOP_DEMO_PASSWORD}}
    accept_terms: true
    data_policy_consent: true
documents:
  - slot: rut
    path: docs/rut.pdf
  - slot: existencia
    path: docs/existencia.pdf
  - slot: cedula_representante
    path: docs/cedula.png
    confidential: true
    marking: watermark
"""


def generate(folder: Path, count: int, seed: int = 2026) -> list[Path]:
    rng = random.Random(seed)
    docs = folder / "docs"
    docs.mkdir(parents=True)
    for name in ("rut.pdf", "existencia.pdf", "cedula.png"):
        shutil.copy(ROOT / "tests" / "data" / "profiles" / "docs" / name, docs / name)
    municipios = refdata.municipios()
    classes = [c for c, e in refdata.unspsc().items() if e.nivel == "clase"]
    orgs = ["sas", "ltda", "sa", "esal"]
    paths = []
    for i in range(count):
        number = str(900_000_000 + i * 97)
        mun = rng.choice(municipios)
        codes = rng.sample(classes, 3)
        text = TEMPLATE.format(
            schema=ROOT / "docs" / "schema" / "profile.schema.json",
            i=i,
            org=rng.choice(orgs),
            nit=f"{number}-{portal_rules.nit_check_digit(number)}",
            dep=mun.departamento,
            mun=mun.nombre,
            phone=i % 10_000,
            size=rng.choice(list(portal_rules.COMPANY_SIZES)),
            unspsc0=codes[0],
            unspsc1=codes[1],
            unspsc2=codes[2],
            cc=str(10_000_000 + i),
            cc2=str(20_000_000 + i),
            ce=str(100_000 + i),
        )
        path = folder / f"empresa-{i:05d}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def cli(folder: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "robot", "validate", str(folder)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return time.perf_counter() - start, done


def break_check_digits(paths: list[Path]) -> None:
    """Every profile gets a wrong NIT check digit: one problem per file."""
    for path in paths:
        text = path.read_text(encoding="utf-8")
        head, _, rest = text.partition("  nit: ")
        nit, _, tail = rest.partition("\n")
        wrong = (int(nit[-1]) + 1) % 10
        path.write_text(f"{head}  nit: {nit[:-1]}{wrong}\n{tail}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        paths = generate(folder, args.count)
        generated = time.perf_counter() - start

        refdata.municipios()
        refdata.unspsc()  # reference data load, measured apart
        runs = []
        for _ in range(args.runs):
            start = time.perf_counter()
            profiles = load_profiles(paths)
            runs.append(time.perf_counter() - start)
            assert len(profiles) == args.count
        in_process = statistics.median(runs)

        cli_ok, done = cli(folder)
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.count("OK ") == args.count

        break_check_digits(paths)
        cli_bad, done = cli(folder)
        assert done.returncode == 1, done.stderr[-2000:]
        wrong = "el dígito de verificación no corresponde"
        assert done.stderr.count(wrong) == args.count, done.stderr[-2000:]

    per_profile_ms = in_process / args.count * 1000
    lines = [
        "# Benchmark: validate_profiles",
        "",
        "`python bench/validate_profiles.py` — generates valid profiles (real municipios and",
        "UNSPSC classes, computed NIT check digits, 2 users and 3 documents each) and validates",
        "them as one batch (field, cross-field, file and batch checks). Then every profile gets",
        "a wrong NIT check digit and the folder is validated again (the path of a batch with",
        "problems: each invalid profile is checked section by section, still in the batch).",
        "",
        "| Figure | Value |",
        "|---|---|",
        f"| Profiles | {args.count} |",
        f"| Generation | {generated:.2f} s |",
        f"| `load_profiles` in process (reference data already loaded), median of {args.runs} "
        f"| {in_process:.2f} s |",
        f"| Per profile | {per_profile_ms:.2f} ms |",
        f"| `secop-robot validate <folder>` end to end (new process), all valid | {cli_ok:.2f} s |",
        f"| `secop-robot validate <folder>` end to end, one problem in every profile "
        f"| {cli_bad:.2f} s |",
        "",
        f"Machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, shared 2-core box (other work running); the command-line "
        "figures are one run each.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    out = ROOT / "docs" / "benchmarks" / "validate_profiles.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
