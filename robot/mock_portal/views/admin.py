"""Mock portal pages: admin (see docs/mock-portal.md)."""

from __future__ import annotations

from flask import Blueprint

from robot.mock_portal.web import ViewResult, error_page

bp = Blueprint("admin", __name__)


@bp.route("/CO1Marketplace/Desktop/Index", methods=["GET", "POST"])
def desktop() -> ViewResult:
    return error_page(501, "En construcción", "Esta página aún no está disponible.")


@bp.route("/CO1Marketplace/Users/Admin/Index", methods=["GET", "POST"])
def users() -> ViewResult:
    return error_page(501, "En construcción", "Esta página aún no está disponible.")
