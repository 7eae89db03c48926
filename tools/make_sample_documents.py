"""Generate the small, fictitious documents of the sample profiles (run once; output committed).

    python tools/make_sample_documents.py

Writes PDFs (reportlab, invariant so reruns give the same bytes) and images (Pillow) into
``profiles/docs/`` and ``tests/data/profiles/docs/``. Every name, number and company is invented.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parent.parent
FICTION = "DOCUMENTO FICTICIO DE DEMOSTRACIÓN — secop-robot — sin validez legal"


def pdf(title: str, lines: list[str], *, wide: bool = False) -> bytes:
    out = io.BytesIO()
    size = landscape(A4) if wide else A4
    page = canvas.Canvas(out, pagesize=size, invariant=1)
    page.setTitle(title)
    page.setFont("Helvetica-Bold", 16)
    page.drawString(56, size[1] - 72, title)
    page.setFont("Helvetica", 11)
    y = size[1] - 110
    for line in lines:
        page.drawString(56, y, line)
        y -= 18
    page.setFont("Helvetica-Oblique", 8)
    page.drawString(56, 40, FICTION)
    page.showPage()
    page.save()
    return out.getvalue()


def card(lines: list[str], fmt: str) -> bytes:
    image = Image.new("RGB", (640, 400), (236, 240, 246))
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 631, 391), outline=(40, 60, 120), width=4)
    y = 30
    for line in [*lines, "", "FICTICIO - sin validez"]:
        draw.text((30, y), line, fill=(20, 20, 20))
        y += 28
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 80} if fmt == "JPEG" else {"optimize": True}))
    return out.getvalue()


def rut(name: str, nit: str) -> bytes:
    return pdf(
        "Registro Único Tributario (RUT)",
        [f"Razón social / nombre: {name}", f"NIT: {nit}", "Responsabilidades: 05, 07, 14"],
    )


def existencia(name: str, nit: str, city: str) -> bytes:
    return pdf(
        "Certificado de existencia y representación legal",
        [f"Sociedad: {name}", f"NIT: {nit}", f"Domicilio: {city}", "Vigencia: indefinida"],
    )


def constancia(name: str) -> bytes:
    return pdf(
        "Constancia de confidencialidad",
        [
            f"{name} declara que los documentos marcados como confidenciales",
            "son de uso exclusivo para el registro en SECOP II.",
        ],
    )


def estados(name: str) -> bytes:
    return pdf(
        "Estados financieros a 31 de diciembre de 2025",
        [f"{name}", "Activo total: 1.250.000.000", "Pasivo total: 430.000.000"],
        wide=True,
    )


def cedula(name: str, number: str) -> list[str]:
    return ["REPÚBLICA DE COLOMBIA", "CÉDULA DE CIUDADANÍA", f"Número: {number}", name]


SAMPLES: dict[str, bytes] = {
    "acme-rut.pdf": rut("ACME Soluciones Tecnológicas S.A.S.", "901.555.123-8"),
    "acme-existencia.pdf": existencia(
        "ACME Soluciones Tecnológicas S.A.S.", "901.555.123-8", "Medellín"
    ),
    "acme-estados-financieros.pdf": estados("ACME Soluciones Tecnológicas S.A.S."),
    "acme-cedula-representante.png": card(
        cedula("LAURA PATRICIA GÓMEZ RESTREPO", "43.987.654"), "PNG"
    ),
    "rodriguez-rut.pdf": rut("María Fernanda Rodríguez Pardo", "52.345.678-3"),
    "rodriguez-cedula.jpg": card(cedula("MARÍA FERNANDA RODRÍGUEZ PARDO", "52.345.678"), "JPEG"),
    "nordvik-rut.pdf": rut("Nordvik Ingeniería S.L. (sucursal)", "901.777.456-8"),
    "nordvik-existencia.pdf": existencia("Nordvik Ingeniería S.L.", "B-00000000", "Madrid"),
    "nordvik-pasaporte-representante.pdf": pdf(
        "Pasaporte del representante legal", ["Titular: ERIK LUNDQVIST", "Número: XK1234567"]
    ),
    "andina-rut.pdf": rut("Distribuciones Andina Ltda.", "900.888.321-5"),
    "andina-existencia.pdf": existencia("Distribuciones Andina Ltda.", "900.888.321-5", "Cali"),
    "andina-cedula-representante.pdf": pdf(
        "Cédula del representante legal", cedula("JORGE ENRIQUE VALENCIA", "16.789.012")
    ),
    "caribe-rut.pdf": rut("Constructora Caribe S.A.", "860.555.777-6"),
    "caribe-existencia.pdf": existencia(
        "Constructora Caribe S.A.", "860.555.777-6", "Barranquilla"
    ),
    "caribe-cedula-representante.jpg": card(cedula("ANDREA CAROLINA MEZA", "32.456.789"), "JPEG"),
    "caribe-estados-financieros.pdf": estados("Constructora Caribe S.A."),
    "caribe-experiencia.pdf": pdf(
        "Certificado de experiencia", ["Obra: pavimentación vía ficticia", "Valor: 2.300.000.000"]
    ),
}

TEST_DOCS: dict[str, bytes] = {
    "rut.pdf": rut("Empresa de Pruebas S.A.S.", "901.234.560-6"),
    "existencia.pdf": existencia("Empresa de Pruebas S.A.S.", "901.234.560-6", "Bogotá"),
    "cedula.png": card(cedula("PERSONA DE PRUEBA", "1.020.304.050"), "PNG"),
    "cedula.jpg": card(cedula("PERSONA DE PRUEBA", "1.020.304.050"), "JPEG"),
    "constancia.pdf": constancia("Empresa de Pruebas S.A.S."),
    "estados.pdf": estados("Empresa de Pruebas S.A.S."),
    "no-es-pdf.pdf": b"Esto es texto, no un PDF.\n",
    "vacio.pdf": b"",
    "notas.txt": b"Un archivo de texto que no se puede subir.\n",
    "imagen-disfrazada.png": b"\xff\xd8\xff\xe0" + card(["JPEG con extensión PNG"], "JPEG")[4:],
}


def main() -> None:
    for folder, docs in (
        (ROOT / "profiles/docs", SAMPLES),
        (ROOT / "tests/data/profiles/docs", TEST_DOCS),
    ):
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in docs.items():
            (folder / name).write_bytes(data)
            print(f"{folder.relative_to(ROOT)}/{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
