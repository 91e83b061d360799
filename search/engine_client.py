"""The HTTP clients of the Elasticsearch-family backend: one narrow interface, two libraries.

``search.elastic`` builds the same mapping and request bodies for Elasticsearch 8/9 and
OpenSearch 2.x; only the transport differs. The official ``elasticsearch`` client refuses to talk
to anything that is not Elasticsearch (product check), and ``opensearch-py`` is the one OpenSearch
maintains, so each server gets its own library behind :class:`EngineClient`. Which one comes from
the server's answer to ``GET /`` (``version.distribution == "opensearch"``) unless the setting
``CATALOGUE_SEARCH_ENGINE`` (``elasticsearch`` | ``opensearch``) names it.

The interface lists exactly the calls the backend makes, so a test double has to implement each
of them with the right signature (no catch-all), and the live suite exercises both adapters.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

import requests

Engine = Literal["elasticsearch", "opensearch"]
ENGINES: tuple[Engine, ...] = ("elasticsearch", "opensearch")
ENGINE_SETTING = "CATALOGUE_SEARCH_ENGINE"
BULK_CHUNK = 500


class EngineError(Exception):
    """A request the search server refused or could not answer."""


class Refused(EngineError):
    """HTTP 400: a malformed request, a value the mapping refuses, an index that exists."""


class NotFound(EngineError):
    """HTTP 404."""


def _plain(response: Any) -> dict[str, Any]:
    """The JSON body of a client response (``ObjectApiResponse`` or dict)."""
    return dict(getattr(response, "body", response))


class EngineClient(ABC):
    """What the backend asks of a server; every method is one REST call (bulk: a few)."""

    engine: Engine

    @abstractmethod
    def alias_exists(self, alias: str) -> bool: ...

    @abstractmethod
    def create_index(self, name: str, body: dict[str, Any], alias: str | None = None) -> None:
        """Create ``name`` with ``body`` (settings + mappings), optionally behind ``alias``."""

    @abstractmethod
    def alias_indices(self, alias: str) -> list[str]:
        """The concrete indices behind ``alias``, sorted."""

    @abstractmethod
    def mapping_meta(self, target: str) -> dict[str, dict[str, Any]]:
        """Concrete index name -> its mapping ``_meta``, for an alias or index."""

    @abstractmethod
    def put_meta(self, index: str, meta: dict[str, Any]) -> None: ...

    @abstractmethod
    def bulk(self, actions: Iterable[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
        """Send helper-style actions; (number done, per-item errors). Raises on transport errors."""

    @abstractmethod
    def refresh(self, index: str) -> None: ...

    @abstractmethod
    def indices_matching(self, pattern: str) -> list[str]: ...

    @abstractmethod
    def delete_index(self, name: str) -> None:
        """Delete one concrete index by name (wildcards are refused by Elasticsearch 8+)."""

    @abstractmethod
    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        """Apply alias actions in one atomic call."""

    @abstractmethod
    def count(self, index: str) -> int: ...

    @abstractmethod
    def get_source(self, index: str, doc_id: str, includes: list[str]) -> dict[str, Any] | None:
        """The ``_source`` of one document (only ``includes``), None when absent."""

    @abstractmethod
    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]: ...

    @abstractmethod
    def close(self) -> None: ...

    def drop_indices(self, pattern: str) -> None:
        """Delete every index matching ``pattern``, one by one (tests and tools)."""
        for name in self.indices_matching(pattern):
            self.delete_index(name)


class _LibraryClient(EngineClient):
    """The calls both libraries make the same way; subclasses give the few that differ."""

    raw: Any
    _source_param = "source_includes"

    @abstractmethod
    def _error_classes(self) -> tuple[type[Exception], type[Exception]]:
        """The library's exceptions for HTTP 400 and 404."""

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Translate the library's 400/404 errors to :class:`Refused` / :class:`NotFound`."""
        bad_request, not_found = self._error_classes()
        try:
            yield
        except bad_request as exc:
            raise Refused(str(exc)) from exc
        except not_found as exc:
            raise NotFound(str(exc)) from exc

    @abstractmethod
    def _helpers(self) -> Any:
        """The library's ``helpers`` module (streaming bulk)."""

    def alias_exists(self, alias: str) -> bool:
        with self._errors():
            return bool(self.raw.indices.exists_alias(name=alias))

    def alias_indices(self, alias: str) -> list[str]:
        with self._errors():
            return sorted(_plain(self.raw.indices.get_alias(name=alias)))

    def mapping_meta(self, target: str) -> dict[str, dict[str, Any]]:
        with self._errors():
            found = _plain(self.raw.indices.get_mapping(index=target))
        return {str(k): dict(v.get("mappings", {}).get("_meta", {})) for k, v in found.items()}

    def bulk(self, actions: Iterable[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
        with self._errors():
            ok, errors = self._helpers().bulk(self.raw, actions, raise_on_error=False,
                                              raise_on_exception=True, chunk_size=BULK_CHUNK)
        return int(ok), list(errors) if isinstance(errors, list) else []

    def refresh(self, index: str) -> None:
        with self._errors():
            self.raw.indices.refresh(index=index)

    def indices_matching(self, pattern: str) -> list[str]:
        with self._errors():
            return sorted(_plain(self.raw.indices.get(index=pattern, allow_no_indices=True,
                                                      ignore_unavailable=True)))

    def delete_index(self, name: str) -> None:
        with self._errors():
            self.raw.indices.delete(index=name, ignore_unavailable=True)

    def count(self, index: str) -> int:
        with self._errors():
            return int(_plain(self.raw.count(index=index))["count"])

    def get_source(self, index: str, doc_id: str, includes: list[str]) -> dict[str, Any] | None:
        try:
            with self._errors():
                found = _plain(self.raw.get(index=index, id=doc_id,
                                            **{self._source_param: includes}))
        except NotFound:
            return None
        return dict(found["_source"])

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._errors():
            return _plain(self.raw.search(index=index, body=body))

    def close(self) -> None:
        self.raw.close()


class ElasticsearchClient(_LibraryClient):
    """Elasticsearch 8/9 through the official client (keyword-argument API)."""

    engine: Engine = "elasticsearch"

    def __init__(self, url: str | None = None, raw: Any | None = None) -> None:
        from elasticsearch import Elasticsearch

        self.raw = raw if raw is not None else Elasticsearch(
            url, request_timeout=30, retry_on_timeout=True, max_retries=2)

    def _error_classes(self) -> tuple[type[Exception], type[Exception]]:
        from elasticsearch import BadRequestError, NotFoundError

        return BadRequestError, NotFoundError

    def _helpers(self) -> Any:
        from elasticsearch import helpers

        return helpers

    def create_index(self, name: str, body: dict[str, Any], alias: str | None = None) -> None:
        with self._errors():
            self.raw.indices.create(index=name, aliases={alias: {}} if alias else None, **body)

    def put_meta(self, index: str, meta: dict[str, Any]) -> None:
        with self._errors():
            self.raw.indices.put_mapping(index=index, meta=meta)

    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        with self._errors():
            self.raw.indices.update_aliases(actions=actions)


class OpenSearchClient(_LibraryClient):
    """OpenSearch 2.x through ``opensearch-py`` (request bodies passed as ``body``)."""

    engine: Engine = "opensearch"
    _source_param = "_source_includes"

    def __init__(self, url: str | None = None, raw: Any | None = None) -> None:
        from opensearchpy import OpenSearch

        self.raw = raw if raw is not None else OpenSearch(
            url, timeout=30, retry_on_timeout=True, max_retries=2)

    def _error_classes(self) -> tuple[type[Exception], type[Exception]]:
        from opensearchpy import NotFoundError, RequestError

        return RequestError, NotFoundError

    def _helpers(self) -> Any:
        from opensearchpy import helpers

        return helpers

    def create_index(self, name: str, body: dict[str, Any], alias: str | None = None) -> None:
        with self._errors():
            self.raw.indices.create(
                index=name, body={**body, **({"aliases": {alias: {}}} if alias else {})})

    def put_meta(self, index: str, meta: dict[str, Any]) -> None:
        with self._errors():
            self.raw.indices.put_mapping(index=index, body={"_meta": meta})

    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        with self._errors():
            self.raw.indices.update_aliases(body={"actions": actions})


def detect_engine(url: str, timeout: float = 10) -> Engine:
    """Which server answers at ``url``, from its ``GET /`` (the one call both products share)."""
    try:
        response = requests.get(url.rstrip("/") + "/", timeout=timeout)
        response.raise_for_status()
        version = response.json().get("version", {})
    except (requests.RequestException, ValueError, AttributeError) as exc:
        # The URL is not echoed: it may carry credentials.
        raise EngineError(f"the search server did not answer GET / ({type(exc).__name__}); "
                          f"set {ENGINE_SETTING}=elasticsearch|opensearch to skip detection") from exc
    return "opensearch" if version.get("distribution") == "opensearch" else "elasticsearch"


def connect(url: str, engine: str | None = None) -> EngineClient:
    """The client for the server at ``url``: ``engine``, else the setting, else ``GET /``."""
    chosen = engine or os.environ.get(ENGINE_SETTING) or None
    if chosen is not None and chosen not in ENGINES:
        raise ValueError(f"{ENGINE_SETTING} must be one of {', '.join(ENGINES)}, not {chosen!r}")
    kind = chosen or detect_engine(url)
    return OpenSearchClient(url) if kind == "opensearch" else ElasticsearchClient(url)
