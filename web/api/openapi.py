"""The OpenAPI 3.1 document, generated from the marshmallow schemas, and its HTML rendering.

Parameters and response bodies come from the same schemas the views validate with and the tests
check answers against, so the document cannot drift from the code. ``/api/v1/docs`` renders it
on the server (no script, no CDN) for the page's ``script-src 'self'`` policy.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Response, current_app, render_template, url_for
from markdown_it import MarkdownIt
from markupsafe import Markup

from web.api import bp
from web.api.http import cached, json_response, parse_args, started
from web.api.schemas import (
    CatalogQuerySchema,
    ChangesQuerySchema,
    ChangesResponseSchema,
    DumpsResponseSchema,
    IndexSchema,
    JsonLdSchema,
    NoQuerySchema,
    ProblemSchema,
    RecordOutSchema,
    RecordQuerySchema,
    SearchQuerySchema,
    SearchResponseSchema,
    SourcesResponseSchema,
    SuggestQuerySchema,
    SuggestResponseSchema,
    VocabularySchema,
)
from web.urls import external_url, public_root

TITLE = "Catalogue des ressources éducatives — open-data API"
VERSION = "1.0.0"
DESCRIPTION = """\
Read-only API over the catalogue of educational resources for French schools: search with
facets, records as JSON (the shared record), schema.org JSON-LD or oai_dc / LOM / ScoLOMFR XML,
the ScoLOMFR level and discipline trees, partners and harvest status, bulk dumps and the
catalogue's DCAT-AP description.

* No key, no sign-up; CORS is open to every origin (GET).
* Errors are RFC 9457 problem details (`application/problem+json`); a bad parameter is named
  in `invalid_params`.
* Responses carry `ETag` and `Last-Modified`; send `If-None-Match` / `If-Modified-Since` to
  get `304 Not Modified` when nothing changed.
* `Accept` is negotiated on one resource and on the DCAT description (media-type parameters
  such as `charset` or a JSON-LD `profile` are ignored; 406 lists every representation); every
  other operation has one representation, JSON, and ignores `Accept`.
* `OPTIONS` answers 204 with `Allow: GET, HEAD, OPTIONS`; other methods are 405.
* An unknown filter value (level, discipline, partner, licence, type, language) is a 400 whose
  `invalid_params` says where the valid values are, not an empty result.
* Data: Licence Ouverte / Open Licence 2.0 (Etalab) for the catalogue's descriptions; each
  resource keeps its own licence (`licence`).
