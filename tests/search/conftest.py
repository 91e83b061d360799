"""Search fixtures: every contract test runs on tantivy, and on Elasticsearch/OpenSearch when configured."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from search.base import SearchIndex
from search.facets import Taxonomy
from search.tantivy_index import TantivyIndex
from tests.engines import BACKENDS, ES_URL
from tests.search.records import corpus

TAXONOMY = Taxonomy()


def make_tantivy(path: Path) -> TantivyIndex:
    return TantivyIndex(path, taxonomy=TAXONOMY, heap_size=20_000_000,
                        rebuild_heap_size=40_000_000, lock_timeout=10)


def _make(backend: str, tmp: Path) -> tuple[SearchIndex, Callable[[], None]]:
    if backend == "tantivy":
        index = make_tantivy(tmp / "index")
        return index, index.close
    from search.elastic import ElasticIndex

    alias = f"catalogue-test-{uuid.uuid4().hex[:10]}"
    es = ElasticIndex(ES_URL, alias=alias, taxonomy=TAXONOMY)

    def drop() -> None:
        es.client.drop_indices(f"{alias}-*")
        es.close()

    return es, drop


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return corpus(120)


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
    records: list[dict[str, Any]],
) -> Iterator[SearchIndex]:
    """The corpus indexed once per module and backend; tests must not change it."""
    index, drop = _make(request.param, tmp_path_factory.mktemp("loaded"))
    index.index(records)
    yield index
    drop()


@pytest.fixture(params=BACKENDS)
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    """An empty index for tests that write."""
    index, drop = _make(request.param, tmp_path)
    yield index
    drop()
