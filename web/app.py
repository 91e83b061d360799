"""Flask application factory: one app, three blueprints (UI, JSON API, OAI-PMH)."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from flask import Flask, Response, g, jsonify, request

from catalogue.config import Settings
from web.services import Services

log = logging.getLogger("catalogue.web")

# Request bodies are never needed beyond OAI-PMH POST forms.
MAX_CONTENT_LENGTH = 64 * 1024


def create_app(settings: Settings | None = None, **config: Any) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH,
        JSON_SORT_KEYS=False,
        SETTINGS=settings,
        **config,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["catalogue"] = Services(settings)

    from web.api import bp as api_bp
    from web.oai import bp as oai_bp
    from web.ui import bp as ui_bp

    app.register_blueprint(oai_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(ui_bp)

    @app.before_request
    def _request_id() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.get("/healthz")
    def healthz() -> tuple[Response, int]:
        """Store and index reachable: what a load balancer or monitor needs to know."""
        services = app.extensions["catalogue"]
        checks: dict[str, str] = {}
        top = 0
        try:
            top = services.store.max_seq()
            checks["store"] = "ok"
        except Exception as exc:
            log.error("health: store unreachable: %s", exc)
            checks["store"] = "unreachable"
        try:
            services.index.count()
            checks["index"] = "ok"
            # A lost index directory is recreated empty by the next process that opens it:
            # reachable, but every search would say "nothing found" until it is rebuilt.
            if top > 0 and services.index.last_seq == 0:
                log.error("health: the index is empty while the store is at change %d", top)
                checks["index"] = "empty"
        except Exception as exc:
            log.error("health: index unreachable: %s", exc)
            checks["index"] = "unreachable"
        healthy = all(v == "ok" for v in checks.values())
        response = jsonify({"status": "ok" if healthy else "unavailable", "checks": checks})
        response.headers["Cache-Control"] = "no-store"
        return response, 200 if healthy else 503

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Frame-Options", "DENY")
        if "started" in g:
            log.info(
                "%s %s %s", request.method, request.path, response.status_code,
                extra={"method": request.method, "path": request.path,
                       "status": response.status_code, "remote": request.remote_addr,
                       "duration_ms": round((time.perf_counter() - g.started) * 1000, 1)},
            )
        return response

    return app
