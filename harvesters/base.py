"""What every protocol client yields, and the base class they share.

A protocol module knows how to page through one kind of endpoint; it never interprets the
metadata beyond what it needs to split a page into records (identifier, datestamp, deleted flag).
The format readers in ``schemas.readers`` turn each :class:`RawRecord` into the shared record.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from core.raw import RawRecord

if TYPE_CHECKING:
    from marshmallow import Schema

# Stages at which something can go wrong, as shown in harvest reports.
STAGES = ("fetch", "parse", "map", "validate", "store")


@dataclass(frozen=True)
class SourceSpec:
    """The part of a source's configuration a protocol client needs (no catalogue import)."""

    id: str
    url: str
    protocol: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HarvestIssue:
    """A problem tied to its place: the stage, the record (if known) and what to fix."""

    stage: str
    message: str
    identifier: str | None = None
    # Page-level problems (a malformed page) have no identifier but an URL.
    url: str | None = None
    # A warning: the run went on as it should (e.g. a fallback), nothing is missing because of it;
    # it is reported but neither fails a record nor makes the run "done with errors".
    warning: bool = False


@dataclass
class Page:
    """One page of a listing. ``checkpoint`` is what to pass back to resume after this page."""

    records: list[RawRecord]
    issues: list[HarvestIssue] = field(default_factory=list)
    checkpoint: dict[str, Any] | None = None
    url: str | None = None
    # How many records the whole listing announces, when the protocol says (progress display).
    total: int | None = None


class HarvestFailed(Exception):
    """The source cannot be harvested any further in this run (after retries)."""

    def __init__(self, message: str, url: str | None = None, stage: str = "fetch") -> None:
        super().__init__(message)
        self.url = url
        # Where the run stopped, for the report: "fetch" (HTTP) or "parse" (unreadable page).
        self.stage = stage


class Harvester(ABC):
    """Base of every protocol client. Subclasses set ``protocol`` and implement :meth:`pages`."""

    protocol: ClassVar[str]
    # Whether the protocol announces deletions (OAI-PMH does); if not, the pipeline infers them
    # from absence across full runs.
    signals_deletions: ClassVar[bool] = False
    # The options a source of this protocol may set, with their types (``harvesters.options``):
    # checked before anything runs (``catalogue sources check``).
    options_schema: ClassVar[type[Schema]]

    def __init__(self, source: SourceSpec, http: Any) -> None:
        self.source = source
        self.http = http

    @abstractmethod
    def pages(
        self, since: datetime | None = None, checkpoint: dict[str, Any] | None = None
    ) -> Iterator[Page]:
        """Yield pages in order. ``since``: only records changed after it (if the protocol can).

        ``checkpoint``: the checkpoint of the last page fully processed in an interrupted run;
        the listing resumes right after it.
        """


_REGISTRY: dict[str, type[Harvester]] = {}


def register(cls: type[Harvester]) -> type[Harvester]:
    """Class decorator: make a protocol available under its ``protocol`` name."""
    _REGISTRY[cls.protocol] = cls
    return cls


def harvester_for(source: SourceSpec, http: Any) -> Harvester:
    """The client for ``source.protocol``; importing ``harvesters.protocols`` registers them all."""
    import harvesters.protocols  # noqa: F401  (registers the built-in protocols)

    try:
        cls = _REGISTRY[source.protocol]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise ValueError(f"unknown protocol {source.protocol!r} (known: {known})") from None
    return cls(source, http)


def options_schema_for(protocol: str) -> type[Schema] | None:
    """The options schema of a protocol, None for an unknown protocol."""
    import harvesters.protocols  # noqa: F401

    cls = _REGISTRY.get(protocol)
    return cls.options_schema if cls is not None else None


def protocols() -> list[str]:
    import harvesters.protocols  # noqa: F401

    return sorted(_REGISTRY)
