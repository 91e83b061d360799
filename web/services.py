"""Per-process access to the store, the search index and the vocabulary for request handlers.

Opened lazily on first use in each worker process (gunicorn forks after loading the app), so a
worker never shares a database connection or an index reader with another.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from flask import current_app

from catalogue.config import Settings
from catalogue.store import Store


class Services:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._store: Store | None = None
        self._index: Any = None

    def _check_fork(self) -> None:
        if os.getpid() != self._pid:  # forked: drop what the parent opened
            self._pid = os.getpid()
            self._store = None
            self._index = None

    @property
    def store(self) -> Store:
        self._check_fork()
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = Store(self.settings.database_url)
        return self._store

    @property
    def index(self) -> Any:
        """The search index (``search.base.SearchIndex``), reopened after a fork."""
        self._check_fork()
        if self._index is None:
            with self._lock:
                if self._index is None:
                    from search import open_index

                    self._index = open_index(self.settings.search_url, self.settings.data_dir)
        return self._index

    @property
    def vocab(self) -> Any:
        from schemas.vocabularies import load_vocabulary

        return load_vocabulary()


def services() -> Services:
    """The services of the current app (use inside a request or app context)."""
    found: Services = current_app.extensions["catalogue"]
    return found
