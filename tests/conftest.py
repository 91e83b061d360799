"""Shared fixtures: stores on SQLite (always) and PostgreSQL (when configured)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from catalogue.store import Store

pytest_plugins = ["tests.conftest_simulator"]

# One compiled vocabulary cache for the whole run, subprocesses included: compiling the SKOS
# files costs seconds, and tests that need a fresh compile point the loader elsewhere.
os.environ.setdefault("CATALOGUE_CACHE_DIR", str(Path(__file__).resolve().parents[1] / "var" / "cache"))

PG_URL = os.environ.get("CATALOGUE_TEST_DATABASE_URL")
ES_URL = os.environ.get("CATALOGUE_TEST_ELASTICSEARCH_URL")
STORE_BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_configure(config: pytest.Config) -> None:
    """In CI the services are started by ``.ci/run``: a missing one fails the run, never skips."""
    if IN_CI and not PG_URL:
        raise pytest.UsageError("CI=true but CATALOGUE_TEST_DATABASE_URL is not set: "
                                "`.ci/run` must start PostgreSQL")
    if IN_CI and not ES_URL:
        raise pytest.UsageError("CI=true but CATALOGUE_TEST_ELASTICSEARCH_URL is not set: "
                                "`.ci/run` must start the OpenSearch node (deploy/opensearch-node)")


def reset_postgres(url: str) -> None:
    """Drop everything in the test database's public schema (tests own that database)."""
    store = Store(url)
    with store.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    store.close()


def make_store_url(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'catalogue.db'}"
    assert PG_URL
    reset_postgres(PG_URL)
    return PG_URL


@pytest.fixture(params=STORE_BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return make_store_url(request.param, tmp_path)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store(store_url)
    s.upgrade()
    yield s
    s.close()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated CATALOGUE_DATA_DIR (SQLite store + index) for CLI-level tests."""
    d = tmp_path / "var"
    monkeypatch.setenv("CATALOGUE_DATA_DIR", str(d))
    monkeypatch.delenv("CATALOGUE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CATALOGUE_SEARCH_URL", raising=False)
    return d
