"""Hostile partners: small HTTP servers on 127.0.0.1 that the tests start and stop.

Each :class:`Partner` answers from a Python function ``route(path_and_query) -> Answer``; an
answer body may be bytes or an iterator of ``(bytes, pause_seconds)`` pieces (a server that
trickles). Every server counts the connections it accepts and the requests it serves, and
stops answering (410) after ``max_requests``, so no test can loop forever against it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Body = bytes | Iterable[tuple[bytes, float]]


@dataclass
class Answer:
    body: Body = b""
    status: int = 200
    content_type: str = "application/xml"
    headers: dict[str, str] = field(default_factory=dict)


class Partner:
    """A loopback HTTP server answering with ``route``; ``url(path)`` gives its URLs."""

    def __init__(self, route: Callable[[str], Answer], max_requests: int = 500) -> None:
        self.route = route
        self.max_requests = max_requests
        self.requests: list[str] = []
        self.connections = 0
        self._lock = threading.Lock()
        partner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                with partner._lock:
                    partner.requests.append(self.path)
                    over = len(partner.requests) > partner.max_requests
                answer = Answer(b"too many requests for this test", 410, "text/plain") if over \
                    else partner.route(self.path)
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if isinstance(answer.body, bytes):
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                    return
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                try:
                    for piece, pause in answer.body:
                        self.wfile.write(piece)
                        self.wfile.flush()
                        if pause:
                            time.sleep(pause)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def get_request(self) -> Any:
                accepted = super().get_request()
                with partner._lock:
                    partner.connections += 1
                return accepted

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> Partner:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def trickle(head: bytes, piece: bytes = b" ", pause: float = 0.2, limit: int = 10_000
            ) -> Iterator[tuple[bytes, float]]:
    """``head`` then ``piece`` every ``pause`` seconds, ``limit`` times at most (a slowloris)."""
    yield head, pause
    for _ in range(limit):
        yield piece, pause


OAI = "http://www.openarchives.org/OAI/2.0/"


def oai_list(records: str, token: str | None = None, head: str = "") -> bytes:
    """A ListRecords page with ``records`` and, if given, a resumption token."""
    token_el = f"<resumptionToken>{token}</resumptionToken>" if token else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>{head}<OAI-PMH xmlns="{OAI}">'
            "<responseDate>2024-01-01T00:00:00Z</responseDate>"
            '<request verb="ListRecords">http://partner.example/oai</request>'
            f"<ListRecords>{records}{token_el}</ListRecords></OAI-PMH>").encode()


def oai_dc_record(identifier: str, title: str = "Titre", extra: str = "") -> str:
    return (f"<record><header><identifier>{identifier}</identifier>"
            "<datestamp>2024-01-01</datestamp></header><metadata>"
            '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{title}</dc:title><dc:identifier>https://partner.example/{identifier}"
            f"</dc:identifier><dc:type>text</dc:type>{extra}</oai_dc:dc></metadata></record>")


def token_of(path: str) -> str | None:
    """The resumptionToken argument of an OAI-PMH request path, if any."""
    from urllib.parse import parse_qs, urlsplit

    values = parse_qs(urlsplit(path).query).get("resumptionToken")
    return values[0] if values else None
