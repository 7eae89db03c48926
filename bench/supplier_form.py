"""Server-side cost of the supplier form, the lupa searches and the Directorio.

    .venv/bin/python bench/supplier_form.py [--rounds N]

Runs the real mock portal app in-process (Flask test client, SQLite file in a temporary
folder, mail recorded instead of sent) and times, as medians over N rounds: opening the form,
Guardar with three 1 MB PDFs, Finalizar, a municipio and a UNSPSC lupa search, and a Directorio
search by name among 500 active suppliers. Writes docs/benchmarks/supplier_form.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from robot.mock_portal.seed import seed_account, seed_user
from robot.portal_rules import nit_check_digit
from tests.mock_portal.supplier_helpers import (
    PDF,
    App,
    FormClient,
    make_app,
    open_form,
    seed_draft,
    valid_fields,
)

OUT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks" / "supplier_form.md"
MB = 1024 * 1024


def median_ms(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def big_files() -> dict[str, tuple[bytes, str]]:
    body = PDF + b"0" * (MB - len(PDF))
    return {
        "rut": (body, "rut.pdf"),
        "existencia": (body, "camara.pdf"),
        "cedula_representante": (body, "cedula.pdf"),
    }


def populate(app: App, count: int) -> None:
    user = seed_user(app.store, username="bench_dir", password="x", email="b@proveedores.test")
    for i in range(count):
        seed_account(app.store, user, name=f"Proveedor Número {i} S.A.S.", nit=str(700000000 + i))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp))
        populate(app, 500)
        form: FormClient = open_form(app, seed_draft(app.store))
        client, mkey = form.client, form.mkey
        figures = {
            "GET Registro de Proveedor (empty draft)": median_ms(form.get, rounds),
            "Guardar with 3 × 1 MB PDF (incl. GET for the CSRF token)": median_ms(
                lambda: form.post(valid_fields(nit="", dv=""), big_files()), rounds
            ),
        }

        def finalize() -> None:
            f = open_form(app, seed_draft(app.store))
            nit = str(800000000 + len(app.store.active_accounts()))
            resp = f.post(valid_fields(nit, nit_check_digit(nit)), big_files(), "finalizar")
            assert resp.status_code == 302, resp.status_code

        figures["Login + Finalizar with 3 × 1 MB PDF (new draft each round)"] = median_ms(
            finalize, rounds
        )
        figures["Lupa municipio 'san' (all departamentos)"] = median_ms(
            lambda: client.get(
                "/CO1Marketplace/Common/Lookup/Municipio",
                query_string={"mkey": mkey, "txtSearch": "san"},
            ),
            rounds,
        )
        figures["Lupa UNSPSC 'servicios' (50 shown)"] = median_ms(
            lambda: client.get(
                "/CO1Marketplace/Common/Lookup/Unspsc",
                query_string={"mkey": mkey, "txtSearch": "servicios"},
            ),
            rounds,
        )
        figures["Directorio, name search among 500+ active suppliers"] = median_ms(
            lambda: client.get("/Public/Directory/Index", query_string={"txtSearch": "número 42"}),
            rounds,
        )
        app.store.close()
    lines = [
        "# Supplier form, lupa and Directorio: server-side timings",
        "",
        f"`python bench/supplier_form.py --rounds {rounds}` on {platform.python_version()}, "
        f"{platform.machine()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. In-process Flask test "
        "client (no network, no browser); medians in milliseconds. The machine is shared.",
        "",
        "| Operation | Median ms |",
        "|---|---|",
        *[f"| {name} | {ms:.1f} |" for name, ms in figures.items()],
        "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
