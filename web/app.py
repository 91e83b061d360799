"""Flask application factory: one app, three blueprints (UI, JSON API, OAI-PMH)."""

from __future__ import annotations

import json
import logging
import re
import shutil
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, g, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix

from catalogue.settings import Settings
from search.base import SearchQuery
from web.services import IndexUnavailable, Services
from web.ui.previews import frame_origins

log = logging.getLogger("catalogue.web")

# On every response, also gunicorn's own error pages (web.server).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Content-Security-Policy":
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; "
        # Only the partners' players a preview may embed, after a click (web/ui/previews.tsv).
        "frame-src " + (" ".join(frame_origins()) or "'none'"),
    "X-Frame-Options": "DENY",
}
# Request bodies are never needed beyond OAI-PMH POST forms.
MAX_CONTENT_LENGTH = 64 * 1024


def _disk(path: Path) -> dict[str, Any]:
    """Free space where the data lives; "low" under 1 % or 100 MB (harvests will fail first)."""
    try:
        usage = shutil.disk_usage(path)
    except OSError as exc:
        return {"status": "unknown", "error": str(exc)}
    low = usage.free < max(100 * 1024 * 1024, usage.total // 100)
    return {"status": "low" if low else "ok", "free_bytes": usage.free, "total_bytes": usage.total}


def _probe(index: Any) -> None:
    """A real search: the first record, then a word of its title (terms, postings, stored
    documents), so a damaged segment shows here and not only in the users' searches."""
    first = index.search(SearchQuery(per_page=1, highlight=False))
    title = re.sub(r"<[^>]+>", " ", first.hits[0].title_html) if first.hits else ""
    words = re.findall(r"\w{4,}", title)[:1]
    if words:
        index.search(SearchQuery(q=words[0], per_page=1, highlight=False))


class FixedOrigin:
    """WSGI middleware: the scheme, host and port of every request are the configured ones."""

    def __init__(self, app: Any, base_url: str) -> None:
        self.app = app
        parts = urlsplit(base_url)
        self.scheme = parts.scheme or "http"
        self.host = parts.netloc or "localhost"
        self.hostname = parts.hostname or "localhost"
        self.port = str(parts.port or (443 if self.scheme == "https" else 80))

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        environ["catalogue.request_host"] = environ.get("HTTP_HOST", "")
        environ["HTTP_HOST"] = self.host
        environ["SERVER_NAME"] = self.hostname
        environ["SERVER_PORT"] = self.port
        environ["wsgi.url_scheme"] = self.scheme
        environ.pop("HTTP_X_FORWARDED_HOST", None)
        return self.app(environ, start_response)


def public_origin(app: Any, settings: Settings) -> Any:
    """The WSGI app with the origin every absolute URL starts with (web.urls): the configured
    base URL, never the request's ``Host`` (a cached answer cannot be poisoned through it);
    else the request's, read from ``X-Forwarded-*`` only behind as many proxies as trusted
    (which also gives the logs the client's address)."""
    if settings.base_url:
        app = FixedOrigin(app, settings.base_url)
    if settings.trust_proxy:  # outside: the fixed origin, when there is one, has the last word
        n = settings.trust_proxy
        app = ProxyFix(app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)
    return app


def create_app(settings: Settings | None = None, **config: Any) -> Flask:
    """The app over ``settings`` (default: from the environment); ``config``: Flask's own keys
    (``TESTING``…), never the catalogue's settings."""
    settings = settings or Settings.from_env()
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH, JSON_SORT_KEYS=False, SETTINGS=settings)
    app.config.update(config)
    # Read (or made) now, before gunicorn forks: every worker signs with the same key, and
    # a wrong key file stops the start instead of failing harvests later.
    _ = settings.oai_key
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.wsgi_app = public_origin(app.wsgi_app, settings)  # type: ignore[method-assign]
    app.extensions["catalogue"] = Services(settings)

    from web.api import bp as api_bp
    from web.oai import bp as oai_bp
    from web.sitemap import bp as sitemap_bp
    from web.ui import bp as ui_bp

    app.register_blueprint(oai_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(ui_bp)
    app.register_blueprint(sitemap_bp)

    @app.before_request
    def _request_id() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.get("/healthz")
    def healthz() -> tuple[Response, int]:
        """Store, index (a real query) and free disk: what a load balancer or monitor needs."""
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
            _probe(services.index)
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
        body: dict[str, Any] = {"status": "ok" if healthy else "unavailable", "checks": checks}
        if checks["store"] == "ok":
            body["store_mode"] = services.store.read_mode()
        body["disk"] = _disk(settings.data_dir)
        response = jsonify(body)
        response.headers["Cache-Control"] = "no-store"
        return response, 200 if healthy else 503

    @app.errorhandler(IndexUnavailable)
    def _index_unavailable(exc: IndexUnavailable) -> Response:
        """A damaged index: 503 with a problem document (API) or a page (UI), never a 500."""
        log.error("search index unavailable on %s: %s", request.path, exc)
        body = {"type": "about:blank", "title": "Service Unavailable", "status": 503,
                "detail": "the search index cannot be read; searches are back once it is "
                          "repaired (catalogue check --repair)", "instance": request.path,
                "request_id": g.get("request_id", "")}
        if request.path.startswith("/api/"):
            response = Response(json.dumps(body), 503, mimetype="application/problem+json")
        else:
            response = Response(
                "<!doctype html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Recherche "
                "indisponible</title><h1>Recherche momentanément indisponible</h1><p>L'index de "
                "recherche est en cours de réparation. Réessayez dans quelques instants.</p></html>",
                503, mimetype="text/html")
        response.headers["Retry-After"] = "60"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if "started" in g:
            log.info(
                "%s %s %s", request.method, request.path, response.status_code,
                extra={"method": request.method, "path": request.path,
                       "status": response.status_code, "remote": request.remote_addr,
                       "duration_ms": round((time.perf_counter() - g.started) * 1000, 1)},
            )
        return response

    return app
