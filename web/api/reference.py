"""Reference data for API clients: the level and discipline trees with counts, the partners and
their sources with harvest status, and search-box suggestions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response

from core.timestamps import utc_stamp
from schemas.serializers.jsonld import DISCIPLINE_SCHEME, LEVEL_SCHEME
from search import SearchQuery
from web.api import bp
from web.api.http import cached, json_response, parse_args, store_state
from web.api.schemas import NoQuerySchema, SuggestQuerySchema
from web.services import services

NO_QUERY = NoQuerySchema()
SUGGEST_QUERY = SuggestQuerySchema()
_SUCCESS = ("done", "done-with-errors")


def _facet_counts(group: str) -> dict[str, int]:
    """Live records per value of a facet group, from the index (levels count their classes)."""
    result = services().index.search(SearchQuery(per_page=1, facets=True, highlight=False))
    return {f.id: f.count for f in result.facets.get(group, [])}


def _node(concept: Any, counts: dict[str, int], children: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": concept.id, "uri": concept.uri, "label": concept.label,
            "count": counts.get(concept.id, 0), "children": children}


def _level_tree() -> dict[str, Any]:
    counts = _facet_counts("level")

    def walk(nodes: Any) -> list[dict[str, Any]]:
        return [_node(n.concept, counts, walk(n.children)) for n in nodes]

    return {"id": "level", "scheme": LEVEL_SCHEME, "label": "Niveau éducatif détaillé",
            "concepts": walk(services().vocab.level_tree())}


def _discipline_tree() -> dict[str, Any]:
    """The disciplines, each with the finer topics that records use below it."""
    vocab = services().vocab
    counts = _facet_counts("discipline")
    disciplines = vocab.disciplines()
    tops = {c.id: _node(c, counts, []) for c in disciplines}
    orphans = []
    for value_id in counts:
        if value_id in tops:
            continue
        concept = vocab.concept(value_id)
        if concept is None:
            continue
        parent = vocab.discipline_of(value_id)
        if parent is not None and parent.id in tops:
            tops[parent.id]["children"].append(_node(concept, counts, []))
        else:
            orphans.append(_node(concept, counts, []))
    for node in tops.values():
        node["children"].sort(key=lambda n: (-n["count"], n["label"]))
    return {"id": "discipline", "scheme": DISCIPLINE_SCHEME, "label": "Domaine d'enseignement",
            "concepts": list(tops.values()) + sorted(orphans, key=lambda n: n["label"])}


def _index_cached(name: str, build: Any) -> Response:
    seq, newest = store_state()
    return cached([name, seq, services().index.last_seq], newest, lambda: json_response(build()))


@bp.get("/vocabularies/levels")
def vocabulary_levels() -> Response:
    """ScoLOMFR levels (voc-022): stages with their classes, then cycles, with record counts."""
    parse_args(NO_QUERY)
    return _index_cached("levels", _level_tree)


@bp.get("/vocabularies/disciplines")
def vocabulary_disciplines() -> Response:
    """ScoLOMFR disciplines (voc-015) with the topics in use below each, with record counts."""
    parse_args(NO_QUERY)
    return _index_cached("disciplines", _discipline_tree)


def _when(moment: Any) -> str | None:
    return utc_stamp(moment) if moment is not None else None


def _sources_body() -> dict[str, Any]:
    store = services().store
    counts = store.counts_by_source()
    partners: dict[str, dict[str, Any]] = {}
    for source in store.sources():
        run = store.last_run(source["id"])
        success = store.last_run(source["id"], statuses=_SUCCESS)
        partner = partners.setdefault(source["partner"], {
            "id": source["partner"], "name": source["partner_name"], "records": 0, "sources": []})
        records = counts.get(source["id"], 0)
        partner["records"] += records
        partner["sources"].append({
            "id": source["id"],
            "name": source["name"],
            "protocol": source["protocol"],
            "url": source["url"],
            "records": records,
            "last_harvest": None if run is None else {
                "status": run.status, "mode": run.mode, "started_at": _when(run.started_at),
                "finished_at": _when(run.finished_at)},
            "last_success_at": _when(success.finished_at) if success else None,
        })
    return {"records": sum(counts.values()), "partners": list(partners.values())}


@bp.get("/sources")
def sources() -> Response:
    """Partners, their sources, live record counts and the last harvest of each source."""
    parse_args(NO_QUERY)
    body = _sources_body()  # runs change without a record changing: validate on the content
    _, newest = store_state()
    return cached(["sources", body], _sources_modified(body, newest), lambda: json_response(body))


def _sources_modified(body: dict[str, Any], newest: datetime | None) -> datetime | None:
    """The last moment the answer can have changed: a record change or a run's start or end."""
    moments = [newest] if newest is not None else []
    for partner in body["partners"]:
        for source in partner["sources"]:
            run = source["last_harvest"] or {}
            for text in (run.get("started_at"), run.get("finished_at"), source["last_success_at"]):
                if text:
                    moments.append(datetime.fromisoformat(text.removesuffix("Z")))
    return max(moments, default=None)


@bp.get("/suggest")
def suggest() -> Response:
    """Completions for a search box: levels, disciplines, keywords, titles."""
    args = parse_args(SUGGEST_QUERY)
    seq, newest = store_state()

    def build() -> Response:
        found = services().index.suggest(args["q"], args["limit"])
        return json_response({"q": args["q"], "suggestions": [
            {"text": s.text, "kind": s.kind, "id": s.id} for s in found]})

    return cached(["suggest", seq, services().index.last_seq, args["q"], args["limit"]], newest, build)
