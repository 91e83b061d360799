"""``/resources``: search with facets and paging, and one record in several representations."""

from __future__ import annotations

from datetime import UTC
from typing import Any
from urllib.parse import urlencode

from flask import Response, request, url_for
from werkzeug.routing import BuildError

from catalogue.listing import catalogue_block
from core.ids import is_id
from core.timestamps import utc_stamp
from schemas.record import text_of
from schemas.serializers import FORMATS
from schemas.serializers.jsonld import to_jsonld
from search import FACET_GROUPS, InvalidQuery, SearchQuery, SearchResult
from search.base import Hit
from search.periods import display_date
from web.api import bp
from web.api.filters import KNOWN_FILTERS, check_known
from web.api.http import (
    ApiError,
    cached,
    invalid,
    json_response,
    negotiate,
    parse_args,
    store_state,
)
from web.api.schemas import (
    MAX_PAGE,
    RecordQuerySchema,
    SearchQuerySchema,
    concept_id,
    stamp_window,
)
from web.services import services
from web.urls import absolute, external_url, public_root

SEARCH_QUERY = SearchQuerySchema()
RECORD_QUERY = RecordQuerySchema()
JSON = "application/json"
JSONLD = "application/ld+json"
XML = "application/xml"
DESCRIPTION_CHARS = 300
_CONCEPT_GROUPS = ("level", "discipline")


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def _filters(args: dict[str, Any]) -> dict[str, list[str]]:
    """Filter values as the index wants them: current concept ids for levels and disciplines."""
    vocab = services().vocab
    filters: dict[str, list[str]] = {}
    for group in FACET_GROUPS:
        values = [concept_id(v) for v in args.get(group) or []]
        if group in _CONCEPT_GROUPS:
            resolved = []
            for value in values:
                concept = vocab.resolve(value)
                if concept is None:
                    raise invalid(group, f"{value} is not a current ScoLOMFR {group} (nor replaced by one)")
                resolved.append(str(concept.id))
            values = resolved
        elif group in KNOWN_FILTERS:
            for value in values:
                check_known(group, value)
        if values:
            filters[group] = list(dict.fromkeys(values))
    return filters


def _page_url(**changes: str | None) -> str:
    args = request.args.copy()
    for key, value in changes.items():
        args.pop(key, None)
        if value is not None:
            args[key] = value
    query = urlencode(list(args.items(multi=True)))
    return absolute(request.path) + (f"?{query}" if query else "")


