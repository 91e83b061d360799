"""The ``/oai`` route: CORS, OPTIONS, 405 as an OAI-PMH document, and the verb dispatch."""

from __future__ import annotations

from flask import Response, request
from werkzeug.exceptions import MethodNotAllowed

from catalogue import listing
from web.oai import bp
from web.oai.arguments import check_arguments, request_arguments
from web.oai.errors import OAIError
from web.oai.lists import get_record, plan_list, resumption, stream_page
from web.oai.rendering import (
    TAIL,
    Context,
    buffered,
    error_response,
    identify,
    list_metadata_formats,
    list_sets,
    open_response,
    xml_response,
)
from web.oai.tokens import LIST_VERBS
from web.services import services
from web.urls import external_url


def _context() -> Context:
    found = services()
    settings = found.settings
    namespace = settings.oai_namespace or "catalogue.education.fr"
    return Context(settings, found.store, found.vocab, namespace, external_url("oai.oai"),
                   found.partner_names())


ALLOW = "GET, HEAD, POST, OPTIONS"


def _with_cors(response: Response) -> Response:
    """Harvesting from a browser (a validator, a notebook) is allowed from any origin: the
    repository is public and takes no credentials."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "X-Request-Id"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


bp.after_request(_with_cors)


@bp.app_errorhandler(MethodNotAllowed)
def _method_not_allowed(error: MethodNotAllowed) -> Response | MethodNotAllowed:
    """PUT, DELETE… on ``/oai``: 405 with ``Allow`` and an OAI-PMH error document as the body
    (not Flask's HTML page), so a harvester's XML parser still reads what went wrong. Routing
    fails before any blueprint is known, hence an app-wide handler that leaves other paths
    to their own answer."""
    if request.path != "/oai":
        return error
    problem = OAIError([("badVerb", f"OAI-PMH requests are GET or POST, not {request.method}")],
                       echo=False)
    response = error_response(_context(), problem, None, {})
    response.status_code = 405
    response.headers["Allow"] = ALLOW
    return _with_cors(response)


@bp.route("/oai", methods=["GET", "POST", "OPTIONS"], provide_automatic_options=False)
def oai() -> Response:
    """The OAI-PMH endpoint."""
    ctx = _context()
    verb: str | None = None
    args: dict[str, str] = {}
    if request.method == "OPTIONS":
        response = Response(status=204)
        response.headers.pop("Content-Type", None)
        response.headers["Allow"] = ALLOW
        return response
    try:
        verb, args = check_arguments(request_arguments())
        with listing.reader(ctx.store) as ctx.rd:
            return _dispatch(ctx, verb, args)
    except OAIError as exc:
        return error_response(ctx, exc, verb, args)


def _dispatch(ctx: Context, verb: str, args: dict[str, str]) -> Response:
    """Answer a checked request; the database is read here, never while streaming."""
    head = open_response(ctx, verb, args)
    if verb in LIST_VERBS:
        plan = plan_list(ctx, verb, args)
        # The token is made now (it needs the app context); the generator only serialises rows.
        return xml_response(buffered(stream_page(ctx, plan, head, resumption(ctx, plan))))
    if verb == "Identify":
        body = identify(ctx).encode("utf-8")
    elif verb == "ListMetadataFormats":
        body = list_metadata_formats(ctx, args).encode("utf-8")
    elif verb == "ListSets":
        body = list_sets(ctx, args).encode("utf-8")
    else:
        body = get_record(ctx, args)
    return xml_response(head.encode("utf-8") + body + TAIL.encode("utf-8"))

