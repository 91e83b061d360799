"""Elasticsearch 8/9 and OpenSearch 2.x backend behind the same SearchIndex contract.

The mapping and request bodies below are the same for both servers; ``search.engine_client``
picks the HTTP client (the official ``elasticsearch`` one, or ``opensearch-py``).

Writes go through an alias (default ``catalogue``) that points at one concrete index
``catalogue-<UTC timestamp>``; a rebuild fills a new index and swaps the alias in one atomic
``update_aliases`` call. The analysis chain is the tantivy one (words as its ``simple``
tokenizer cuts them, lowercase, asciifolding, the same French stop words, Snowball ``french``
stemmer). Facets are disjunctive: filters go in ``post_filter`` and each facet aggregation is
filtered by the other groups only.

The request and mapping builders are pure functions, unit-tested without a server.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import os
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from schemas.record import text_of
from search import forgiving, suggest
from search.base import (
    FACET_GROUPS,
    FacetValue,
    Hit,
    InvalidQuery,
    SearchIndex,
    SearchQuery,
    SearchResult,
    Suggestion,
)
from search.documents import (
    EXACT_TITLE_BOOST,
    FACET_FIELDS,
    TEXT_FIELDS,
    SearchDocument,
    facet_terms,
    to_document,
)
from search.engine_client import EngineClient, Refused, connect
from search.expansion import Alternative, Clause
from search.facets import Taxonomy, split_label
from search.forgiving import COVER, DATE_SCORE, FACET_SCORE, TITLE_COVER, max_span
from search.paging import MAX_PER_PAGE, MAX_WINDOW, Plan, encode_cursor, make_plan
from search.text import (
    FRENCH_STOP_WORDS,
    fold_key,
    group_key,
    is_stop_word,
    mark_html,
    snippet_html,
    strip_qualifiers,
    user_text,
)

log = logging.getLogger(__name__)

ALIAS_SETTING = "CATALOGUE_SEARCH_INDEX"
ANALYSER_VERSION = 2  # 2: words and stemmer as tantivy's (pattern tokenizer, Snowball)
# 2: dates, period facet, completion words, collation key, series groups; 3: catalogue change
# datestamp (modified_since, sort=modified)
LAYOUT_VERSION = 3
SORT_CLAUSES: dict[str, list[dict[str, str]]] = {
    "relevance": [{"_score": "desc"}, {"id": "asc"}],
    "date": [{"date": "desc"}, {"id": "desc"}],
    "title": [{"sort_title": "asc"}, {"id": "asc"}],
    "modified": [{"modified": "desc"}, {"id": "desc"}],
}
_MARK_SPLIT = re.compile(r"(</?mark>)")


# -- pure builders ----------------------------------------------------------------------------


def index_body() -> dict[str, Any]:
    """Settings and mappings of a concrete index."""
    keyword = {"type": "keyword"}
    text = {"type": "text", "analyzer": "fr"}
    return {
        "settings": {
            "analysis": {
                # Words as tantivy's `simple` tokenizer cuts them: runs of letters and digits.
                # The `standard` tokenizer keeps "d'Auvergne" or "meteo.fr" whole, so a phrase
                # or a word would not line up with what tantivy finds.
                "tokenizer": {
                    "fr_words": {"type": "pattern", "pattern": "[^\\p{L}\\p{N}]+"},
                },
                "filter": {
                    "fr_stop": {"type": "stop", "stopwords": list(FRENCH_STOP_WORDS)},
                    "fr_stemmer": {"type": "stemmer", "language": "french"},  # Snowball
                    "fr_long": {"type": "length", "max": 40},
                },
                "analyzer": {
                    "fr": {"type": "custom", "tokenizer": "fr_words",
                           "filter": ["fr_long", "lowercase", "asciifolding", "fr_stop",
                                      "fr_stemmer"]},
                    # Exact words of titles (suggestions, exact-title boost): no stemming.
                    "fold": {"type": "custom", "tokenizer": "fr_words",
                             "filter": ["fr_long", "lowercase", "asciifolding"]},
                },
            },
            # The last allowed page asks for one hit more, to know whether another follows.
            "max_result_window": MAX_WINDOW + MAX_PER_PAGE + 1,
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"analyser": ANALYSER_VERSION, "layout": LAYOUT_VERSION, "last_seq": 0},
            "properties": {
                "id": keyword,
                "title": {**text, "fields": {"prefix": {"type": "text", "analyzer": "fold"}}},
                "keywords": text,
                "description": text,
                "extra": text,
                **{field: keyword for field in FACET_FIELDS.values()},
                **{group: keyword for group in FACET_GROUPS},
                "kw_suggest": keyword,
                "word_suggest": keyword,
                "group_key": keyword,
                "year_start": {"type": "long"},
                "year_end": {"type": "long"},
                "year_span": {"type": "long"},
                "date": {"type": "long"},
                "modified": {"type": "long"},
                "sort_title": keyword,
                "record": {"type": "object", "enabled": False},
            },
        },
    }


def document_body(doc: SearchDocument) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": doc.id,
        "title": doc.title,
        "keywords": doc.keywords,
        "description": doc.description,
        "extra": doc.extra,
        **doc.facets,
        "type_facet": doc.facet_labels["type"],
        "licence_facet": doc.facet_labels["licence"],
        "kw_suggest": doc.keyword_suggest,
        "word_suggest": doc.word_suggest,
        "group_key": doc.group,
        "date": doc.date,
        "modified": doc.modified,
        "sort_title": doc.title_key,
        "record": doc.record,
    }
    if doc.interval is not None:
        body.update(year_start=doc.interval[0], year_end=doc.interval[1],
                    year_span=doc.interval[1] - doc.interval[0])
    return body


def _fields(fields: Mapping[str, float]) -> list[str]:
    return [f"{name}^{boost:g}" for name, boost in fields.items()]


def overlap(start: int, end: int) -> list[dict[str, Any]]:
    """Filters: the record's year interval overlaps [start, end]."""
    return [{"range": {"year_start": {"lte": end}}}, {"range": {"year_end": {"gte": start}}}]


