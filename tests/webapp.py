"""The real app over a test catalogue, for the suites that serve one (API, UI)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from catalogue.config import Settings
from web.app import create_app


@contextmanager
def running_app(settings: Settings) -> Iterator[Flask]:
    """The app in TESTING mode; on exit, the search index it opened (if any) is closed."""
    app = create_app(settings, TESTING=True)
    try:
        yield app
    finally:
        services = app.extensions["catalogue"]
        if services._index is not None:
            services.index.close()
