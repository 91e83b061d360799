"""The simulator's request and response values (independent of the HTTP server used)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SimRequest:
    """One request as logged: method, path and raw query, plus parsed parameters."""

    method: str
    path: str
    query: str
    params: dict[str, str] = field(default_factory=dict)
    multi: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    time: float = 0.0

    def __str__(self) -> str:
        return f"{self.method} {self.path}" + (f"?{self.query}" if self.query else "")


@dataclass
class SimResponse:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def xml_response(body: str | bytes, status: int = 200,
                 content_type: str = "text/xml; charset=utf-8") -> SimResponse:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return SimResponse(status=status, body=data, content_type=content_type)


def json_response(document: Any, status: int = 200,
                  content_type: str = "application/json") -> SimResponse:
    body = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    return SimResponse(status=status, body=body, content_type=content_type)
