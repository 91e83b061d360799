"""A catalogue wired to the partner simulator: sources, store and pipeline, no delays."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from catalogue.config import DEMO_SOURCES, Source, load_sources
from catalogue.pipeline import Pipeline
from catalogue.simulator import Simulator
from catalogue.store import Store
from harvesters.http import HttpClient


def fast_http(sources: list[Source]) -> Any:
    return HttpClient(allowed_urls=[s.url for s in sources], politeness_delay=0,
                      max_retries=3, backoff_base=0.01, read_timeout=5, sleep=lambda _s: None)


@dataclass
class Env:
    simulator: Simulator
    store: Store
    pipeline: Pipeline
    sources: dict[str, Source]

    def harvest(self, source_id: str, **kwargs: Any) -> Any:
        return self.pipeline.harvest(self.sources[source_id], **kwargs)

    def titles(self, source_id: str) -> dict[str, str]:
        return {r.identifier: r.data["title"][0]["value"]
                for r in self.store.iter_records(source_id=source_id) if r.data}


@pytest.fixture
def env(simulator: Simulator, store: Store) -> Iterator[Env]:
    sources = {s.id: s for s in load_sources(DEMO_SOURCES, {"simulator": simulator.url("")})}
    pipeline = Pipeline(store, fast_http)
    pipeline.register(sources.values())
    yield Env(simulator, store, pipeline, sources)


@pytest.fixture
def cli_env(simulator: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for running `catalogue` as a subprocess against the simulator."""
    import os

    data = tmp_path / "var"
    sources = tmp_path / "sources.toml"
    sources.write_text(DEMO_SOURCES.read_text(encoding="utf-8").replace(
        "{simulator}", simulator.url("").rstrip("/")), encoding="utf-8")
    env = {**os.environ, "CATALOGUE_DATA_DIR": str(data), "CATALOGUE_SOURCES": str(sources),
           "CATALOGUE_HARVEST_DELAY": "0", "CATALOGUE_HARVEST_BACKOFF": "0.01",
           "CATALOGUE_HARVEST_RETRIES": "1"}
    env.pop("CATALOGUE_DATABASE_URL", None)
    env.pop("CATALOGUE_SEARCH_URL", None)
    return env