"""
NO_QUERY = NoQuerySchema()
PROBLEM_TYPES = [
    ("invalid-parameter", 400, "A query parameter is unknown, repeated, or has a bad value; "
     "`invalid_params` names each one with the reason."),
    ("not-found", 404, "No such record, dump or path."),
    ("gone", 410, "The record existed but its partner withdrew it; `deleted_at` says when."),
    ("not-acceptable", 406, "None of the media types in `Accept` is available here."),
    ("method-not-allowed", 405, "The API is read-only: GET, HEAD and OPTIONS only."),
    ("server-error", 500, "Something failed on the server; the answer carries a `request_id` to "
     "quote when reporting it."),
    ("bad-request", 400, "The request itself could not be read."),
    ("search-unavailable", 503, "The search index cannot be read (damaged, being repaired); "
     "retry after `Retry-After` seconds. Records by id keep working."),
    ("http-error", 0, "Any other HTTP error; `status` gives the code."),
]


def _problem(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/problem+json": {"schema": "Problem"}}}


_CACHE_HEADERS = {
    "ETag": {"description": "Validator for If-None-Match.", "schema": {"type": "string"}},
    "Last-Modified": {"description": "Newest change.", "schema": {"type": "string"}},
}


def _ok(description: str, content: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "headers": _CACHE_HEADERS, "content": content}


def _json(schema: Any) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _responses(ok: dict[str, Any], *extra: int) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": ok, "304": {"description": "Not modified since the "
                                                                   "validators sent."},
                                 "400": _problem("Invalid parameter.")}
    messages = {404: "Not found.", 406: "No acceptable representation.",
                410: "Withdrawn record."}
    for code in extra:
        responses[str(code)] = _problem(messages[code])
    responses["500"] = _problem("Server error.")
    return responses


def _operation(summary: str, tag: str, query: Any, responses: dict[str, Any],
               description: str = "", path_params: list[dict[str, Any]] | None = None,
               operation_id: str = "") -> dict[str, Any]:
    parameters: list[dict[str, Any]] = list(path_params or [])
    if query is not None and query.fields:
        parameters.append({"in": "query", "schema": query})
    op = {"summary": summary, "tags": [tag], "operationId": operation_id, "parameters": parameters,
          "responses": responses}
    if description:
        op["description"] = description
    return op


def build_spec() -> dict[str, Any]:
    """The OpenAPI 3.1 document (as a dict)."""
    spec = APISpec(
        title=TITLE, version=VERSION, openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={"description": DESCRIPTION,
              "license": {"name": "Licence Ouverte 2.0",
                          "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}},
        servers=[{"url": "/"}],
        tags=[{"name": n, "description": d} for n, d in (
            ("resources", "Search and records"),
            ("vocabularies", "ScoLOMFR trees with record counts"),
            ("sources", "Partners and harvests"),
            ("downloads", "Bulk dumps and the DCAT description"),
            ("meta", "This documentation"),
        )],
    )
    for name, schema in (("Problem", ProblemSchema), ("SearchResponse", SearchResponseSchema),
                         ("Record", RecordOutSchema), ("JsonLd", JsonLdSchema),
                         ("Vocabulary", VocabularySchema), ("Sources", SourcesResponseSchema),
                         ("Suggestions", SuggestResponseSchema), ("Dumps", DumpsResponseSchema),
                         ("Changes", ChangesResponseSchema), ("Index", IndexSchema)):
        spec.components.schema(name, schema=schema)

    record_id = {"in": "path", "name": "record_id", "required": True,
                 "description": "Record id (as in search results).",
                 "schema": {"type": "string", "minLength": 1, "maxLength": 200}}
    rdf: dict[str, Any] = {media: {"schema": {}} for media in ("text/turtle", "application/ld+json",
                                                "application/rdf+xml")}
    gzip = {"application/gzip": {"schema": {"type": "string", "format": "binary"}}}
    paths: list[tuple[str, dict[str, Any]]] = [
        ("/api/v1/resources", _operation(
            "Search resources", "resources", SearchQuerySchema(),
            _responses(_ok("Matching records, facet counts and paging links.",
                           _json("SearchResponse"))),
            description="Without `q`, browses newest first. Filters combine with AND between "
            "parameters and OR within a repeated parameter. Facet counts are disjunctive (each "
            "group counted as if its own filter were off); pass a facet value's `id` back as the "
            "parameter of the same name to select it. Deep paging: follow `links.next`, which "
            "switches to `cursor` past 10,000 results.",
            operation_id="searchResources")),
        ("/api/v1/resources/{record_id}", _operation(
            "Get one resource", "resources", RecordQuerySchema(),
            _responses(_ok("The record.", {
                **_json("Record"),
                "application/ld+json": {"schema": "JsonLd"},
                "application/xml": {"schema": {"type": "string"}},
            }), 404, 406, 410),
            description="`Accept: application/ld+json` (or `format=jsonld`) gives schema.org "
            "LearningResource JSON-LD; `format=oai_dc|lom|scolomfr` the XML of the OAI-PMH "
            "endpoint. A withdrawn record answers 410 Gone.",
            path_params=[record_id], operation_id="getResource")),
        ("/api/v1/changes", _operation(
            "Changes feed", "resources", ChangesQuerySchema(),
            _responses(_ok("Created, updated and deleted record ids in change order.",
                           _json("Changes"))),
            description="Keeps a copy in sync without OAI-PMH: load a dump and start "
            "from its `change` (see `/api/v1/dumps`), or start without `since`; then ask again "
            "with `since` = the last answer's `next`. "
            "For each change, GET the record (`_links.self`) if created or updated, drop it if "
            "deleted. Each record appears once, at its latest change; deletions are kept for ever "
            "(as OAI-PMH's persistent `deletedRecord`). A token ahead of the catalogue, or a bad "
            "date, is a 400.",
            operation_id="listChanges")),
        ("/api/v1/vocabularies/levels", _operation(
            "Level tree", "vocabularies", NO_QUERY,
            _responses(_ok("Stages with their classes, then cycles.", _json("Vocabulary"))),
            operation_id="getLevels")),
        ("/api/v1/vocabularies/disciplines", _operation(
            "Discipline tree", "vocabularies", NO_QUERY,
            _responses(_ok("The disciplines with the topics used below each.", _json("Vocabulary"))),
            operation_id="getDisciplines")),
        ("/api/v1/sources", _operation(
            "Partners and sources", "sources", NO_QUERY,
            _responses(_ok("Record counts and last harvest per source.", _json("Sources"))),
            operation_id="getSources")),
        ("/api/v1/suggest", _operation(
            "Suggestions", "resources", SuggestQuerySchema(),
            _responses(_ok("Levels, disciplines, keywords and titles starting like q.",
                           _json("Suggestions"))),
            operation_id="suggest")),
        ("/api/v1/dumps", _operation(
            "List dumps", "downloads", NO_QUERY,
            _responses(_ok("Available dumps with date and size.", _json("Dumps"))),
            operation_id="listDumps")),
        ("/api/v1/dumps/resources.jsonl.gz", _operation(
            "JSON Lines dump", "downloads", NO_QUERY,
            _responses(_ok("One shared record per line (gzip).", gzip), 404),
            operation_id="getJsonlDump")),
        ("/api/v1/dumps/resources.csv.gz", _operation(
            "CSV dump", "downloads", NO_QUERY,
            _responses(_ok("One row per record (gzip).", gzip), 404),
            operation_id="getCsvDump")),
        ("/api/v1/dumps/archive/{name}", _operation(
            "Dated dump", "downloads", NO_QUERY,
            _responses(_ok("An earlier generation of a dump, as listed in /api/v1/dumps "
                           "(archive); check it against its sha256.", gzip), 404),
            path_params=[{"in": "path", "name": "name", "required": True,
                          "description": "Dated file name (resources-YYYYMMDDThhmmssZ.jsonl.gz or "
                          ".csv.gz) from /api/v1/dumps.",
                          "schema": {"type": "string", "minLength": 1, "maxLength": 100}}],
            operation_id="getArchivedDump")),
        ("/api/v1/catalog", _operation(
            "DCAT-AP description", "downloads", CatalogQuerySchema(),
            _responses(_ok("The catalogue as dcat:Catalog (Turtle unless Accept or format says "
                           "otherwise).", rdf), 406),
            operation_id="getCatalog")),
        ("/api/v1/", _operation(
            "Entry point", "meta", NO_QUERY,
            _responses(_ok("Links to every collection of the API.", _json("Index"))),
            operation_id="getIndex")),
        ("/api/v1/openapi.json", _operation(
            "This OpenAPI document", "meta", NO_QUERY,
            _responses(_ok("OpenAPI 3.1.", _json({"type": "object"}))),
            operation_id="getOpenapi")),
        ("/api/v1/docs", _operation(
            "This documentation as HTML", "meta", NO_QUERY,
            _responses(_ok("HTML page.", {"text/html": {"schema": {"type": "string"}}})),
            operation_id="getDocs")),
    ]
    for path, operation in paths:
        spec.path(path=path, operations={"get": operation})
    return spec.to_dict()


def spec_dict() -> dict[str, Any]:
    """The document, built once per app."""
    cache = current_app.extensions.setdefault("catalogue_api", {})
    if "spec" not in cache:
        cache["spec"] = build_spec()
        cache["spec_json"] = json.dumps(cache["spec"], ensure_ascii=False, sort_keys=True)
    spec: dict[str, Any] = cache["spec"]
    return spec


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """The OpenAPI 3.1 document."""
    parse_args(NO_QUERY)
    spec = spec_dict()
    return cached(["openapi", current_app.extensions["catalogue_api"]["spec_json"]], _code_date(),
                  lambda: json_response(spec))


def _code_date() -> datetime:
    """The document changes only with the code that builds it: its newest source file's date."""
    here = Path(__file__).resolve().parent
    newest = max((p.stat().st_mtime for p in here.glob("*.py")), default=0.0)
    return datetime.fromtimestamp(newest, UTC)


