"""Mock portal pages: entity (see docs/mock-portal.md)."""

from __future__ import annotations

from flask import Blueprint

from robot.mock_portal.web import ViewResult, error_page

bp = Blueprint("entity", __name__)


@bp.route("/CO1Marketplace/Companies/Entity/Index", methods=["GET", "POST"])
def index() -> ViewResult:
    return error_page(501, "En construcción", "Esta página aún no está disponible.")


@bp.route("/CO1Marketplace/Users/Settings/Registrations", methods=["GET", "POST"])
def registrations() -> ViewResult:
    return error_page(501, "En construcción", "Esta página aún no está disponible.")
