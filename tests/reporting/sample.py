"""A recorded-looking ledger for the report's tests and benchmark: suppliers in every outcome,
with the step details the robot records (fields sent and shown, documents and their hashes,
activation mails, the Directorio page, failure screenshots and traces), and hostile values."""

from __future__ import annotations

import hashlib
import io
import json
import random
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from robot.ledger import LEDGER_NAME, Ledger
from robot.reporting.images import compress

HOSTILE_NAME = '<script>window.__pwned = 1</script>"><img src=x onerror="window.__pwned=2">'
RTL_NAME = "Comercial \u202eanitnegrA\u202c S.A.S."
OUTCOMES = ("onboarded", "access_requested", "parked", "failed", "stopped", "pending")
ACCOUNT_STEPS = ("account.entity", "account.form", "account.documents", "account.finalize")
SLOTS = ("rut", "existencia", "cedula_representante")


_IMAGES: dict[tuple[tuple[int, int], str, int], bytes] = {}


WORDS = [
    "Nombre",
    "Razón",
    "social",
    "NIT",
    "Dirección",
    "Teléfono",
    "Correo",
    "Municipio",
    "Guardar",
    "Siguiente",
]


def _page_picture(size: tuple[int, int], seed: int) -> Image.Image:
    """A portal-like page: a header bar, labels in text and boxed fields with values."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=15)
    w = size[0]
    draw.rectangle((0, 0, w, w // 20), fill=(11, 47, 85))
    draw.text((20, 12), "SECOP II · Registro de proveedor", fill=(255, 255, 255), font=font)
    y = w // 14
    while y < size[1] - 40:
        label = " ".join(rng.choices(WORDS, k=rng.randrange(1, 4)))
        value = " ".join(rng.choices(WORDS, k=rng.randrange(1, 6))) + f" {rng.randrange(10**6)}"
        draw.text((w // 32, y), label, fill=(40, 40, 40), font=font)
        draw.rectangle((w // 4, y - 6, w - w // 20, y + 20), outline=(150, 150, 150))
        draw.text((w // 4 + 8, y - 2), value, fill=(20, 20, 20), font=font)
        y += rng.choice((36, 36, 48, 80))
    return image


def _image(path: Path, size: tuple[int, int], seed: int, fmt: str) -> None:
    """A page-like picture, made once per size and format (then copied). Screenshots
    (``WEBP``) go through the robot's own compression, as the runner's do."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if (size, fmt, seed % 2) not in _IMAGES:
        picture = _page_picture(size, seed)
        buffer = io.BytesIO()
        if fmt == "WEBP":
            raw = path.with_name(".sample.png")
            picture.save(raw, format="PNG")
            compress(raw, raw.with_suffix(".webp"))
            buffer.write(raw.with_suffix(".webp").read_bytes())
            raw.with_suffix(".webp").unlink()
        else:
            picture.save(buffer, format=fmt)
        _IMAGES[size, fmt, seed % 2] = buffer.getvalue()
    path.write_bytes(_IMAGES[size, fmt, seed % 2])


def _documents(
    out: Path, key: str, legal_name: str, nit: str, images: bool
) -> list[dict[str, object]]:
    folder = out / "suppliers" / key / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for i, slot in enumerate(SLOTS):
        name = f"{slot}-{key}.pdf"
        sha = hashlib.sha256(f"{key}{slot}".encode()).hexdigest()
        preview = f"previews/{slot}-{key}.png"
        if images:
            _image(folder / preview, (320, 453), 1, "PNG")
        entries.append(
            {
                "slot": slot,
                "original": {"name": f"{slot}.pdf", "size": 1000 + i, "sha256": sha, "pages": 1},
                "output": {"name": name, "size": 2000 + i, "sha256": sha, "pages": 1},
                "confidential": slot == "cedula_representante",
                "marking": "marca de agua" if slot == "cedula_representante" else "ninguna",
                "method": "update" if slot == "cedula_representante" else "copy",
                "preview": preview,
                "notes": [],
            }
        )
    manifest = {"razon_social": legal_name, "nit": nit, "date": "2026-12-03", "entries": entries}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return entries


