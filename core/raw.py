"""The raw record: one record as a protocol client received it, before any reader."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RawRecord:
    """One record as received: its own bytes (one XML element or one JSON object) and format.

    ``format`` names the reader that will map it: ``oai_dc``, ``lom``, ``scolomfr``, ``iso19139``,
    ``dcat`` (an rdflib graph serialised as N-Triples for one dataset), ``udata`` (data.gouv.fr
    API JSON), ``rss`` (an RSS/Atom/MRSS item or entry), ``jalons`` (INA Jalons JSON).
    """

    identifier: str
    format: str
    content: bytes
    datestamp: datetime | None = None
    deleted: bool = False
    landing_url: str | None = None
    # Protocol-level facts a reader may use: OAI setSpecs, the feed's channel title…
    extra: dict[str, Any] = field(default_factory=dict)


__all__ = ["RawRecord"]
