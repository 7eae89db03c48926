"""Mock portal pages: lookup (see docs/mock-portal.md)."""

from __future__ import annotations

from flask import Blueprint

from robot.mock_portal.web import ViewResult, error_page

bp = Blueprint("lookup", __name__)


@bp.route("/CO1Marketplace/Common/Lookup/Municipio", methods=["GET", "POST"])
def municipio() -> ViewResult:
    return error_page(501, "En construcción", "Esta página aún no está disponible.")


@bp.route("/CO1Marketplace/Common/Lookup/Unspsc", methods=["GET", "POST"])
def unspsc() -> ViewResult:
    return error_page(501, "En construcción", "Esta página aún no está disponible.")