def alternative_query(alt: Alternative, fields: Mapping[str, float]) -> dict[str, Any]:
    """One way to satisfy a clause, scored like the tantivy backend scores it."""
    if alt.kind == "words":
        return {"multi_match": {"query": " ".join(alt.words), "type": "cross_fields",
                                "fields": _fields(fields), "operator": "and",
                                "boost": alt.weight}}
    if alt.kind == "phrase":
        return {"multi_match": {"query": " ".join(alt.words), "type": "phrase",
                                "fields": _fields(fields), "boost": alt.weight}}
    if alt.kind == "dates":
        span = {"range": {"year_span": {"lte": max_span(alt.start, alt.end)}}}
        return {"constant_score": {
            "filter": {"bool": {"filter": [*overlap(alt.start, alt.end), span]}},
            "boost": DATE_SCORE * alt.weight}}
    return {"constant_score": {"filter": {"terms": {alt.kind: list(alt.ids)}},
                               "boost": FACET_SCORE * alt.weight}}


def clause_query(clause: Clause, fields: Mapping[str, float], *,
                 text_only: bool = False) -> dict[str, Any] | None:
    alts = clause.text_alternatives if text_only else clause.alternatives
    if not alts:
        return None
    return {"bool": {"should": [alternative_query(a, fields) for a in alts],
                     "minimum_should_match": 1}}


