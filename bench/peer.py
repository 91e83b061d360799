"""The comparison server: the ``oaipmh`` package's ``BatchingServer`` over the same records.

Why: the issue asks how our OAI-PMH endpoint compares with the reference Python implementation
serving the same content behind the same WSGI server. The peer holds every record in memory (as
the library's in-memory pattern does: ``Header`` + ``Metadata`` objects), built from our own
``oai_dc`` serialisation of each stored record so that both servers send the same Dublin Core
values (the library's writer cannot emit ``xml:lang``; that is the only difference). It lists
records in the store's change order, tombstones included, 100 per page like ours.

``python -m bench.peer --database-url URL --port P`` runs it under gunicorn with the options of
``web.server.run_server`` (gthread, 4 threads, preloaded app) and prints one JSON line when the
records are loaded.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import unescape

from gunicorn.app.base import BaseApplication
from oaipmh import common, error
from oaipmh.metadata import MetadataRegistry
from oaipmh.server import BatchingServer, oai_dc_writer

from catalogue.store import Store
from schemas.serializers.oai_dc import oai_dc_xml

_DC_ELEMENT = re.compile(r"<dc:([a-z]+)(?: [^>]*)?>(.*?)</dc:\1>", re.S)
NAMESPACE = "catalogue.education.fr"


def dc_map(record: dict[str, Any]) -> dict[str, list[str]]:
    """Element name → values, exactly as our serialiser writes them for ``record``."""
    values: dict[str, list[str]] = {}
    for name, text in _DC_ELEMENT.findall(oai_dc_xml(record)):
        values.setdefault(name, []).append(unescape(text, {"&quot;": '"', "&apos;": "'"}))
    return values


class MemoryRepository:
    """An ``IBatchingOAI`` implementation over a list of (header, metadata, about) tuples."""

    def __init__(self, items: list[tuple[common.Header, common.Metadata | None, None]],
                 base_url: str, earliest: datetime) -> None:
        self.items = items
        self.by_id = {item[0].identifier(): item for item in items}
        self._identify = common.Identify(
            repositoryName="oaipmh peer", baseURL=base_url, protocolVersion="2.0",
            adminEmails=["bench@example.org"], earliestDatestamp=earliest,
            deletedRecord="persistent", granularity="YYYY-MM-DDThh:mm:ssZ",
            compression=["identity"])

    def identify(self) -> common.Identify:
        return self._identify

    def listMetadataFormats(self, identifier: str | None = None) -> list[tuple[str, str, str]]:  # noqa: N802
        return [("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
                 "http://www.openarchives.org/OAI/2.0/oai_dc/")]

    def listSets(self, cursor: int = 0, batch_size: int = 10) -> list[Any]:  # noqa: N802
        raise error.NoSetHierarchyError("no sets")

    def _window(self, from_: datetime | None, until: datetime | None, cursor: int,
                batch_size: int) -> list[Any]:
        if from_ is None and until is None:
            return self.items[cursor:cursor + batch_size]
        chosen = [i for i in self.items
                  if (from_ is None or i[0].datestamp() >= from_)
                  and (until is None or i[0].datestamp() <= until)]
        return chosen[cursor:cursor + batch_size]

    def listRecords(self, metadataPrefix: str, set: str | None = None,  # noqa: N802, N803, A002
                    from_: datetime | None = None, until: datetime | None = None,
                    cursor: int = 0, batch_size: int = 10) -> list[Any]:
        if set:
            raise error.NoSetHierarchyError("no sets")
        return self._window(from_, until, cursor, batch_size)

    def listIdentifiers(self, metadataPrefix: str, set: str | None = None,  # noqa: N802, N803, A002
                        from_: datetime | None = None, until: datetime | None = None,
                        cursor: int = 0, batch_size: int = 10) -> list[Any]:
        return [item[0] for item in self.listRecords(metadataPrefix, set, from_, until,
                                                     cursor, batch_size)]

    def getRecord(self, metadataPrefix: str, identifier: str) -> Any:  # noqa: N802, N803
        try:
            return self.by_id[identifier]
        except KeyError:
            raise error.IdDoesNotExistError(identifier) from None


def load_items(store: Store) -> list[tuple[common.Header, common.Metadata | None, None]]:
    """Every record and tombstone of the store, in change order, as the library's objects."""
    items: list[tuple[common.Header, common.Metadata | None, None]] = []
    for stored in store.iter_records(include_deleted=True, batch=2000):
        header = common.Header(None, f"oai:{NAMESPACE}:{stored.id}", stored.datestamp.replace(microsecond=0),
                               [f"partner:{stored.partner}"], stored.deleted)
        metadata = None
        if not stored.deleted and stored.data is not None:
            metadata = common.Metadata(None, dc_map(stored.data))
        items.append((header, metadata, None))
    return items


def make_app(store_url: str, base_url: str, batch_size: int) -> Callable[..., Iterable[bytes]]:
    store = Store(store_url)
    items = load_items(store)
    store.close()
    earliest = min((h.datestamp() for h, _, _ in items), default=datetime(2000, 1, 1))
    registry = MetadataRegistry()
    registry.registerWriter("oai_dc", oai_dc_writer)
    server = BatchingServer(MemoryRepository(items, base_url, earliest), metadata_registry=registry,
                            resumption_batch_size=batch_size)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        query = environ.get("QUERY_STRING", "")
        if environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            query = environ["wsgi.input"].read(length).decode("utf-8", "replace")
        args = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        body: bytes = server.handleRequest(args)
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    app.records = len(items)  # type: ignore[attr-defined]
    return app


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Callable[..., Iterable[bytes]], options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Callable[..., Iterable[bytes]]:
        return self.application


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.peer")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    base = f"http://127.0.0.1:{args.port}/oai"
    app = make_app(args.database_url, base, args.batch_size)
    sys.stdout.write(json.dumps({"loaded": app.records,  # type: ignore[attr-defined]
                                 "load_s": round(time.perf_counter() - start, 2)}) + "\n")
    sys.stdout.flush()
    # The same server settings as web.server.run_server (catalogue serve).
    _Gunicorn(app, {"bind": f"127.0.0.1:{args.port}", "workers": args.workers,
                    "worker_class": "gthread", "threads": 4, "timeout": 120,
                    "preload_app": True, "accesslog": "-", "limit_request_line": 8190}).run()


if __name__ == "__main__":
    main()
