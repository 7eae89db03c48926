"""Mock portal pages: supplier (see docs/mock-portal.md)."""

from __future__ import annotations

from flask import Blueprint

from robot.mock_portal.web import ViewResult, error_page

bp = Blueprint("supplier", __name__)


@bp.route("/CO1Marketplace/Companies/SupplierRegistration/Index", methods=["GET", "POST"])
def form() -> ViewResult:
    return error_page(501, "En construcción", "Esta página aún no está disponible.")
