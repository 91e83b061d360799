"""The demo catalogue, built once per session the way `catalogue demo` builds it: the partner
simulator over HTTP, every demo source harvested, the index synced, the dumps written; then
served by the real app on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from catalogue.config import DEMO_SOURCES, Settings, load_sources
from catalogue.dumps import write_dumps
from catalogue.pipeline import Pipeline
from catalogue.simulator import Simulator
from catalogue.store import Store
from search import open_index
from search.sync import sync
from tests.pipeline.conftest import fast_http
from web.app import create_app


@dataclass
class Demo:
    settings: Settings
    store: Store
    base_url: str
    simulator: Simulator


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    data_dir: Path = tmp_path_factory.mktemp("demo")
    settings = replace(Settings.from_env({}), data_dir=data_dir,
                       database_url=f"sqlite:///{data_dir / 'catalogue.db'}")
    sim = Simulator()
    sim.start()
    store = Store(settings.database_url)
    store.upgrade()
    sources = load_sources(DEMO_SOURCES, {"simulator": sim.url("").rstrip("/")})
    pipeline = Pipeline(store, fast_http)
    pipeline.register(sources)
    for source in sources:
        pipeline.harvest(source)
    index = open_index(None, data_dir)
    sync(index, store)
    index.close()
    write_dumps(store, settings.dumps_dir)
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Demo(settings, store, f"http://127.0.0.1:{server.server_port}", sim)
    finally:
        server.shutdown()
        sim.stop()
        store.close()
