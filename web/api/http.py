"""HTTP plumbing of the API: JSON and problem responses, parameters, negotiation, caching, CORS.

Errors are RFC 9457 problem details (``application/problem+json``) raised as :class:`ApiError`
anywhere in a view. Conditional requests are answered before any search runs: the validators
come from the store's newest change (one indexed row), so a 304 costs one tiny query.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from flask import Response, current_app, g, request
from marshmallow import Schema, ValidationError, fields
from sqlalchemy import func, select
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import is_resource_modified, parse_accept_header
from werkzeug.urls import iri_to_uri

from catalogue import tables as t
from web.services import services
from web.urls import external_url

PROBLEM_JSON = "application/problem+json"
# Part of every ETag: bump it when a representation changes shape, so caches do not keep the
# old one.
API_REVISION = "2"
CACHE_CONTROL = "public, max-age=60"
_REASONS = {"Unknown field.": "unknown parameter"}


class ApiError(Exception):
    """An answer other than success; becomes a problem+json response."""

    def __init__(self, status: int, title: str, detail: str | None = None, *,
                 slug: str | None = None, invalid_params: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.slug = slug
        self.invalid_params = invalid_params
        self.headers = headers or {}
        self.extra = extra


def json_response(data: Any, status: int = 200, mimetype: str = "application/json") -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, mimetype=mimetype)


def problem_type(slug: str) -> str:
    """Problem types are anchors of the documentation page, which explains each one."""
    return external_url("api.docs", _anchor=f"problem-{slug}")


def problem_response(error: ApiError) -> Response:
    body: dict[str, Any] = {
        "type": problem_type(error.slug or "http-error"),
        "title": error.title,
        "status": error.status,
    }
    if error.detail:
        body["detail"] = error.detail
    body["instance"] = iri_to_uri(request.path)
    if error.invalid_params:
        body["invalid_params"] = error.invalid_params
    body.update(error.extra)
    if g.get("request_id"):
        body["request_id"] = g.request_id
    response = json_response(body, error.status, PROBLEM_JSON)
    response.headers.update(error.headers)
    return response


def invalid(name: str, reason: str) -> ApiError:
    return ApiError(400, "Invalid parameter", f"{name}: {reason}", slug="invalid-parameter",
                    invalid_params=[{"name": name, "reason": reason}])


def _reason(messages: Any, value: Any = None) -> str:
    """One sentence from marshmallow's messages; list items are named by their value."""
    if isinstance(messages, dict):
        parts = []
        for key, message in messages.items():
            listed = isinstance(key, int) and isinstance(value, list) and key < len(value)
            item = value[key] if listed else None
            text = _reason(message)
            parts.append(f"{item[:80]!r}: {text}" if isinstance(item, str) else text)
        return "; ".join(parts)
    if isinstance(messages, list):
        return " ".join(_reason(m) for m in messages)
    text = str(messages)
    return _REASONS.get(text, text)


def parse_args(schema: Schema) -> dict[str, Any]:
    """The query string loaded by ``schema``; 400 naming each bad or unknown parameter."""
    raw: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for name in request.args:
        values = request.args.getlist(name)
        if isinstance(schema.fields.get(name), fields.List):
            raw[name] = values
        elif len(values) > 1:
            errors[name] = "given more than once"
        else:
            raw[name] = values[0]
    try:
        loaded: dict[str, Any] = schema.load(raw)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        errors.update(messages)
    if errors:
        params = [{"name": name, "reason": _reason(message, raw.get(name))}
                  for name, message in errors.items()]
        detail = "; ".join(f"{p['name']}: {p['reason']}" for p in params)
        raise ApiError(400, "Invalid parameter", detail, slug="invalid-parameter",
                       invalid_params=params)
    return loaded


def client_accept() -> MIMEAccept:
    """The Accept header with media-type parameters dropped (``charset``, JSON-LD ``profile``…):
    they select nothing here, and stock clients send them (``application/json;
    charset=utf-8``). A type listed twice keeps its highest quality."""
    qualities: dict[str, float] = {}
    for value, quality in parse_accept_header(request.headers.get("Accept", ""), MIMEAccept):
        bare = value.split(";", 1)[0].strip().lower()
        if bare:
            qualities[bare] = max(quality, qualities.get(bare, 0.0))
    return MIMEAccept(list(qualities.items()))


def negotiate(offers: list[str], override: str | None = None,
              others: dict[str, str] | None = None) -> str:
    """The media type to answer with: ``override`` if given, else the Accept header's best pick
    among ``offers`` (the first one is the default); 406 when none is acceptable, listing the
    offers and ``others`` (representations reached by ``?format=`` only, name: media type)."""
    if override:
        return override
    if not request.headers.get("Accept", "").strip():
        return offers[0]
    best = client_accept().best_match(offers)
    if best is None:
        listed = [*offers, *(f"{media} (?format={name})" for name, media in (others or {}).items())]
        available = [{"media_type": media} for media in offers] + [
            {"media_type": media, "format": name} for name, media in (others or {}).items()]
        raise ApiError(406, "Not Acceptable",
                       f"this resource is available as {', '.join(listed)}", slug="not-acceptable",
                       available=available)
    return str(best)


def store_state() -> tuple[int, datetime | None]:
    """(highest change seq, datestamp of that change) from the store, in one indexed lookup."""
    query = (select(t.records.c.seq, t.records.c.datestamp)
             .order_by(t.records.c.seq.desc()).limit(1))
    with services().store.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return 0, None
    return int(row.seq), row.datestamp


def oldest_datestamp() -> datetime | None:
    with services().store.engine.connect() as conn:
        value: datetime | None = conn.execute(select(func.min(t.records.c.datestamp))).scalar()
    return value


def http_date(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.replace(microsecond=0)


def etag_for(parts: Iterable[Any]) -> str:
    blob = json.dumps([API_REVISION, *parts], sort_keys=True, default=str)
    return hashlib.blake2b(blob.encode(), digest_size=16).hexdigest()


def started() -> datetime:
    """When this app was made (before gunicorn forks its workers, so they agree)."""
    cache = current_app.extensions.setdefault("catalogue_api", {})
    moment: datetime = cache.setdefault("started", datetime.now(UTC))
    return moment


def cached(parts: Iterable[Any], last_modified: datetime | None,
           build: Callable[[], Response]) -> Response:
    """``build()`` with a weak ETag and Last-Modified, or 304 when the client's copy is current.

    Every answer with an ETag has a Last-Modified: without a date of its own (an empty store),
    now, which never makes a false 304 (``If-None-Match`` still gives one). Answers that change
    only with the code or the settings pass :func:`started`."""
    etag = etag_for(parts)
    modified = http_date(last_modified or datetime.now(UTC))
    if not is_resource_modified(request.environ, etag=etag, last_modified=modified):
        response = Response(status=304)
    else:
        response = build()
    response.set_etag(etag, weak=True)
    response.last_modified = modified
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def add_cors(response: Response) -> Response:
    """Public, credential-free data: any origin may GET it; preflights are answered too."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = (
        "ETag, Last-Modified, Link, Content-Disposition, X-Request-Id")
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        asked = request.headers.get("Access-Control-Request-Headers", "")
        allowed = "Accept, If-None-Match, If-Modified-Since, X-Request-Id"
        if asked and len(asked) <= 500 and all(c.isalnum() or c in "-_, " for c in asked):
            allowed = asked
        response.headers["Access-Control-Allow-Headers"] = allowed
        response.headers["Access-Control-Max-Age"] = "86400"
    return response