def text_query(plan: Plan) -> dict[str, Any]:
    """Every clause required, or (relaxed) the most satisfied first; dates filter the rest."""
    if not plan.has_text:
        query: dict[str, Any] = {"bool": {"must": [{"match_all": {}}]}}
    else:
        must: list[dict[str, Any]] = []
        should: list[dict[str, Any]] = []
        for clause in plan.expansion.clauses:
            anywhere = clause_query(clause, TEXT_FIELDS)
            if anywhere is None:
                continue
            if not plan.relaxed or clause.strict:
                must.append(anywhere)
                continue
            should.append({"constant_score": {"filter": anywhere, "boost": COVER}})
            in_title = clause_query(clause, {"title": 1.0}, text_only=True)
            if in_title is not None:
                should.append({"constant_score": {"filter": in_title, "boost": TITLE_COVER}})
            should.append(anywhere)
        if not must and not should:
            query = {"bool": {"must_not": [{"match_all": {}}]}}
        else:
            query = {"bool": {"must": must}}
            if should:
                query["bool"]["should"] = should
                query["bool"]["minimum_should_match"] = 0 if must else 1
        exact = [word for word in plan.parsed.words if not is_stop_word(word)]
        if exact and (must or should):  # optional: changes the order, never the results
            query = {"bool": {"must": [query], "should": [{"match": {"title.prefix": {
                "query": " ".join(exact), "boost": EXACT_TITLE_BOOST}}}]}}
    if plan.dates is not None:
        query["bool"].setdefault("filter", []).extend(overlap(*plan.dates))
    if plan.modified is not None:
        query["bool"].setdefault("filter", []).append(
            {"range": {"modified": {"gte": plan.modified[0], "lt": plan.modified[1]}}})
    return query


def _terms(group: str, values: Iterable[str]) -> dict[str, Any]:
    return {"terms": {group: list(values)}}


def search_body(plan: Plan) -> dict[str, Any]:
    """The whole request: query, post_filter, disjunctive aggregations, sort, paging."""
    filters = {g: _terms(g, v) for g, v in plan.filters.items()}
    body: dict[str, Any] = {
        "query": text_query(plan),
        "size": plan.per_page + 1,
        "sort": SORT_CLAUSES[plan.sort],
        "track_total_hits": True,
    }
    if filters:
        body["post_filter"] = {"bool": {"filter": list(filters.values())}}
    if plan.group:
        body["collapse"] = {"field": "group_key"}
        body.setdefault("aggs", {})["groups"] = {"filter": body.get("post_filter", {"match_all": {}}),
                                                 "aggs": {"n": {"cardinality": {
                                                     "field": "group_key",
                                                     "precision_threshold": 40_000}}}}
    if plan.after is not None:
        values = plan.after[1:]
        if (plan.after[0] != "a" or len(values) != len(SORT_CLAUSES[plan.sort])
                or not all(isinstance(v, int | float | str) and not isinstance(v, bool)
                           for v in values)):
            raise InvalidQuery("invalid cursor")
        body["search_after"] = plan.after[1:]
    elif plan.offset:
        body["from"] = plan.offset
    if plan.facets:
        aggs = body.setdefault("aggs", {})
        for group in FACET_GROUPS:
            others = [q for g, q in filters.items() if g != group]
            aggs[group] = {
                "filter": {"bool": {"filter": others}} if others else {"match_all": {}},
                "aggs": {"values": facet_terms(group)},
            }
    if plan.highlight and plan.has_text:
        body["highlight"] = {
            "encoder": "html",
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "fields": {
                "title": {"number_of_fragments": 0},
                "description": {"fragment_size": 200, "number_of_fragments": 1},
            },
        }
    return body


def _prefix_pattern(prefix: str) -> str:
    """A terms-aggregation ``include`` regex for values starting with the folded ``prefix``."""
    key = fold_key(prefix)
    return "".join(c if c.isalnum() or c == " " else "\\" + c for c in key) + ".*"


