"""The real app over a test catalogue, for the suites that serve one (API, UI)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import make_server

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


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """The app over real HTTP on a free loopback port (werkzeug, threaded): its origin."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
