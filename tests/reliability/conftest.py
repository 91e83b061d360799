"""Fixtures of the reliability suite.

``env`` / ``cli_env`` come from the pipeline suite (a catalogue wired to the simulator, in process
or as subprocesses). ``harvested`` is one simulator and one catalogue per module, harvested once,
for tests that only need to check that a hostile harvest changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from catalogue.cli import Context, run_harvest
from catalogue.config import DEMO_SOURCES, Settings, load_sources
from catalogue.pipeline import Pipeline
from catalogue.simulator import Simulator
from catalogue.store import Store
from tests.pipeline.conftest import Env, cli_env, env, fast_http  # noqa: F401  (fixtures)
from web.app import create_app


@pytest.fixture(scope="module")
def module_simulator() -> Iterator[Simulator]:
    sim = Simulator()
    sim.start()
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture(scope="module")
def harvested(module_simulator: Simulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """The OAI-PMH and CSW demo sources harvested once into a module-wide SQLite store."""
    tmp: Path = tmp_path_factory.mktemp("harvested")
    store = Store(f"sqlite:///{tmp / 'catalogue.db'}")
    store.upgrade()
    sources = {s.id: s for s in load_sources(DEMO_SOURCES, {"simulator": module_simulator.url("")})}
    pipeline = Pipeline(store, fast_http)
    pipeline.register(sources.values())
    env_ = Env(module_simulator, store, pipeline, sources)
    for source_id in ("bnf-gallica", "ign-geoplateforme"):
        assert env_.harvest(source_id).status == "done"
    yield env_
    store.close()


@pytest.fixture(scope="session")
def demo_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The four demo sources harvested over HTTP by `run_harvest` (store, index, dumps).

    Session-wide and read-only: tests that damage a catalogue build their own.
    """
    tmp: Path = tmp_path_factory.mktemp("demo-catalogue")
    sim = Simulator()
    base = sim.start()
    try:
        sources = tmp / "sources.toml"
        sources.write_text(DEMO_SOURCES.read_text(encoding="utf-8").replace("{simulator}", base),
                           encoding="utf-8")
        settings = Settings(data_dir=tmp / "var", database_url=f"sqlite:///{tmp / 'var' / 'catalogue.db'}",
                            search_url=None, sources_path=sources, oai_namespace="catalogue.example.fr",
                            base_url="http://localhost:8000", harvest_delay=0, harvest_retries=1,
                            harvest_backoff=0.01)
        assert run_harvest(Context(settings, sources), ()) == 0
    finally:
        sim.stop()
    return settings


@pytest.fixture(scope="session")
def demo_app(demo_catalogue: Settings) -> Iterator[Flask]:
    """The production app (not TESTING: errors become responses, as in gunicorn)."""
    app = create_app(demo_catalogue)
    yield app
    services = app.extensions["catalogue"]
    if services._index is not None:
        services.index.close()
    if services._store is not None:
        services.store.close()