def suggest_body(prefix: str, concept_ids: Mapping[str, list[str]], size: int) -> dict[str, Any]:
    """Titles by phrase prefix; words, keyword and concept counts by filtered terms aggregations.

    The aggregations sit under a ``global`` one: a keyword or a level is suggested when any
    record has it, not only the records whose title starts with the prefix (as with tantivy).
    """
    pattern = _prefix_pattern(prefix)
    aggs: dict[str, Any] = {
        "keywords": {"terms": {"field": "kw_suggest", "include": pattern, "size": 50}},
        "words": {"terms": {"field": "word_suggest", "include": pattern, "size": 50}},
    }
    for kind, ids in concept_ids.items():
        if ids:
            aggs[kind] = {"terms": {"field": kind, "include": list(ids), "size": len(ids)}}
    query_type = "match_phrase" if prefix[-1:].isspace() else "match_phrase_prefix"
    return {
        "query": {query_type: {"title.prefix": prefix.strip()}},
        "size": size,
        "_source": ["record.id", "record.title"],
        "aggs": {"all": {"global": {}, "aggs": aggs}},
    }


def _unmark(fragment: str) -> tuple[str, list[tuple[int, int]]]:
    """Plain text and mark spans of an Elasticsearch fragment (html encoder, <mark> tags)."""
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    start: int | None = None
    for piece in _MARK_SPLIT.split(fragment):
        if piece == "<mark>":
            start = pos
        elif piece == "</mark>":
            if start is not None:
                spans.append((start, pos))
            start = None
        elif piece:
            plain = html.unescape(piece)
            text.append(plain)
            pos += len(plain)
    return "".join(text), spans


def render_highlight(full: str, fragments: list[str] | None, snippet: bool) -> str:
    """Our own escaping around the engine's match positions (same output as tantivy's path)."""
    for fragment in fragments or []:
        plain, spans = _unmark(fragment)
        if not snippet and plain == full:
            return mark_html(full, spans)
        if snippet:
            at = full.find(plain)
            if at >= 0:
                shifted = [(s + at, e + at) for s, e in spans]
                return snippet_html(full, shifted)
    return mark_html(full, []) if not snippet else snippet_html(full, [])


# -- the index --------------------------------------------------------------------------------


