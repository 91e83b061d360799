"""Elasticsearch backend without a server: mapping, request bodies, response parsing, alias swap."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest

import search.elastic
from search.base import InvalidQuery, SearchQuery, open_index
from search.documents import to_document
from search.elastic import (
    LAYOUT_VERSION,
    ElasticIndex,
    document_body,
    index_body,
    parse_response,
    render_highlight,
    search_body,
    suggest_body,
)
from search.engine_client import EngineClient
from search.paging import encode_cursor, make_plan
from search.tantivy_index import TantivyIndex
from search.text import FRENCH_STOP_WORDS
from tests.search.conftest import TAXONOMY
from tests.search.records import CM2, CYCLE3, ELEMENTAIRE, by_n, handcrafted


def plan(**kwargs: Any):
    return make_plan(SearchQuery(**kwargs), TAXONOMY)


def test_mapping_has_the_french_analyser() -> None:
    settings = index_body()["settings"]["analysis"]
    fr = settings["analyzer"]["fr"]
    assert fr["tokenizer"] == "fr_words"  # letters and digits, like tantivy's `simple`
    assert settings["tokenizer"]["fr_words"] == {"type": "pattern", "pattern": "[^\\p{L}\\p{N}]+"}
    assert fr["filter"] == ["fr_long", "lowercase", "asciifolding", "fr_stop", "fr_stemmer"]
    assert settings["filter"]["fr_stemmer"] == {"type": "stemmer", "language": "french"}
    assert settings["filter"]["fr_stop"]["stopwords"] == list(FRENCH_STOP_WORDS)
    assert settings["analyzer"]["fold"]["filter"] == ["fr_long", "lowercase", "asciifolding"]


def test_mapping_fields() -> None:
    mappings = index_body()["mappings"]
    props = mappings["properties"]
    assert mappings["dynamic"] == "strict"
    for group in ("level", "discipline", "partner", "type", "licence", "language",
                  "type_facet", "licence_facet", "id", "sort_title"):
        assert props[group] == {"type": "keyword"}, group
    for field in ("title", "keywords", "description", "extra"):
        assert props[field]["analyzer"] == "fr"
    assert props["title"]["fields"]["prefix"]["analyzer"] == "fold"
    assert props["record"] == {"type": "object", "enabled": False}
    assert mappings["_meta"]["last_seq"] == 0


def test_document_fits_the_strict_mapping() -> None:
    record = by_n(handcrafted(), "volcans")
    body = document_body(to_document(record, TAXONOMY))
    assert set(body) <= set(index_body()["mappings"]["properties"])
    assert {CM2, ELEMENTAIRE, CYCLE3} <= set(body["level"])
    assert body["record"] == record
    assert body["type_facet"] == ["http://purl.org/dc/dcmitype/Image\x1fimage"]


def test_query_body_text_filters_and_disjunctive_aggregations() -> None:
    body = search_body(plan(q="volcans d'Auvergne", filters={"partner": ["ign"], "level": [CM2]}))
    must = body["query"]["bool"]["must"][0]["bool"]["must"]
    fields = ["title^3", "keywords^2", "description^1", "extra^0.5"]
    assert must == [{"bool": {"should": [{"multi_match": {
        "query": word, "type": "cross_fields", "operator": "and", "boost": 1.0,
        "fields": fields}}], "minimum_should_match": 1}} for word in ("volcans", "Auvergne")]
    level_f, partner_f = {"terms": {"level": [CM2]}}, {"terms": {"partner": ["ign"]}}
    assert body["post_filter"] == {"bool": {"filter": [partner_f, level_f]}}
    aggs = body["aggs"]
    assert aggs["partner"]["filter"] == {"bool": {"filter": [level_f]}}
    assert aggs["level"]["filter"] == {"bool": {"filter": [partner_f]}}
    assert aggs["language"]["filter"] == {"bool": {"filter": [partner_f, level_f]}}
    assert aggs["type"]["aggs"]["values"]["terms"]["field"] == "type_facet"
    assert aggs["level"]["aggs"]["values"]["terms"]["size"] >= 500
    assert body["highlight"]["encoder"] == "html"
    assert body["sort"] == [{"_score": "desc"}, {"id": "asc"}]
    assert body["size"] == 21 and body["track_total_hits"] is True


def test_query_body_phrases_browse_and_paging() -> None:
    body = search_body(plan(q='"cycle de l\'eau" pluie'))
    assert {"bool": {"should": [{"multi_match": {
        "query": "cycle de l eau", "type": "phrase", "boost": 1.0,
        "fields": ["title^3", "keywords^2", "description^1", "extra^0.5"]}}],
        "minimum_should_match": 1}} in body["query"]["bool"]["must"][0]["bool"]["must"]
    relaxed = search_body(plan(q='"cycle de l\'eau" pluie neige').relax())["query"]
    inner = relaxed["bool"]["must"][0]["bool"]
    assert len(inner["must"]) == 1 and inner["minimum_should_match"] == 0
    assert {"constant_score"} <= {next(iter(c)) for c in inner["should"]}
    dated = search_body(plan(q="1789", date_from=1780, date_to=1800))["query"]
    assert dated["bool"]["filter"] == [{"range": {"year_start": {"lte": 1800}}},
                                       {"range": {"year_end": {"gte": 1780}}}]
    browse = search_body(plan(q="le la", page=3, per_page=10, facets=False))
    assert browse["query"] == {"bool": {"must": [{"match_all": {}}]}}
    assert "highlight" not in browse and "aggs" not in browse and "post_filter" not in browse
    assert browse["from"] == 20 and browse["sort"][0] == {"date": "desc"}
    titled = search_body(plan(sort="title"))
    assert titled["sort"] == [{"sort_title": "asc"}, {"id": "asc"}]
    for hostile in ('title:x AND (', "*", '"'):
        search_body(plan(q=hostile))  # builds, nothing raw reaches a query parser


def test_cursor_becomes_search_after() -> None:
    first = plan(sort="date", per_page=5)
    cursor = encode_cursor(first, ["a", 20230502, "some-id"])
    body = search_body(plan(sort="date", per_page=5, cursor=cursor))
    assert body["search_after"] == [20230502, "some-id"] and "from" not in body
    for position in (["k", 1, 2, "x"], ["a", {"script": 1}, "x"], ["a", True, "x"], ["a", 1]):
        forged = encode_cursor(first, position)
        with pytest.raises(InvalidQuery):
            search_body(plan(sort="date", per_page=5, cursor=forged))


def test_suggest_body() -> None:
    body = suggest_body("Volc", {"level": [CM2], "discipline": []}, 32)
    assert body["query"] == {"match_phrase_prefix": {"title.prefix": "Volc"}}
    aggs = body["aggs"]["all"]["aggs"]
    assert aggs["keywords"]["terms"]["include"] == "volc.*"
    assert aggs["level"]["terms"]["include"] == [CM2]
    assert "discipline" not in aggs
    assert suggest_body("a.b*", {}, 8)["aggs"]["all"]["aggs"]["keywords"]["terms"]["include"] == "a b.*"


def test_highlight_is_rebuilt_with_our_escaping() -> None:
    title = "<script>alert('x')</script> Le cycle de l'eau"
    fragment = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2F;script&gt; Le cycle de l&#x27;<mark>eau</mark>"
    assert render_highlight(title, [fragment], snippet=False) == (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Le cycle de l&#x27;<mark>eau</mark>")
    # an unescaped tag in a fragment still comes out escaped
    assert "<b>" not in render_highlight("a <b>x</b>", ["a <b><mark>x</mark></b>"], snippet=False)
    assert render_highlight("Sans correspondance", None, snippet=False) == "Sans correspondance"
    long = "mot " * 100 + "volcan final"
    snippet = render_highlight(long, ["mot mot <mark>volcan</mark> final"], snippet=True)
    assert snippet.startswith("…") and "<mark>volcan</mark>" in snippet


def test_parse_response() -> None:
    records = handcrafted()
    volcans = by_n(records, "volcans")
    p = plan(q="volcans", filters={"partner": ["ign"]}, per_page=1)
    response = {
        "hits": {
            "total": {"value": 2, "relation": "eq"},
            "hits": [
                {"_score": 3.5, "_source": {"record": volcans}, "sort": [3.5, volcans["id"]],
                 "highlight": {"title": ["Les <mark>volcans</mark> d&#x27;Auvergne"]}},
                {"_score": 1.0, "_source": {"record": records[2]}, "sort": [1.0, "z"]},
            ],
        },
        "aggregations": {
            "partner": {"doc_count": 3, "values": {"buckets": [
                {"key": "ign", "doc_count": 2}, {"key": "bnf", "doc_count": 1}]}},
            "licence": {"doc_count": 2, "values": {"buckets": [
                {"key": "cc-by-4.0\x1fCC BY 4.0", "doc_count": 2}]}},
        },
    }
    result = parse_response(p, response, TAXONOMY)
    assert result.total == 2 and [h.id for h in result.hits] == [volcans["id"]]
    assert result.hits[0].title_html == "Les <mark>volcans</mark> d&#x27;Auvergne"
    assert result.hits[0].score == 3.5
    assert [(f.id, f.label, f.count, f.selected) for f in result.facets["partner"]] == [
        ("ign", "IGN", 2, True), ("bnf", "BnF / Gallica", 1, False)]
    assert [(f.id, f.label) for f in result.facets["licence"]] == [("cc-by-4.0", "CC BY 4.0")]
    assert result.facets["level"] == []
    after = search_body(plan(q="volcans", filters={"partner": ["ign"]}, per_page=1,
                             cursor=result.next_cursor))
    assert after["search_after"] == [3.5, volcans["id"]]


class MemoryClient(EngineClient):
    """Indices, aliases and mapping metas in memory. An ``EngineClient``: a method the backend
    calls that the interface does not declare, or a missing one, fails (no catch-all)."""

    engine = "opensearch"

    def __init__(self, *indices: str, meta: dict[str, Any] | None = None) -> None:
        self.metas: dict[str, dict[str, Any]] = {i: dict(meta or {}) for i in indices}
        self.aliases: dict[str, list[str]] = {"catalogue": list(indices)} if indices else {}
        self.docs: dict[str, dict[str, Any]] = {i: {} for i in indices}
        self.log: list[str] = []
        self.answer: dict[str, Any] = {}

    def alias_exists(self, alias: str) -> bool:
        return bool(self.aliases.get(alias))

    def create_index(self, name: str, body: dict[str, Any], alias: str | None = None) -> None:
        assert name not in self.metas and set(body) == {"settings", "mappings"}
        self.metas[name] = dict(body["mappings"]["_meta"])
        self.docs[name] = {}
        if alias:
            self.aliases.setdefault(alias, []).append(name)
        self.log.append(f"create {name}")

    def alias_indices(self, alias: str) -> list[str]:
        return sorted(self.aliases.get(alias, []))

    def _resolve(self, target: str) -> list[str]:
        return self.aliases.get(target) or ([target] if target in self.metas else [])

    def mapping_meta(self, target: str) -> dict[str, dict[str, Any]]:
        return {name: dict(self.metas[name]) for name in self._resolve(target)}

    def put_meta(self, index: str, meta: dict[str, Any]) -> None:
        self.metas[index] = dict(meta)
        self.log.append(f"meta {index}")

    def bulk(self, actions: Iterable[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
        done = 0
        for action in actions:
            (target,) = self._resolve(action["_index"])
            if action["_op_type"] == "index":
                self.docs[target][action["_id"]] = action["_source"]
            else:
                self.docs[target].pop(action["_id"], None)
            done += 1
        self.log.append("bulk")
        return done, []

    def refresh(self, index: str) -> None:
        assert self._resolve(index)

    def indices_matching(self, pattern: str) -> list[str]:
        return sorted(n for n in self.metas if fnmatch(n, pattern))

    def delete_index(self, name: str) -> None:
        self.metas.pop(name, None)
        self.docs.pop(name, None)
        self.log.append(f"delete {name}")

    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        for action in actions:
            ((verb, spec),) = action.items()
            members = self.aliases.setdefault(spec["alias"], [])
            if verb == "remove":
                members.remove(spec["index"])
            else:
                members.append(spec["index"])
        self.log.append("swap")

    def count(self, index: str) -> int:
        return sum(len(self.docs[n]) for n in self._resolve(index))

    def get_source(self, index: str, doc_id: str, includes: list[str]) -> dict[str, Any] | None:
        for name in self._resolve(index):
            if doc_id in self.docs[name]:
                return {k: v for k, v in self.docs[name][doc_id].items() if k in includes}
        return None

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        self.log.append(f"search {sorted(body)}")
        return self.answer

    def close(self) -> None:
        self.log.append("close")


OLD, OLDER = "catalogue-20240201t000000000000", "catalogue-20240101t000000000000"


def test_rebuild_fills_a_new_index_then_swaps_the_alias() -> None:
    client = MemoryClient(OLDER, OLD, meta={"analyser": 1, "layout": 1, "last_seq": 3})
    es = ElasticIndex(client=client, taxonomy=TAXONOMY)
    assert es.rebuild(handcrafted() + [{"id": "broken"}], last_seq=9) == len(handcrafted())
    (created,) = client.alias_indices("catalogue")
    assert created.startswith("catalogue-") and created not in (OLD, OLDER)
    assert client.log.index(f"create {created}") < client.log.index(f"meta {created}") \
        < client.log.index("swap") < client.log.index(f"delete {OLDER}")
    assert es.last_seq == 9 and not es.needs_rebuild and es.count() == len(handcrafted())
    assert OLD in client.metas and OLDER not in client.metas  # the previous one is kept
    volcans = by_n(handcrafted(), "volcans")
    assert es.get(volcans["id"]) == volcans and es.get("nope") is None
    es.delete([volcans["id"], "never-indexed"])
    assert es.count() == len(handcrafted()) - 1


def test_a_failed_rebuild_drops_its_index_and_keeps_the_alias() -> None:
    client = MemoryClient(OLD, meta={"analyser": 2, "layout": 1})

    def records() -> Iterator[dict[str, Any]]:
        yield handcrafted()[0]
        raise RuntimeError("store went away")

    es = ElasticIndex(client=client, taxonomy=TAXONOMY)
    with pytest.raises(RuntimeError):
        es.rebuild(records())
    assert client.alias_indices("catalogue") == [OLD] and list(client.metas) == [OLD]


def test_a_new_alias_gets_an_index_built_with_the_current_versions() -> None:
    client = MemoryClient()
    es = ElasticIndex(client=client, taxonomy=TAXONOMY, alias="catalogue")
    (name,) = client.alias_indices("catalogue")
    assert client.metas[name] == index_body()["mappings"]["_meta"]
    assert not es.needs_rebuild and es.last_seq == 0
    es.close()
    assert "close" not in client.log  # a client passed in belongs to the caller


def test_open_index_picks_the_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    class Stub:
        def __init__(self, url: str, **kwargs: Any) -> None:
            seen.append(url)

    monkeypatch.setattr(search.elastic, "ElasticIndex", Stub)
    assert isinstance(open_index("https://es.example:9200", tmp_path), Stub)
    assert seen == ["https://es.example:9200"]
    assert isinstance(open_index(None, tmp_path), TantivyIndex)
    with pytest.raises(ValueError) as err:
        open_index("elastic:secret@es:9200", tmp_path)
    assert "secret" not in str(err.value)


def test_last_seq_lives_in_the_mapping_meta() -> None:
    v = {"analyser": index_body()["mappings"]["_meta"]["analyser"], "layout": LAYOUT_VERSION}
    client = MemoryClient("catalogue-a", meta={**v, "last_seq": 4})
    es = ElasticIndex(client=client, taxonomy=TAXONOMY)
    assert es.last_seq == 4 and not es.needs_rebuild
    es.set_last_seq(9)
    assert client.metas["catalogue-a"] == {**v, "last_seq": 9}
    assert es.last_seq == 9
    client.metas["catalogue-b"] = {**v, "last_seq": 2}  # a rebuild swapped the alias meanwhile
    client.update_aliases([{"remove": {"index": "catalogue-a", "alias": "catalogue"}},
                           {"add": {"index": "catalogue-b", "alias": "catalogue"}}])
    es.set_last_seq(12)
    assert client.metas["catalogue-b"]["last_seq"] == 2  # not advanced
    assert es.last_seq == 2
    client.metas["catalogue-b"]["analyser"] = 0
    es.set_last_seq(3)
    assert es.needs_rebuild  # saving a position keeps the versions it was built with


def test_suggest_reads_titles_keywords_and_concepts() -> None:
    records = handcrafted()
    volcans = by_n(records, "volcans")
    client = MemoryClient("catalogue-a")
    client.answer = {
        "hits": {"hits": [{"_source": {"record": {"id": volcans["id"], "title": volcans["title"]}}}]},
        "aggregations": {"all": {
            "doc_count": 3,
            "level": {"buckets": [{"key": CM2, "doc_count": 3}]},
            "keywords": {"buckets": [{"key": "cm2 volcans\x1fCM2 volcans", "doc_count": 1}]},
        }},
    }
    es = ElasticIndex(client=client, taxonomy=TAXONOMY)
    found = [(s.text, s.kind, s.id) for s in es.suggest("cm")]
    assert found == [("CM2", "level", CM2), ("CM2 volcans", "keyword", None),
                     ("Les volcans d'Auvergne", "title", volcans["id"])]
    body = suggest_body("cm", {"level": ["scolomfr-voc-022-num-014", CM2]}, 32)
    assert body["aggs"]["all"]["global"] == {}  # counted over every record, not the title hits
    assert body["aggs"]["all"]["aggs"]["level"]["terms"]["include"] == [
        "scolomfr-voc-022-num-014", CM2]
