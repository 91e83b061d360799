"""Per-process access to the store, the search index and the vocabulary for request handlers.

Opened lazily on first use in each worker process (gunicorn forks after loading the app), so a
worker never shares a database connection or an index reader with another.
"""

from __future__ import annotations

import functools
import os
import threading
from typing import Any

from flask import current_app

from catalogue.partners import declared_in, partner_names
from catalogue.settings import Settings
from catalogue.store import Store


class IndexUnavailable(Exception):
    """The search index failed under a request (damaged files, a panic in the engine): the
    request gets a 503 and the worker lives on."""


# Never turned into IndexUnavailable: the process is being stopped.
_PASS = (KeyboardInterrupt, SystemExit, GeneratorExit)


def _guard(exc: BaseException) -> IndexUnavailable:
    return IndexUnavailable(f"the search index cannot be read: {type(exc).__name__}: {exc}")


class GuardedIndex:
    """The search index as the web sees it: any failure of the engine, even a Rust panic
    (``pyo3_runtime.PanicException`` is a ``BaseException``, which Flask does not catch and
    which would end the worker's thread), becomes :class:`IndexUnavailable`. The search
    layer's own errors (``InvalidQuery``: the user's query) pass through unchanged."""

    def __init__(self, index: Any) -> None:
        self._index = index

    def __getattr__(self, name: str) -> Any:
        from search.base import InvalidQuery

        try:
            value = getattr(self._index, name)
        except (*_PASS, InvalidQuery):
            raise
        except BaseException as exc:
            raise self._failed(exc) from exc
        if not callable(value):
            return value

        @functools.wraps(value)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return value(*args, **kwargs)
            except (*_PASS, InvalidQuery):
                raise
            except BaseException as exc:
                raise self._failed(exc) from exc

        return guarded

    def _failed(self, exc: BaseException) -> IndexUnavailable:
        return _guard(exc)


class Services:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._store: Store | None = None
        self._index: Any = None
        self._declared: dict[str, str] | None = None

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
                    self._store = Store(self.settings.database_url, read_only=True)
        return self._store

    @property
    def index(self) -> Any:
        """The search index (``search.base.SearchIndex``), reopened after a fork."""
        self._check_fork()
        if self._index is None:
            with self._lock:
                if self._index is None:
                    from search import open_index

                    settings = self.settings
                    self._index = GuardedIndex(open_index(
                        settings.search_url, settings.data_dir, engine=settings.search_engine,
                        alias=settings.search_index))
        return self._index

    def partner_names(self) -> dict[str, str]:
        """Partner id -> display name (:mod:`catalogue.partners`): declared, then the store's."""
        if self._declared is None:  # the sources file, read once per process
            self._declared = declared_in(self.settings.sources_path)
        return partner_names(self.store.sources(), self._declared)

    @property
    def vocab(self) -> Any:
        from schemas.vocabularies import load_vocabulary

        return load_vocabulary()


def services() -> Services:
    """The services of the current app (use inside a request or app context)."""
    found: Services = current_app.extensions["catalogue"]
    return found
