"""Teacher queries over the demo catalogue: the expected records come back near the top.

The cases live in ``queries.toml`` (how to add one: README.md). The demo catalogue is built
once per module, the way ``catalogue demo`` builds it: the partner simulator over HTTP, the
pipeline, the store, then ``search.sync`` into a fresh index (tantivy, and Elasticsearch too
when ``CATALOGUE_TEST_ELASTICSEARCH_URL`` is set).
"""

from __future__ import annotations

import tomllib
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from catalogue.config import DEMO_SOURCES, load_sources
from catalogue.pipeline import Pipeline
from catalogue.simulator import Simulator
from catalogue.store import Store
from schemas.record import record_id
from search import SearchIndex, SearchQuery
from search.sync import sync
from search.tantivy_index import TantivyIndex
from tests.engines import BACKENDS, ES_URL
from tests.pipeline.conftest import fast_http

QUERIES = Path(__file__).with_name("queries.toml")


@dataclass(frozen=True)
class Case:
    q: str
    top: int = 3
    expect: tuple[str, ...] = ()  # "<source id> <identifier>", all in the first `top`
    expect_any: tuple[str, ...] = ()  # at least one in the first `top`
    reject: tuple[str, ...] = ()  # none in the first `top`
    filters: dict[str, list[str]] = field(default_factory=dict)
    why: str = ""

    @property
    def label(self) -> str:
        extra = ",".join(f"{k}={'+'.join(v)}" for k, v in self.filters.items())
        return self.q + (f" [{extra}]" if extra else "")


def load_cases() -> list[Case]:
    data = tomllib.loads(QUERIES.read_text(encoding="utf-8"))
    cases = []
    for n, item in enumerate(data["query"], start=1):
        unknown = set(item) - {"q", "top", "expect", "expect_any", "reject", "filters", "why"}
        assert not unknown, f"queries.toml case {n}: unknown keys {unknown}"
        case = Case(q=item["q"], top=item.get("top", 3), expect=tuple(item.get("expect", ())),
                    expect_any=tuple(item.get("expect_any", ())),
                    reject=tuple(item.get("reject", ())),
                    filters={k: list(v) for k, v in item.get("filters", {}).items()},
                    why=item.get("why", ""))
        assert case.q.strip() and case.top in (3, 5), f"case {n}: q must be set and top 3 or 5"
        assert case.expect or case.expect_any, f"case {n} ({case.q}): nothing expected"
        assert len(case.expect) <= case.top, f"case {n} ({case.q}): more expected than top"
        cases.append(case)
    return cases


CASES = load_cases()


def rid(ref: str) -> str:
    """The catalogue id of "<source id> <identifier>"."""
    source_id, _, identifier = ref.partition(" ")
    assert source_id and identifier, f"expected '<source id> <identifier>', got {ref!r}"
    return record_id(source_id, identifier)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The demo catalogue, harvested over HTTP from the simulator like `catalogue demo` does."""
    base = tmp_path_factory.mktemp("relevance")
    store = Store(f"sqlite:///{base / 'catalogue.db'}")
    store.upgrade()
    with Simulator() as sim:
        sources = load_sources(DEMO_SOURCES, {"simulator": sim.url("")})
        pipeline = Pipeline(store, fast_http)
        pipeline.register(sources)
        for source in sources:
            result = pipeline.harvest(source)
            assert result.status in ("done", "done-with-errors"), (source.id, result.error)
    yield store
    store.close()


@pytest.fixture(scope="module", params=BACKENDS)
def demo_index(request: pytest.FixtureRequest, demo_store: Store,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    index: SearchIndex
    alias = f"catalogue-test-{uuid.uuid4().hex[:10]}"
    if request.param == "tantivy":
        index = TantivyIndex(tmp_path_factory.mktemp("relevance-index") / "index")
    else:
        from search.elastic import ElasticIndex

        index = ElasticIndex(ES_URL, alias=alias)
    try:
        sync(index, demo_store)
        assert index.count() == demo_store.count_records()
        yield index
    finally:
        client = getattr(index, "client", None)
        if client is not None:  # Elasticsearch/OpenSearch: drop this run's indices
            client.drop_indices(f"{alias}-*")
        index.close()


def top_ids(index: SearchIndex, q: str, case: Case) -> list[str]:
    result = index.search(SearchQuery(q=q, filters=case.filters, per_page=case.top, facets=False))
    return [hit.id for hit in result.hits]


def describe(index: SearchIndex, case: Case) -> str:
    hits = index.search(SearchQuery(q=case.q, filters=case.filters, per_page=10, facets=False)).hits
    lines = [f"  {h.score or 0:7.2f}  {h.record['source']['source_id']} "
             f"{h.record['source']['identifier']}  {h.record['title'][0]['value'][:70]}" for h in hits]
    return f"{case.label!r} — {case.why}\nfirst hits:\n" + "\n".join(lines or ["  (none)"])


def test_the_set_is_large_and_names_records_that_exist(demo_store: Store) -> None:
    assert len(CASES) >= 30
    assert len({c.label for c in CASES}) == len(CASES), "a query with the same filters twice"
    for case in CASES:
        for ref in case.expect + case.expect_any + case.reject:
            stored = demo_store.get(rid(ref))
            assert stored is not None and not stored.deleted, f"{case.q!r}: no record {ref!r}"


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_expected_records_are_near_the_top(demo_index: SearchIndex, case: Case) -> None:
    top = top_ids(demo_index, case.q, case)
    missing = [ref for ref in case.expect if rid(ref) not in top]
    assert not missing, f"not in the first {case.top}: {missing}\n{describe(demo_index, case)}"
    if case.expect_any:
        assert {rid(ref) for ref in case.expect_any} & set(top), (
            f"none of expect_any in the first {case.top}\n{describe(demo_index, case)}")
    rejected = [ref for ref in case.reject if rid(ref) in top]
    assert not rejected, f"rejected but in the first {case.top}: {rejected}\n{describe(demo_index, case)}"
    # The same words typed in decomposed Unicode (macOS, PDF copies) give the same hits.
    decomposed = unicodedata.normalize("NFD", case.q)
    if decomposed != case.q:
        assert top_ids(demo_index, decomposed, case) == top
