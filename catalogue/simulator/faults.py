"""Faults injected on demand: what partners do to harvesters in real life, on a schedule.

A fault applies to requests whose path starts with ``path_prefix`` (and whose query contains the
``query`` pairs, if given). ``after`` lets that many matching requests through first; ``times``
is how many requests it then affects (None: until reset).

Kinds and their parameters:

- ``status``: answer ``status`` (default 503), optional ``retry_after`` and extra ``headers``
  (e.g. ``status=302, headers={"Location": …}`` for a redirect).
- ``429``: answer 429 with ``Retry-After: retry_after`` (seconds, default 1; ``http_date=True``
  sends an HTTP date instead).
- ``slow``: wait ``seconds`` (default 2) before answering normally; with ``until`` (a
  ``threading.Event``), wait until the test sets it, ``seconds`` at most.
- ``truncated``: announce the full Content-Length, send ``fraction`` (0.5) of the body, close.
- ``malformed``: answer 200 with a body that is not XML (the recorded ``broken xml``); ``body``
  and ``content_type`` replace it, which also makes this a canned-response fault.
- ``expired-token``: OAI-PMH ``badResumptionToken`` with HTTP 200, only for requests that carry a
  resumptionToken.
- ``loop-next``: the endpoint's paging link points back: CSW ``nextRecord`` = ``next_record`` (or
  the current start), hydra/Atom/udata next = the current page.
- ``down``: ``mode="close"`` (default) drops the connection without an answer; ``mode="502"``
  answers 502. Default ``times`` None (down until reset).
- ``oversized``: answer 200 with a generated XML body of ``size`` bytes (default 200 MB), streamed
  in chunks so the simulator never holds it; ``announce=True`` sends its Content-Length (else the
  body ends when the connection closes); ``gzip=True`` sends it gzip-compressed (a gzip bomb: a
  few hundred KB on the wire).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

KINDS = ("status", "429", "slow", "truncated", "malformed", "expired-token", "loop-next", "down",
         "oversized")


@dataclass
class Fault:
    id: int
    path_prefix: str
    kind: str
    times: int | None
    after: int = 0
    query: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    seen: int = 0
    applied: int = 0

    def matches(self, path: str, query: Mapping[str, str]) -> bool:
        if not path.startswith(self.path_prefix):
            return False
        if self.kind == "expired-token" and "resumptionToken" not in query:
            return False
        return all(query.get(k) == v for k, v in self.query.items())

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.applied >= self.times


class FaultRegistry:
    """Thread-safe list of pending faults, consumed by the request handler."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._next_id = 1

    def add(
        self,
        path_prefix: str,
        kind: str,
        times: int | None = -1,
        *,
        after: int = 0,
        query: Mapping[str, str] | None = None,
        **params: Any,
    ) -> Fault:
        """Schedule a fault; returns it (its ``applied`` counter shows whether it fired).

        ``times`` defaults to 1, except for ``down`` which lasts until reset (None).
        """
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r} (known: {', '.join(KINDS)})")
        if times == -1:
            times = None if kind == "down" else 1
        with self._lock:
            fault = Fault(
                id=self._next_id, path_prefix=path_prefix, kind=kind, times=times, after=after,
                query={k: str(v) for k, v in (query or {}).items()}, params=dict(params),
            )
            self._next_id += 1
            self._faults.append(fault)
            return fault

    def take(self, path: str, query: Mapping[str, str], kind: str) -> Fault | None:
        """The first live fault of ``kind`` for this request, counted as applied; or None."""
        with self._lock:
            for fault in self._faults:
                if fault.kind != kind or fault.exhausted or not fault.matches(path, query):
                    continue
                fault.seen += 1
                if fault.seen <= fault.after:
                    continue
                fault.applied += 1
                return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def list(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)
