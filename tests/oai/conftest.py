"""Fixtures: a Flask app over a temporary store holding the sample catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalogue.config import DEFAULT_SOURCES, Settings
from catalogue.store import Store
from tests.oai.support import NAMESPACE, parse, populate
from web.app import create_app


def make_app(store_url: str, data_dir: Path, **fields: Any) -> Flask:
    """The app over the test store; ``fields`` set more of the settings (oai_page_size…)."""
    fields.setdefault("base_url", "http://localhost:8000")
    settings = Settings(data_dir=data_dir, database_url=store_url, search_url=None,
                        sources_path=DEFAULT_SOURCES, oai_namespace=NAMESPACE, **fields)
    return create_app(settings, TESTING=True)


@pytest.fixture
def oai_store(store: Store) -> tuple[Store, dict[str, datetime]]:
    return store, populate(store)


@pytest.fixture(scope="module")
def readonly_app(
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, Store, dict[str, datetime]]]:
    """One populated SQLite catalogue per module, for tests that only read (protocol checks).

    Tests that write, or that depend on the database engine, use the per-test ``app`` fixture,
    which also runs on PostgreSQL when configured.
    """
    tmp = tmp_path_factory.mktemp("oai-readonly")
    url = f"sqlite:///{tmp / 'catalogue.db'}"
    store = Store(url)
    store.upgrade()
    stamps = populate(store)
    app = make_app(url, tmp, oai_page_size=3, oai_identifiers_page_size=4)
    yield app, store, stamps
    app.extensions["catalogue"].store.close()
    store.close()


@pytest.fixture
def app(oai_store: tuple[Store, dict[str, datetime]], store_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(store_url, tmp_path, oai_page_size=3, oai_identifiers_page_size=4)
    yield app
    app.extensions["catalogue"].store.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Harvester:
    """Sends OAI requests through the test client and validates every response."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, prefix: str | None = None, **params: str) -> Any:
        response = self.client.get("/oai", query_string=params)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
        return parse(response.data, prefix or params.get("metadataPrefix"))

    def post(self, data: Any, prefix: str | None = None) -> Any:
        response = self.client.post("/oai", data=data)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
        return parse(response.data, prefix)


@pytest.fixture
def oai(client: FlaskClient) -> Harvester:
    return Harvester(client)
