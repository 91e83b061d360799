"""The whole search chain: partner simulator → pipeline → store → ``search.sync`` → tantivy.

- ``chain``: a fresh catalogue on the ``store`` fixture (every configured store backend) with
  the demo sources pointing at this test's simulator, and an empty tantivy index in tmp.
- ``populated``: built once per module — the demo catalogue plus ``EXTRA`` Gallica records the
  simulator serves, harvested over HTTP into a data directory laid out as ``catalogue`` expects
  (``catalogue.db`` + ``index/``). Tests work on their own copy (``copy_catalogue``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from catalogue.config import DEMO_SOURCES, load_sources
from catalogue.pipeline import Pipeline
from catalogue.simulator import Simulator
from catalogue.store import Store
from schemas.vocabularies import build_vocabulary
from search.base import SearchIndex
from search.sync import sync
from search.tantivy_index import TantivyIndex
from tests.pipeline.conftest import Env, fast_http

EXTRA = 300  # synthetic Gallica records on top of the demo's ~128
EXTRA_ID = "oai:bnf.fr:gallica/ark:/12148/zz{:05d}"


@dataclass
class Chain:
    env: Env
    index: SearchIndex

    def sync(self) -> int:
        return sync(self.index, self.env.store)


@pytest.fixture
def chain(simulator: Simulator, store: Store, tmp_path: Path) -> Iterator[Chain]:
    sources = {s.id: s for s in load_sources(DEMO_SOURCES, {"simulator": simulator.url("")})}
    pipeline = Pipeline(store, fast_http)
    pipeline.register(sources.values())
    index = TantivyIndex(tmp_path / "index", lock_timeout=20)
    yield Chain(Env(simulator, store, pipeline, sources), index)
    index.close()


@dataclass
class Populated:
    simulator: Simulator
    data_dir: Path  # the module's pristine copy: never written by a test
    sources_file: Path
    cache_dir: Path  # compiled vocabularies, shared so that no subprocess recompiles them
    total: int  # live records


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Populated]:
    base = tmp_path_factory.mktemp("populated")
    cache_dir = base / "cache"
    build_vocabulary(cache_dir=cache_dir)  # compiled once here, read by every process
    sim = Simulator()
    sim.start()
    try:
        for i in range(EXTRA):
            sim.add_record("bnf", EXTRA_ID.format(i),
                           title=f"Cahier d'exercices de géographie n° {i}",
                           description="Recueil de cartes muettes et de croquis pour la classe.")
        sources_file = base / "sources.toml"
        sources_file.write_text(DEMO_SOURCES.read_text(encoding="utf-8").replace(
            "{simulator}", sim.url("").rstrip("/")), encoding="utf-8")
        data_dir = base / "var"
        data_dir.mkdir()
        store = Store(f"sqlite:///{data_dir / 'catalogue.db'}")
        store.upgrade()
        sources = load_sources(sources_file)
        pipeline = Pipeline(store, fast_http)
        pipeline.register(sources)
        for source in sources:
            result = pipeline.harvest(source)
            assert result.status in ("done", "done-with-errors"), (source.id, result.error)
        index = TantivyIndex(data_dir / "index")
        sync(index, store)
        total = store.count_records()
        assert index.count() == total >= 128 + EXTRA
        index.close()
        store.close()
        yield Populated(sim, data_dir, sources_file, cache_dir, total)
    finally:
        sim.stop()


def copy_catalogue(populated: Populated, tmp_path: Path) -> dict[str, str]:
    """A private copy of the populated catalogue, and the environment for `catalogue` on it."""
    data_dir = tmp_path / "var"
    shutil.copytree(populated.data_dir, data_dir)
    env = {**os.environ, "CATALOGUE_DATA_DIR": str(data_dir),
           "CATALOGUE_SOURCES": str(populated.sources_file),
           "CATALOGUE_CACHE_DIR": str(populated.cache_dir),
           "CATALOGUE_HARVEST_DELAY": "0", "CATALOGUE_HARVEST_BACKOFF": "0.01",
           "CATALOGUE_HARVEST_RETRIES": "1"}
    env.pop("CATALOGUE_DATABASE_URL", None)
    env.pop("CATALOGUE_SEARCH_URL", None)
    return env
