"""The demo catalogue, built once per session the way `catalogue demo` builds it: the partner
simulator over HTTP, every demo source harvested, the index synced, the dumps written; then
served by the real app on loopback.

Before the harvest, INA's feed gains one hostile record (``HOSTILE``): script and event-handler
markup in its HTML description, a script tag in a keyword. It reaches the pages only through the
real pipeline (Jalons reader, sanitiser, store, index), so the browser tests check what a partner
could really inject.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from catalogue.config import DEMO_SOURCES, Settings, load_sources
from catalogue.dumps import write_dumps
from catalogue.pipeline import Pipeline
from catalogue.simulator import Simulator
from catalogue.store import Store
from schemas.record import record_id
from search import open_index
from search.sync import sync
from tests.pipeline.conftest import fast_http
from web.app import create_app

HOSTILE_SOURCE = "ina-jalons"
HOSTILE_IDENTIFIER = "InaEdu66601"
# Escaped markup in a plain-text field: the reader unescapes it, so it must show as text.
HOSTILE_TITLE = "Les volcans d'Auvergne <img src=x onerror=\"window.__pwned=6\"> en 1959"
HOSTILE_KEYWORD = "<script>window.__pwned=5</script>"
HOSTILE = {
    "title": HOSTILE_TITLE.replace("<", "&lt;").replace(">", "&gt;"),
    "description": (
        "<p>Reportage sur les volcans d'Auvergne."
        "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\"></p>"
        "<p onclick=\"window.__pwned=3\">Les puys vus du ciel, "
        "<a href=\"javascript:window.__pwned=4\">voir le film</a>.</p>"
    ),
    "keywords": ["volcanisme", HOSTILE_KEYWORD],
}


@dataclass
class Demo:
    settings: Settings
    store: Store
    base_url: str
    simulator: Simulator

    def record_id(self, source_id: str, identifier: str) -> str:
        """Store id of a partner record (the id in ``/ressources/<id>``)."""
        return record_id(source_id, identifier)

    @property
    def hostile_id(self) -> str:
        return record_id(HOSTILE_SOURCE, HOSTILE_IDENTIFIER)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    data_dir: Path = tmp_path_factory.mktemp("demo")
    settings = replace(Settings.from_env({}), data_dir=data_dir,
                       database_url=f"sqlite:///{data_dir / 'catalogue.db'}")
    sim = Simulator()
    sim.start()
    sim.add_record("ina", HOSTILE_IDENTIFIER, **HOSTILE)
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
        thread.join(timeout=10)
        sim.stop()
        store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium per browser-test module (its path and flags are those of
    the harness in test_browser.py)."""
    from playwright.sync_api import expect, sync_playwright

    from tests.demo.test_browser import CHROMIUM, CHROMIUM_ARGS

    # Assertions wait for the page, not for a clock: on a loaded CI machine a re-render after a
    # filter can take longer than Playwright's 5-second default, so they may wait up to 20 s.
    expect.set_options(timeout=20_000)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
