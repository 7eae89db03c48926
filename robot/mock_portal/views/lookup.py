"""The lupa (magnifier) pop-ups of Registro de Proveedor: municipio and UNSPSC search.

Small pages opened with ``window.open`` from the form; **Seleccionar** sets the opener's
fields (``static/portal.js``) and closes the pop-up. Usable alone too. Searches ignore case
and accents (``robot.refdata``).
"""

from __future__ import annotations

from flask import Blueprint, request

from robot import refdata
from robot.mock_portal.web import ViewResult, login_required, render

bp = Blueprint("lookup", __name__)

MUNICIPIO_LIMIT = 200
UNSPSC_LIMIT = 50


@bp.route("/CO1Marketplace/Common/Lookup/Municipio", methods=["GET"])
@login_required
def municipio() -> ViewResult:
    departamento = request.args.get("selDepartamento", "").strip()
    text = request.args.get("txtSearch", "").strip()
    error = ""
    if departamento and departamento not in refdata.departamentos():
        error = "Departamento desconocido: elíjalo de la lista."
        departamento = ""
    searched = bool(text or departamento)
    results = (
        refdata.search_municipios(text, departamento, limit=MUNICIPIO_LIMIT)
        if searched and not error
        else []
    )
    return render(
        "lookup/municipio.html",
        departamentos=list(refdata.departamentos().items()),
        departamento=departamento,
        text=text,
        searched=searched,
        results=results,
        error=error,
    )


@bp.route("/CO1Marketplace/Common/Lookup/Unspsc", methods=["GET"])
@login_required
def unspsc() -> ViewResult:
    text = request.args.get("txtSearch", "").strip()
    error = ""
    if text and len(refdata.fold(text)) < 3 and not text.isdigit():
        error = "Escriba al menos 3 letras o el comienzo del código."
    results = refdata.search_unspsc(text, limit=UNSPSC_LIMIT) if text and not error else []
    return render(
        "lookup/unspsc.html",
        text=text,
        searched=bool(text),
        results=results,
        limit=UNSPSC_LIMIT,
        error=error,
    )
