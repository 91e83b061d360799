"""Fixtures of the UI suite: one small French catalogue, built once, served by the real app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalogue.config import Settings
from tests.ui import catalogue_data
from tests.webapp import running_app


@pytest.fixture(scope="session")
def ui_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return catalogue_data.build(tmp_path_factory.mktemp("ui") / "var")


@pytest.fixture(scope="session")
def ui_app(ui_settings: Settings) -> Iterator[Flask]:
    with running_app(ui_settings) as app:
        yield app


@pytest.fixture
def client(ui_app: Flask) -> FlaskClient:
    return ui_app.test_client()


@pytest.fixture(scope="session")
def rid() -> dict[str, str]:
    """identifier (or "xss" / "deleted") -> record id."""
    return catalogue_data.ids()