class ElasticIndex(SearchIndex):
    """Elasticsearch 8/9 or OpenSearch 2.x; the HTTP client comes from ``search.engine_client``."""

    def __init__(
        self,
        url: str | None = None,
        *,
        alias: str | None = None,
        partner_labels: Mapping[str, str] | None = None,
        taxonomy: Taxonomy | None = None,
        client: EngineClient | None = None,
        engine: str | None = None,
    ) -> None:
        self._owns_client = client is None
        if client is None:
            if not url:
                raise ValueError("ElasticIndex needs a URL or a client")
            client = connect(url, engine)
        self.client = client
        # Several catalogues (or test runs) can share a cluster, each under its own alias.
        self.alias = alias or os.environ.get(ALIAS_SETTING) or "catalogue"
        self.taxonomy = taxonomy or Taxonomy(partner_labels)
        self._seq_index: str | None = None  # concrete index last_seq was read from
        self._ensure_alias()

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    def _new_index_name(self) -> str:
        return f"{self.alias}-{datetime.now(UTC).strftime('%Y%m%dt%H%M%S%f')}"

    def _ensure_alias(self) -> None:
        if self.client.alias_exists(self.alias):
            return
        try:
            self.client.create_index(self._new_index_name(), index_body(), alias=self.alias)
        except Refused as exc:  # another process created it first
            if "already_exists" not in str(exc):
                raise

    def _meta(self) -> tuple[str | None, dict[str, Any]]:
        """(concrete index behind the alias, its mapping _meta)."""
        for name, meta in self.client.mapping_meta(self.alias).items():
            return name, meta
        return None, {}

    @property
    def needs_rebuild(self) -> bool:
        _, meta = self._meta()
        return meta.get("analyser") != ANALYSER_VERSION or meta.get("layout") != LAYOUT_VERSION

    @property
    def last_seq(self) -> int:
        self._seq_index, meta = self._meta()
        return int(meta.get("last_seq") or 0)

    def set_last_seq(self, seq: int) -> None:
        """Save ``seq`` unless a rebuild swapped the alias since ``last_seq`` was read."""
        name, meta = self._meta()
        if name is None or (self._seq_index is not None and name != self._seq_index):
            log.info("search: alias %s swapped during a sync; last_seq not advanced", self.alias)
            self._seq_index = None
            return
        # _meta is replaced as a whole: keep the versions the index was built with.
        self.client.put_meta(name, {**meta, "last_seq": int(seq)})

    # -- writing ------------------------------------------------------------------------------

    def _bulk(self, actions: Iterable[dict[str, Any]], index: str) -> int:
        ok, errors = self.client.bulk(actions)
        for error in errors:
            op: dict[str, Any] = next(iter(error.values()), {})
            if op.get("status") != 404:
                log.warning("search: %s refused %s: %s", self.client.engine, op.get("_id"),
                            op.get("error"))
        self.client.refresh(index)
        return ok

    def _index_actions(self, records: Iterable[dict[str, Any]], index: str,
                       counter: list[int]) -> Iterable[dict[str, Any]]:
        for record in records:
            try:
                doc = to_document(record, self.taxonomy)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                rid = record.get("id") if isinstance(record, dict) else None
                log.warning("search: record %s not indexed: %s", rid, exc)
                continue
            counter[0] += 1
            yield {"_op_type": "index", "_index": index, "_id": doc.id,
                   "_source": document_body(doc)}

    def index(self, records: Iterable[dict[str, Any]]) -> int:
        counter = [0]
        self._bulk(self._index_actions(records, self.alias, counter), self.alias)
        return counter[0]

    def delete(self, ids: Iterable[str]) -> None:
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": str(i)} for i in ids)
        self._bulk(actions, self.alias)

    def rebuild(self, records: Iterable[dict[str, Any]], last_seq: int | None = None) -> int:
        old = self.client.alias_indices(self.alias)
        name = self._new_index_name()
        self.client.create_index(name, index_body())
        try:
            counter = [0]
            self._bulk(self._index_actions(records, name, counter), name)
            meta = {**index_body()["mappings"]["_meta"], "last_seq": last_seq or 0}
            self.client.put_meta(name, meta)
        except BaseException:
            self.client.delete_index(name)
            raise
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": name, "alias": self.alias, "is_write_index": True}})
        self.client.update_aliases(actions)
        for stale in old[:-1]:  # keep the previous index for searches still running on it
            self.client.delete_index(stale)
        return counter[0]

    # -- reading ------------------------------------------------------------------------------

    def count(self) -> int:
        return self.client.count(self.alias)

    def get(self, record_id: str) -> dict[str, Any] | None:
        found = self.client.get_source(self.alias, record_id, ["record"])
        if found is None:
            return None
        record: dict[str, Any] = found["record"]
        return record

    def search(self, query: SearchQuery) -> SearchResult:
        return forgiving.run(self._execute, make_plan(query, self.taxonomy), self.taxonomy)

    def _execute(self, plan: Plan) -> SearchResult:
        body = search_body(plan)
        try:
            response = self.client.search(self.alias, body)
        except Refused as exc:
            if plan.after is not None:  # a forged search_after value the engine refuses
                raise InvalidQuery("invalid cursor") from exc
            raise
        result = parse_response(plan, response, self.taxonomy)
        if plan.group and result.hits:
            result = self._group_sizes(body, result)
        return result

    def _group_sizes(self, body: dict[str, Any], result: SearchResult) -> SearchResult:
        """How many matching records share each shown hit's series title (one more request)."""
        keys = [group_key(h.record) for h in result.hits]
        filters = [body["query"], *([body["post_filter"]] if "post_filter" in body else [])]
        request = {"size": 0, "query": {"bool": {"filter": filters}},
                   "aggs": {"g": {"terms": {"field": "group_key", "include": keys,
                                            "size": len(keys)}}}}
        response = self.client.search(self.alias, request)
        counts = {b["key"]: int(b["doc_count"])
                  for b in response.get("aggregations", {}).get("g", {}).get("buckets", [])}
        hits = [dataclasses.replace(h, group_key=k, group_size=counts.get(k, 1))
                for h, k in zip(result.hits, keys, strict=True)]
        return dataclasses.replace(result, hits=hits)

    def top_terms(self, field: str, prefix: str, limit: int) -> list[tuple[str, int]]:
        if field not in ("word_suggest", "kw_suggest"):
            raise ValueError(f"not a suggestion field: {field}")
        terms: dict[str, Any] = {"field": field, "size": limit}
        if prefix:
            terms["include"] = _prefix_pattern(prefix)
        response = self.client.search(self.alias, {"size": 0, "aggs": {"t": {"terms": terms}}})
        return [(str(b["key"]), int(b["doc_count"]))
                for b in response.get("aggregations", {}).get("t", {}).get("buckets", [])]

    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        prefix = user_text(prefix, 100)
        if not fold_key(prefix) or limit <= 0:
            return []
        candidates = self.taxonomy.concept_candidates(prefix)
        ids: dict[str, list[str]] = {"level": [], "discipline": []}
        for kind, concept_id, _ in candidates:
            ids[kind].append(concept_id)
        response = self.client.search(self.alias, suggest_body(prefix, ids, 4 * limit))
        aggs = response.get("aggregations", {}).get("all", {})
        present = {(kind, b["key"]) for kind in ids for b in aggs.get(kind, {}).get("buckets", [])}
        concepts = [Suggestion(strip_qualifiers(label), kind, cid)  # type: ignore[arg-type]
                    for kind, cid, label in candidates if (kind, cid) in present]
        terms = suggest.words([(b["key"], int(b["doc_count"]))
                               for b in aggs.get("words", {}).get("buckets", [])])
        keywords = [Suggestion(split_label(b["key"])[1] or b["key"], "keyword")
                    for b in aggs.get("keywords", {}).get("buckets", [])]
        titles = [
            Suggestion(suggest.clean_title(text_of(h["_source"]["record"]["title"])), "title",
                       str(h["_source"]["record"]["id"]))
            for h in response.get("hits", {}).get("hits", [])
        ]
        return suggest.merge_suggestions(
            [concepts, terms, suggest.periods(self, prefix), keywords,
             [t for t in titles if t.text]], limit)


