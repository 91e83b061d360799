"""The partner simulator: a threaded HTTP server on 127.0.0.1 replaying recorded partner data.

Why: harvesters must be tested over real HTTP, with each protocol's real paging and the faults
partners really produce, without touching the partners. All state (data, faults, request log)
belongs to one :class:`Simulator` instance, so tests can run several side by side.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from catalogue.simulator import csw, datagouv, ina, oai
from catalogue.simulator.data import PARTNERS, Store, load_stores, recording
from catalogue.simulator.faults import FaultRegistry
from catalogue.simulator.wire import SimRequest, SimResponse, json_response, xml_response

Handler = Callable[["Simulator", SimRequest], SimResponse]

ROUTES: list[tuple[str, bool, Handler]] = [
    # (path, is_prefix, handler)
    (oai.PATH, False, oai.handle),
    (csw.PATH, False, csw.handle),
    (datagouv.DATASETS_PREFIX, True, datagouv.datasets),
    (datagouv.JSONLD_PATH, False, datagouv.catalog_jsonld),
    (datagouv.TURTLE_PATH, False, datagouv.catalog_turtle),
    (datagouv.VANVES_PATH, False, datagouv.vanves_rdf),
    (ina.SEARCH_PATH, False, ina.search),
    (ina.RSS_PATH, False, ina.rss),
    (ina.ATOM_PATH, False, ina.atom),
]

ENDPOINTS = {
    "bnf-oai": "/bnf/oai",
    "ign-csw": "/ign/csw",
    "meteofrance-udata": "/meteofrance/api/1/organizations/534fff8ba3a7292c64a77ed4/datasets/",
    "meteofrance-dcat-jsonld": "/meteofrance/catalog.jsonld",
    "meteofrance-dcat-turtle": "/meteofrance/catalog.ttl",
    "vanves-dcat-rdfxml": "/meteofrance/vanves/catalog.rdf",
    "ina-jalons": "/ina/jalons/api/search",
    "ina-rss": "/ina/rss",
    "ina-atom": "/ina/atom",
}


class Simulator:
    """Recorded partners over HTTP. ``start()`` returns the base URL; ``stop()`` ends it.

    Page sizes are the servers' own: OAI 30 records, CSW at most 2 per GetRecords, DCAT 3 per
    JSON-LD/Turtle page, Atom 3 entries (udata and Jalons follow the client's page_size/limit).
    ``clock`` gives "now" for datestamps bumped by mutations and for responseDate.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        oai_page_size: int = 30,
        csw_page_size: int = 2,
        dcat_page_size: int = 3,
        atom_page_size: int = 3,
        gzip_responses: bool = True,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.oai_page_size = oai_page_size
        self.csw_page_size = csw_page_size
        self.dcat_page_size = dcat_page_size
        self.atom_page_size = atom_page_size
        self.gzip_responses = gzip_responses
        self._clock = clock or (lambda: datetime.now(UTC))
        self.faults = FaultRegistry()
        self.stores: dict[str, Store] = load_stores()
        self._requests: list[SimRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> str:
        """Start serving in a daemon thread; returns the base URL (no trailing slash)."""
        if self._server is not None:
            return self.base_url
        handler = type("BoundHandler", (_Handler,), {"sim": self})
        self._server = _Server((self.host, self.port), handler)
        self.port = self._server.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"simulator:{self.port}", daemon=True,
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.close_connections()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Block until interrupted (used by ``python -m catalogue.simulator``)."""
        self.start()
        try:
            while not self._stopping.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    # -- helpers -----------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def now(self) -> datetime:
        return self._clock()

    def endpoints(self) -> dict[str, str]:
        """Name → absolute URL of every simulated endpoint."""
        return {name: self.url(path) for name, path in ENDPOINTS.items()}

    @property
    def requests(self) -> list[SimRequest]:
        """Requests received so far (control paths ``/_sim/…`` excluded), oldest first."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def reset(self, data: bool = False) -> None:
        """Forget faults and the request log; with ``data=True`` also reload the recordings."""
        self.faults.clear()
        self.clear_requests()
        if data:
            self.stores = load_stores()

    def _log(self, request: SimRequest) -> None:
        with self._lock:
            self._requests.append(request)

    # -- data mutation -----------------------------------------------------------------------

    def _store(self, partner: str) -> Store:
        try:
            return self.stores[partner]
        except KeyError:
            raise KeyError(f"unknown partner {partner!r} (known: {', '.join(PARTNERS)})") from None

    def update_record(self, partner: str, identifier: str, **fields: Any) -> None:
        """Change fields (e.g. ``title=…``) of a record and bump its datestamp to now."""
        self._store(partner).update(identifier, self.now(), fields)

    def delete_record(self, partner: str, identifier: str) -> None:
        """OAI announces it as ``status="deleted"``; the other protocols stop listing it."""
        self._store(partner).delete(identifier, self.now())

    def add_record(self, partner: str, identifier: str, **fields: Any) -> None:
        """A new record cloned from the partner's first one, with ``fields`` applied."""
        self._store(partner).add(identifier, self.now(), fields)

    def identifiers(self, partner: str, include_deleted: bool = False) -> list[str]:
        store = self._store(partner)
        entries = store.all() if include_deleted else store.live()
        return [e.identifier for e in entries]

    # -- dispatch ----------------------------------------------------------------------------

    def dispatch(self, request: SimRequest) -> SimResponse:
        for path, is_prefix, handler in ROUTES:
            if request.path == path or (is_prefix and request.path.startswith(path)):
                return handler(self, request)
        if request.path in ("/", ""):
            return json_response({"endpoints": self.endpoints()})
        return SimResponse(status=404, body=b"not found\n")

    def control(self, request: SimRequest) -> SimResponse:
        """``/_sim/…``: faults, reset, request log and data mutation for out-of-process tests."""
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError:
            return json_response({"error": "body must be JSON"}, status=400)
        path = request.path
        try:
            if path == "/_sim/faults" and request.method == "POST":
                fault = self.faults.add(
                    str(payload["path"]), str(payload["kind"]),
                    payload.get("times", -1), after=int(payload.get("after", 0)),
                    query=payload.get("query") or None, **(payload.get("params") or {}),
                )
                return json_response({"id": fault.id}, status=201)
            if path == "/_sim/faults" and request.method == "GET":
                return json_response([asdict(f) for f in self.faults.list()])
            if path == "/_sim/reset" and request.method == "POST":
                self.reset(data=bool(payload.get("data", False)))
                return json_response({"reset": True})
            if path == "/_sim/requests" and request.method == "GET":
                return json_response([
                    {"method": r.method, "path": r.path, "query": r.query, "time": r.time}
                    for r in self.requests
                ])
            if path == "/_sim/records" and request.method == "POST":
                action = payload.get("action")
                partner, identifier = str(payload["partner"]), str(payload["identifier"])
                fields = payload.get("fields") or {}
                if action == "update":
                    self.update_record(partner, identifier, **fields)
                elif action == "delete":
                    self.delete_record(partner, identifier)
                elif action == "add":
                    self.add_record(partner, identifier, **fields)
                else:
                    return json_response({"error": f"unknown action {action!r}"}, status=400)
                return json_response({"ok": True})
        except (KeyError, ValueError, TypeError) as exc:
            return json_response({"error": str(exc)}, status=400)
        return json_response({"error": "unknown control endpoint"}, status=404)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Hang up kept-alive connections, so a stopped simulator really stops answering."""
        with self._connections_lock:
            connections = list(self.connections)
            self.connections.clear()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts, truncation tests) are normal here: stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "catalogue-simulator/0.1"
    timeout = 30
    sim: Simulator

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: the simulator keeps its own request log."""

    def do_GET(self) -> None:  # noqa: N802
        self._handle("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def _request(self, method: str) -> SimRequest:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        multi = parse_qs(parts.query, keep_blank_values=True)
        if method == "POST" and "form-urlencoded" in self.headers.get("Content-Type", ""):
            for key, values in parse_qs(body.decode("utf-8", "replace"),
                                        keep_blank_values=True).items():
                multi.setdefault(key, []).extend(values)
        return SimRequest(
            method=method, path=parts.path, query=parts.query,
            params={k: v[0] for k, v in multi.items()}, multi=multi,
            headers={k: v for k, v in self.headers.items()}, body=body, time=time.time(),
        )

    def _handle(self, method: str) -> None:
        sim = self.sim
        request = self._request(method)
        if request.path.startswith("/_sim/"):
            self._send(sim.control(request), method)
            return
        sim._log(request)
        faults, path, query = sim.faults, request.path, request.params
        down = faults.take(path, query, "down")
        if down is not None:
            if str(down.params.get("mode", "close")) == "close":
                self._drop()
                return
            self._send(SimResponse(status=502, body=b"<html><body>502 Bad Gateway</body></html>",
                                   content_type="text/html"), method)
            return
        status = faults.take(path, query, "status")
        if status is not None:
            code = int(status.params.get("status", 503))
            response = SimResponse(status=code, body=f"simulated HTTP {code}\n".encode(),
                                   content_type="text/html")
            if "retry_after" in status.params:
                response.headers["Retry-After"] = str(status.params["retry_after"])
            for key, value in dict(status.params.get("headers") or {}).items():
                response.headers[str(key)] = str(value)
            self._send(response, method)
            return
        throttled = faults.take(path, query, "429")
        if throttled is not None:
            seconds = int(throttled.params.get("retry_after", 1))
            if throttled.params.get("http_date"):
                when = datetime.fromtimestamp(time.time() + seconds, UTC)
                retry_after = format_datetime(when, usegmt=True)
            else:
                retry_after = str(seconds)
            self._send(SimResponse(status=429, body=b"Too Many Requests\n",
                                   headers={"Retry-After": retry_after}), method)
            return
        oversized = faults.take(path, query, "oversized")
        if oversized is not None:
            self._send_oversized(int(oversized.params.get("size", 200 * 1024 * 1024)),
                                 bool(oversized.params.get("announce", False)),
                                 bool(oversized.params.get("gzip", False)))
            return
        slow = faults.take(path, query, "slow")
        if slow is not None:
            _hold(slow.params.get("until"), sim._stopping, float(slow.params.get("seconds", 2)))
        malformed = faults.take(path, query, "malformed")
        expired = faults.take(path, query, "expired-token")
        if malformed is not None:
            body = malformed.params.get("body")
            if isinstance(body, bytes):
                data = body
            elif isinstance(body, str):
                data = body.encode("utf-8")
            else:
                data = recording("errors/SYNTHETIC_sickle_listrecords_broken_not_xml.xml")
            response = xml_response(data, content_type=str(
                malformed.params.get("content_type", "text/xml; charset=utf-8")))
        elif expired is not None:
            response = oai.expired_token_response()
        else:
            try:
                response = sim.dispatch(request)
            except Exception as exc:  # a simulator bug must show up as a 500, not a hang
                response = SimResponse(status=500, body=f"simulator error: {exc!r}\n".encode())
        truncated = faults.take(path, query, "truncated")
        fraction = float(truncated.params.get("fraction", 0.5)) if truncated else None
        self._send(response, method, truncate=fraction)

    def _send_oversized(self, size: int, announce: bool, compress: bool) -> None:
        """A well-formed start of an OAI-PMH answer that goes on for ``size`` bytes."""
        head = (b'<?xml version="1.0" encoding="utf-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/'
                b'OAI/2.0/"><responseDate>2024-01-01T00:00:00Z</responseDate><ListRecords>')
        filler = b"<!-- " + b"x" * (64 * 1024 - 9) + b" -->"
        compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS) if compress else None

        def chunks() -> Iterator[bytes]:
            sent = len(head)
            yield head
            while sent < size:
                piece = filler[: size - sent]
                sent += len(piece)
                yield piece

        body: Iterator[bytes] = chunks()
        if compressor is not None:  # compressed up front: small, and its length is known
            data = b"".join(compressor.compress(c) for c in chunks()) + compressor.flush()
            body = iter([data])
            size = len(data)
        self.close_connection = True
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            if compressor is not None:
                self.send_header("Content-Encoding", "gzip")
            if announce or compressor is not None:
                self.send_header("Content-Length", str(size))
            self.send_header("Connection", "close")
            self.end_headers()
            for piece in body:
                if self.sim._stopping.is_set():
                    break
                self.wfile.write(piece)
        except OSError:
            pass  # the client hung up once it had enough: that is the point

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, response: SimResponse, method: str, truncate: float | None = None) -> None:
        body = response.body
        headers = dict(response.headers)
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if self.sim.gzip_responses and accepts_gzip and len(body) > 1024:
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key, value)
            if truncate is not None:
                self.send_header("Connection", "close")
            self.end_headers()
            if method == "HEAD":
                return
            if truncate is not None:
                self.wfile.write(body[: int(len(body) * truncate)])
                self.wfile.flush()
                self._drop()
                return
            self.wfile.write(body)
        except OSError:
            self.close_connection = True


def _hold(until: object, stopping: threading.Event, seconds: float) -> None:
    """Wait ``seconds``, or, with an ``until`` event, until the test sets it (``seconds`` at most):
    tests order two harvests by events rather than by how fast a loaded machine runs."""
    if not isinstance(until, threading.Event):
        stopping.wait(seconds)
        return
    waited = 0.0
    while waited < seconds and not until.is_set() and not stopping.is_set():
        until.wait(0.05)
        waited += 0.05