def _terms(items: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    return [{"id": str(i["id"]), "label": str(i["label"])} for i in items or []]


def _aligned(items: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    """Levels and disciplines with their origin: a default must not read as a statement."""
    return [{"id": str(i["id"]), "label": str(i["label"]), "provenance": str(i.get("provenance"))}
            for i in items or []]


def _result(hit: Hit, partner_labels: dict[str, str]) -> dict[str, Any]:
    record = hit.record
    source = record.get("source") or {}
    partner = str(source.get("partner", ""))
    licence = record.get("licence")
    return {
        "id": hit.id,
        "title": text_of(record.get("title")),
        "description": _cut(text_of(record.get("description")), DESCRIPTION_CHARS),
        "title_html": hit.title_html,
        "snippet_html": hit.snippet_html,
        "partner": {"id": partner, "label": partner_labels.get(partner, partner)},
        "source_id": str(source.get("source_id", "")),
        "url": record.get("url") or source.get("landing_url"),
        "thumbnail": record.get("thumbnail"),
        "levels": _aligned(record.get("levels")),
        "disciplines": _aligned(record.get("disciplines")),
        "resource_types": _terms(record.get("resource_types")),
        "licence": ({"code": licence["code"], "label": licence["label"], "uri": licence.get("uri"),
                     "provenance": licence.get("provenance")} if licence else None),
        "languages": list(record.get("languages") or []),
        "date": display_date(record),
        "modified": (record.get("catalogue") or {}).get("modified"),
        "group_size": hit.group_size,
        "score": hit.score,
        "_links": {"self": external_url("api.get_resource", record_id=hit.id)},
    }


def _invalid_query(exc: InvalidQuery) -> ApiError:
    message = str(exc)
    for name in ("cursor", "page", "sort", "date_from", "date_to", "modified_since", "until",
                 "match", "group",
                 *FACET_GROUPS):
        if name in message:
            return invalid(name, message)
    return invalid("q", message)


def _links(args: dict[str, Any], result: SearchResult) -> dict[str, str | None]:
    per_page = args["per_page"]
    links: dict[str, str | None] = {"self": request.url, "next": None, "prev": None}
    if args.get("cursor"):
        if result.next_cursor:
            links["next"] = _page_url(cursor=result.next_cursor, page=None)
        return links
    page = args.get("page") or 1
    if page * per_page < result.total:
        if page + 1 <= MAX_PAGE:
            links["next"] = _page_url(page=str(page + 1), cursor=None)
        elif result.next_cursor:
            links["next"] = _page_url(cursor=result.next_cursor, page=None)
    if page > 1:
        links["prev"] = _page_url(page=str(page - 1), cursor=None)
    return links


def _modified_window(args: dict[str, Any]) -> dict[str, int]:
    """``modified_since`` / ``until`` as the index's epoch-second window [since, before)."""
    window: dict[str, int] = {}
    if args.get("modified_since"):
        start = stamp_window(args["modified_since"])[0]
        window["modified_since"] = int(start.replace(tzinfo=UTC).timestamp())
    if args.get("until"):
        end = stamp_window(args["until"])[1]
        window["modified_before"] = int(end.replace(tzinfo=UTC).timestamp())
    return window


def _search_body(args: dict[str, Any], filters: dict[str, list[str]]) -> dict[str, Any]:
    query = SearchQuery(
        q=args.get("q") or "", filters=filters, sort=args["sort"], page=args.get("page") or 1,
        per_page=args["per_page"], cursor=args.get("cursor"), facets=True, highlight=True,
        date_from=args.get("date_from"), date_to=args.get("date_to"), match=args["match"],
        group=args["group"], **_modified_window(args),
    )
    try:
        index = services().index
        result = index.search(query)
        did_you_mean = index.did_you_mean(query) if result.total == 0 and query.q else None
    except InvalidQuery as exc:
        raise _invalid_query(exc) from exc
    facets = {
        group: [{"id": f.id, "label": f.label, "count": f.count, "selected": f.selected}
                for f in result.facets.get(group, [])]
        for group in FACET_GROUPS
    }
    labels = services().partner_names()
    return {
        "total": result.total,
        "page": None if args.get("cursor") else (args.get("page") or 1),
        "per_page": args["per_page"],
        "results": [_result(hit, labels) for hit in result.hits],
        "facets": facets,
        "links": _links(args, result),
        "next_cursor": result.next_cursor,
        "relaxed": result.relaxed,
        "strict_total": result.strict_total,
        "proposals": [{"group": p.group, "id": p.id, "label": p.label} for p in result.proposals],
        "did_you_mean": did_you_mean,
    }


@bp.get("/resources")
def search_resources() -> Response:
    """Search the live records: full text, facet filters, facet counts, paging."""
    args = parse_args(SEARCH_QUERY)
    filters = _filters(args)
    seq, newest = store_state()
    key = ["resources", seq, services().index.last_seq, public_root(),
           sorted(request.args.items(multi=True))]
    return cached(key, newest, lambda: json_response(_search_body(args, filters)))


def html_page(record_id: str) -> str | None:
    """Path of the record's page in the catalogue's own site, when the UI is there."""
    try:
        return url_for("ui.resource", record_id=record_id)
    except BuildError:
        return None


def record_links(record_id: str) -> dict[str, str]:
    self_url = external_url("api.get_resource", record_id=record_id)
    links = {"self": self_url, "jsonld": f"{self_url}?format=jsonld"}
    links.update({prefix: f"{self_url}?format={prefix}" for prefix in FORMATS})
    page = html_page(record_id)
    if page:
        links["html"] = absolute(page)
    return links


def _record_body(record: dict[str, Any], fmt: str, catalogue: dict[str, str]) -> Response:
    if fmt == "json":
        return json_response({**record, "catalogue": catalogue, "_links": record_links(record["id"])})
    if fmt == "jsonld":
        partner = (record.get("source") or {}).get("partner", "")
        page = html_page(record["id"])
        doc = to_jsonld(record, uri=external_url("api.get_resource", record_id=record["id"]),
                        partner_name=services().partner_names().get(partner),
                        discipline_of=services().vocab.discipline_of, vocab=services().vocab,
                        page=absolute(page) if page else None)
        return json_response(doc, mimetype=JSONLD)
    return Response(FORMATS[fmt].to_xml_bytes(record), mimetype=XML)


@bp.get("/resources/<record_id>")
def get_resource(record_id: str) -> Response:
    """One record: the shared record (JSON), schema.org JSON-LD, or oai_dc / LOM / ScoLOMFR XML."""
    args = parse_args(RECORD_QUERY)
    stored = services().store.get(record_id) if is_id(record_id) else None
    if stored is not None and stored.deleted:
        raise ApiError(410, "Gone", "this record was withdrawn by its partner", slug="gone",
                       id=stored.id,
                       deleted_at=utc_stamp(stored.datestamp))
    if stored is None or stored.data is None:
        raise ApiError(404, "Not Found", f"no record {record_id[:200]!r}", slug="not-found")
    fmt = args.get("format")
    if fmt is None:
        others = {prefix: XML for prefix in FORMATS}
        fmt = "jsonld" if negotiate([JSON, JSONLD], others=others) == JSONLD else "json"
    response = cached(["record", stored.id, stored.seq, fmt, public_root()], stored.datestamp,
                      lambda: _record_body(stored.data or {}, fmt,
                                           catalogue_block(stored.datestamp, stored.seq)))
    if "format" not in request.args:
        response.vary.add("Accept")
    return response
