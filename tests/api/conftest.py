"""Fixtures of the API suite: one small catalogue (store, index, dumps) served by the real app."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from catalogue.config import Settings
from catalogue.store import Store
from tests.api import data
from tests.webapp import running_app


@pytest.fixture(scope="session")
def api_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict[str, Any]]:
    return data.build(tmp_path_factory.mktemp("api") / "var")


@pytest.fixture(scope="session")
def api_app(api_data: tuple[Settings, dict[str, Any]]) -> Iterator[Flask]:
    with running_app(api_data[0]) as app:
        yield app


@pytest.fixture(scope="session")
def api_server(api_app: Flask) -> Iterator[str]:
    """The API app over real HTTP (for stock clients: requests, the schemathesis command)."""
    server = make_server("127.0.0.1", 0, api_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def client(api_app: Flask) -> FlaskClient:
    return api_app.test_client()


@pytest.fixture(scope="session")
def records(api_data: tuple[Settings, dict[str, Any]]) -> list[dict[str, Any]]:
    """The live records of the catalogue."""
    return list(api_data[1]["records"])


@pytest.fixture(scope="session")
def gone(api_data: tuple[Settings, dict[str, Any]]) -> dict[str, Any]:
    """A record its partner withdrew."""
    return dict(api_data[1]["gone"])


@pytest.fixture
def small(tmp_path: Path) -> Iterator[tuple[Flask, Store, Any]]:
    """A catalogue of five records that the test may change: (app, store, index)."""
    from search import open_index
    from search.sync import sync

    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'catalogue.db'}",
                        search_url=None, sources_path=tmp_path / "sources.toml",
                        oai_namespace="catalogue.example.fr", base_url=data.BASE_URL)
    store = Store(settings.database_url)
    store.upgrade()
    data.fill(store, [data.make_record(n) for n in range(5)])
    index = open_index(None, tmp_path)
    sync(index, store)
    with running_app(settings) as app:
        yield app, store, index
        index.close()
    store.close()
