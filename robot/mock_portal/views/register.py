"""Mock portal pages: register (see docs/mock-portal.md)."""

from __future__ import annotations

from flask import Blueprint

from robot.mock_portal.web import ViewResult, error_page

bp = Blueprint("register", __name__)


@bp.route("/STS/Users/Register/Index", methods=["GET", "POST"])
def index() -> ViewResult:
    return error_page(501, "En construcción", "Esta página aún no está disponible.")


@bp.route("/STS/Users/Register/Confirm", methods=["GET", "POST"])
def confirm() -> ViewResult:
    return error_page(501, "En construcción", "Esta página aún no está disponible.")


@bp.route("/STS/Users/Register/Resend", methods=["GET", "POST"])
def resend() -> ViewResult:
    return error_page(501, "En construcción", "Esta página aún no está disponible.")