def parse_response(plan: Plan, response: dict[str, Any], taxonomy: Taxonomy) -> SearchResult:
    """SearchResult from a search response to :func:`search_body`."""
    hits_section = response.get("hits", {})
    raw_hits = hits_section.get("hits", [])
    more = len(raw_hits) > plan.per_page
    raw_hits = raw_hits[: plan.per_page]
    hits = []
    for raw in raw_hits:
        record = raw["_source"]["record"]
        highlight = raw.get("highlight", {})
        title = text_of(record.get("title"))
        description = text_of(record.get("description"))
        hits.append(Hit(
            id=str(record["id"]),
            record=record,
            score=float(raw["_score"]) if plan.sort == "relevance" and raw.get("_score") else None,
            title_html=render_highlight(title, highlight.get("title"), snippet=False),
            snippet_html=render_highlight(description, highlight.get("description"), snippet=True),
        ))
    facets: dict[str, list[FacetValue]] = {}
    aggs = response.get("aggregations", {})
    if plan.facets:
        for group in FACET_GROUPS:
            buckets = {str(b["key"]): int(b["doc_count"])
                       for b in aggs.get(group, {}).get("values", {}).get("buckets", [])}
            facets[group] = taxonomy.facet_values(group, buckets, plan.filters.get(group, ()))
    next_cursor = None
    if more and raw_hits:
        next_cursor = encode_cursor(plan, ["a", *raw_hits[-1]["sort"]])
    total = hits_section.get("total", {})
    groups = aggs.get("groups", {}).get("n", {}).get("value") if plan.group else None
    return SearchResult(int(total.get("value", 0)) if isinstance(total, dict) else int(total),
                        hits, facets, next_cursor, groups=int(groups) if groups is not None else None)