def make_run(out: Path, count: int = 8, *, images: bool = True, seed: int = 7) -> Path:
    """An output folder with a ledger of ``count`` suppliers (outcomes in turn)."""
    rng = random.Random(seed)
    ledger = Ledger(out / LEDGER_NAME)
    ledger._db.execute("PRAGMA synchronous=OFF")  # a sample: no need to wait for the disk
    ledger.begin_run("secop-robot run scenarios/sample.yaml --out " + str(out))
    clock = 1_796_299_381.0
    for n in range(count):
        key = str(900_000_000 + n)
        legal_name = (
            HOSTILE_NAME if n == 0 else RTL_NAME if n == 1 else f"Proveedor de Prueba {n} S.A.S."
        )
        nit = f"{key}-{n % 10}"
        status = OUTCOMES[n % len(OUTCOMES)] if n > 1 else "onboarded" if n == 0 else "failed"
        ledger.add_supplier(
            key, profile=f"profiles/p{n}.yaml", legal_name=legal_name, nit=nit, h="h"
        )
        start = clock + n * 3 + rng.random()
        db = ledger._db  # the sample fixes the clock: the ledger stamps time.time()
        steps: list[tuple[str, str, dict[str, object], str]] = []
        entries = _documents(out, key, legal_name, nit, images)
        steps.append(
            ("documents", "done", {"manifest": f"suppliers/{key}/documents/manifest.json"}, "")
        )
        steps.append(
            ("admin.register", "done", {"user": f"user{n}.admin", "found": "registrado ahora"}, "")
        )
        steps.append(
            (
                "admin.activate",
                "done",
                {"user": f"user{n}.admin", "mail_sent_at": "2026-12-03T12:03:16+00:00"},
                "",
            )
        )
        sent = {
            "Nombre de la Entidad Estatal": legal_name,
            "Nit": key,
            "Tamaño de empresa": "Pequeña empresa",
        }
        shown = {**sent, "Tamaño de empresa": "pequena"}
        details = {
            "account.entity": {"decision": "created"},
            "account.form": {"sent": sent, "shown": shown, "unspsc": ["81111500", "43232300"]},
            "account.documents": {
                "documents": {
                    e["slot"]: {"name": e["output"]["name"], "match": True} for e in entries
                }  # type: ignore[index]
            },
            "account.finalize": {},
        }
        stop_at = {"parked": "account.documents", "failed": "account.form"}.get(status)
        for name in ACCOUNT_STEPS:
            if status == "stopped" and name == "account.finalize":
                break
            if status == "pending":
                break
            if name == stop_at:
                shot = out / "suppliers" / key / "screenshots" / f"{name}-1.webp"
                trace = out / "suppliers" / key / "traces" / f"{name}-1.zip"
                if images:
                    _image(shot, (1280, 900), n, "WEBP")
                trace.parent.mkdir(parents=True, exist_ok=True)
                with zipfile.ZipFile(trace, "w") as archive:
                    archive.writestr("trace.trace", '{"type":"context-options"}\n')
                message = (
                    "account.form: el portal rechazó el formulario: Nit: <b>inválido</b>"
                    if status == "failed"
                    else "account.documents: el portal no responde — sin éxito tras 5 intentos"
                )
                detail = {
                    "error": "PortalRejected",
                    "screenshot": str(shot.relative_to(out)),
                    "trace": str(trace.relative_to(out)),
                    "url": "http://127.0.0.1:5000/Supplier/Register",
                }
                steps.append((name, status, detail, message))
                break
            steps.append((name, "done", details[name], ""))
        if status == "onboarded":
            steps.append(
                (
                    "account.directory",
                    "done",
                    {
                        "directory_url": f"/Public/Directory/Supplier/{n}",
                        "published": {"Nombre": legal_name},
                    },
                    "",
                )
            )
        if images:  # a milestone screenshot after every step done, as the runner takes
            for position, (name, step_status, _, _) in enumerate(steps):
                if step_status == "done" and name != "documents":
                    target = out / "suppliers" / key / "screenshots" / f"{name}.webp"
                    _image(target, (1280, 800 + 400 * (position % 3)), position, "WEBP")
        t = start
        for position, (name, step_status, detail, message) in enumerate(steps):
            ledger.start_step(key, name, position, "h")
            ledger.finish_step(key, name, status=step_status, detail=detail, message=message)
            db.execute(
                "UPDATE steps SET started_at = ?, ended_at = ? WHERE supplier = ? AND step = ?",
                (t, t + 1.5, key, name),
            )
            t += 2.0
        if status != "pending":
            reason = {
                "parked": "account.documents: el portal no responde — sin éxito tras 5 intentos",
                "failed": "account.form: el portal rechazó el formulario: Nit: <b>inválido</b>",
                "stopped": "detenido antes de account.finalize (--until)",
                "access_requested": "el NIT ya existía: se solicitó acceso a la cuenta (Pendiente)",
            }.get(status, "")
            ledger.set_status(key, status, reason)
            db.execute(
                "UPDATE suppliers SET started_at = ?, ended_at = ? WHERE key = ?", (start, t, key)
            )
    ledger.end_run("fin")
    ledger.close()
    return out