def _schema_text(schema: dict[str, Any]) -> str:
    """A short human reading of a JSON schema ("array of Term", "string ≤ 500", …)."""
    if not schema:
        return "any"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_schema_text(s) for s in schema["anyOf"])
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = " or ".join(str(k) for k in kind)
    if kind == "array":
        return f"array of {_schema_text(schema.get('items', {}))}"
    parts = [str(kind)]
    if "enum" in schema:
        parts.append("one of " + ", ".join(str(v) for v in schema["enum"] if v is not None))
    if "minimum" in schema or "maximum" in schema:
        parts.append(f"{schema.get('minimum', '')}…{schema.get('maximum', '')}")
    if "maxLength" in schema:
        parts.append(f"≤ {schema['maxLength']} chars")
    if "pattern" in schema:
        parts.append(f"matching {schema['pattern']}")
    return ", ".join(parts)


_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def _md(text: str, inline: bool = False) -> Markup:
    """Our own Markdown (raw HTML disabled) as HTML."""
    return Markup(_MARKDOWN.renderInline(text) if inline else _MARKDOWN.render(text))  # noqa: S704


def _docs_context() -> dict[str, Any]:
    spec = spec_dict()
    operations = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            params = [{
                "name": p["name"], "where": p["in"], "required": p.get("required", False),
                "repeatable": p.get("schema", {}).get("type") == "array",
                "type": _schema_text(p.get("schema", {})),
                "default": p.get("schema", {}).get("default"),
                "description": p.get("description", ""),
            } for p in op.get("parameters", [])]
            responses = [{
                "status": status, "description": r.get("description", ""),
                "media": [{"type": m, "schema": _schema_text(c.get("schema", {}))}
                          for m, c in r.get("content", {}).items()],
            } for status, r in op["responses"].items()]
            operations.append({"method": method.upper(), "path": path, "id": op["operationId"],
                               "summary": op["summary"], "description": _md(op.get("description", "")),
                               "params": params, "responses": responses})
    schemas = []
    for name, schema in spec["components"]["schemas"].items():
        required = set(schema.get("required", []))
        schemas.append({"name": name, "description": schema.get("description", ""), "fields": [
            {"name": field, "type": _schema_text(sub), "required": field in required,
             "description": sub.get("description", "")}
            for field, sub in schema.get("properties", {}).items()]})
    return {"title": spec["info"]["title"], "version": spec["info"]["version"],
            "intro": _md(spec["info"]["description"]), "operations": operations, "schemas": schemas,
            "schema_names": {s["name"] for s in schemas},
            "problems": [(slug, status, _md(text, inline=True)) for slug, status, text in PROBLEM_TYPES],
            "spec_url": url_for("api.openapi_json")}


@bp.get("/docs")
def docs() -> Response:
    """Human-readable documentation rendered from the OpenAPI document."""
    parse_args(NO_QUERY)
    spec_dict()

    def build() -> Response:
        html = render_template("api/docs.html", **_docs_context())
        return Response(html, mimetype="text/html")

    return cached(["docs", current_app.extensions["catalogue_api"]["spec_json"], public_root()],
                  started(), build)


@bp.get("/")
def index() -> Response:
    """Where to start: links to the collections, the documentation and the OpenAPI document."""
    parse_args(NO_QUERY)
    names = {"resources": "api.search_resources", "levels": "api.vocabulary_levels",
             "disciplines": "api.vocabulary_disciplines", "sources": "api.sources",
             "suggest": "api.suggest", "dumps": "api.list_dumps", "changes": "api.list_changes",
             "catalog": "api.catalog",
             "openapi": "api.openapi_json", "docs": "api.docs"}
    body = {"title": TITLE, "version": VERSION,
            "links": {name: external_url(endpoint) for name, endpoint in names.items()}}
    return cached(["index", body], started(), lambda: json_response(body))
