"""The mock SECOP II web application (Flask): wiring only; pages live in ``views/``."""

from __future__ import annotations

from flask import Flask, Response, jsonify, redirect
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers.response import Response as BaseResponse

from robot.mock_portal import web
from robot.mock_portal.views import admin, auth, directory, entity, lookup, register, supplier
from robot.mock_portal.web import Portal


def create_app(p: Portal) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=p.config.secret,
        # The whole supplier form may carry one file per document slot.
        MAX_CONTENT_LENGTH=8 * p.config.max_upload_bytes,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.jinja_env.autoescape = True
    app.extensions["secop_portal"] = p
    app.before_request(web.before_request)
    app.after_request(web.after_request)
    app.context_processor(web.template_globals)
    app.register_error_handler(HTTPException, web.handle_http_error)
    app.register_error_handler(Exception, web.handle_unexpected)
    for module in (auth, register, entity, supplier, lookup, admin, directory):
        app.register_blueprint(module.bp)

    @app.get("/")
    def index() -> BaseResponse:
        return web.login_redirect()

    @app.get("/_state")
    def state() -> Response | tuple[str, int]:
        """Read-only JSON dump of users, accounts, documents and mails; off by default."""
        if not p.config.state_endpoint:
            return web.error_page(404, "Página no encontrada", "La página que busca no existe.")
        return jsonify({"faults": p.config.faults.model_dump(), **p.store.dump()})

    @app.get("/favicon.ico")
    def favicon() -> BaseResponse:
        return redirect("/static/favicon.svg")

    return app
