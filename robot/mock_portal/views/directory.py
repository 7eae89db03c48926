"""Mock portal pages: directory (see docs/mock-portal.md)."""

from __future__ import annotations

from flask import Blueprint

from robot.mock_portal.web import ViewResult, error_page

bp = Blueprint("directory", __name__)


@bp.route("/Public/Directory/Index", methods=["GET", "POST"])
def index() -> ViewResult:
    return error_page(501, "En construcción", "Esta página aún no está disponible.")
