"""Every failure under ``/api/v1`` as problem+json, never an HTML page or a stack trace.

Flask only gives a blueprint the errors raised inside its own views: an unknown path or a wrong
method fails while routing, before any blueprint is known. A catch-all route under the prefix
brings those requests into the blueprint, where it answers 404, or 405 with ``Allow`` when the
path exists for GET.
"""

from __future__ import annotations

import logging

from flask import Response, current_app, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, default_exceptions

from web.api import bp
from web.api.http import ApiError, add_cors, problem_response
from web.services import IndexUnavailable

log = logging.getLogger("catalogue.web.api")

_SLUGS = {400: "bad-request", 404: "not-found", 405: "method-not-allowed", 406: "not-acceptable",
          410: "gone", 500: "server-error"}


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return problem_response(error)


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem_response(ApiError(status, error.name, error.description, slug=_SLUGS.get(status),
                                     headers=headers))


# Registered per status code: a code-specific handler of the app would otherwise win over a
# blueprint handler registered for the HTTPException class.
for _code in default_exceptions:
    bp.register_error_handler(_code, _http_error)


@bp.errorhandler(IndexUnavailable)
def _index_unavailable(error: IndexUnavailable) -> Response:
    log.error("API: %s on %s (request %s)", error, request.path, g.get("request_id", "-"))
    return problem_response(ApiError(
        503, "Service Unavailable", "the search index cannot be read; it is being repaired",
        slug="search-unavailable", headers={"Retry-After": "60", "Cache-Control": "no-store"}))


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return _http_error(error)
    log.exception("API error on %s %s (request %s)", request.method, request.path,
                  g.get("request_id", "-"))
    return problem_response(ApiError(500, "Internal Server Error",
                                     "the server could not answer; try again later",
                                     slug="server-error"))


bp.after_request(add_cors)


def _get_endpoint() -> str | None:
    """The view that answers GET on this path, if any (not the catch-all)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, _ = adapter.match(method="GET")
    except HTTPException:  # includes RequestRedirect
        return None
    return None if endpoint == "api.not_found" else str(endpoint)


def allowed_methods(endpoint: str) -> list[str]:
    """The methods the routes of ``endpoint`` really answer (HEAD and OPTIONS included)."""
    methods: set[str] = {"OPTIONS"}
    for rule in current_app.url_map.iter_rules(endpoint):
        methods.update(rule.methods or ())
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return sorted(methods, key=lambda m: order.index(m) if m in order else len(order))


@bp.before_request
def _options() -> Response | None:
    """``OPTIONS``: 204 with the ``Allow`` of the path (not Flask's automatic answer, whose
    ``Allow`` also lists the write methods of the catch-all route below, all of them 405)."""
    if request.method != "OPTIONS":
        return None
    endpoint = _get_endpoint()
    if endpoint is None:
        raise NotFound("no such API path; the API is described at /api/v1/docs")
    response = Response(status=204)
    response.headers.pop("Content-Type", None)  # no body
    response.headers["Allow"] = ", ".join(allowed_methods(endpoint))
    return response

_WRITE_METHODS = ["POST", "PUT", "PATCH", "DELETE"]


@bp.route("/", methods=_WRITE_METHODS, defaults={"path": ""})
@bp.route("/<path:path>", methods=["GET", *_WRITE_METHODS])
def not_found(path: str) -> Response:
    """Unknown paths (404) and known paths with another method than GET (405)."""
    if request.method != "GET":
        endpoint = _get_endpoint()
        if endpoint is not None:
            raise MethodNotAllowed(valid_methods=allowed_methods(endpoint))
    raise NotFound("no such API path; the API is described at /api/v1/docs")
