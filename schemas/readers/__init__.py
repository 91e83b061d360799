"""Format readers: one module per format, each turning a :class:`RawRecord` into the shared record.

A reader returns a :class:`Mapped`: the record without levels/disciplines (alignment adds them,
``schemas.alignment``) and the classification *hints* it found (explicit ScoLOMFR ids, Dewey
classes, GEMET themes, tags…). Readers never fetch anything and never raise on odd data: a record
that cannot be mapped raises :class:`MappingError` with a message a partner can act on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from core.raw import RawRecord


class MappingError(ValueError):
    """The raw record cannot be turned into a shared record (stage "map")."""


@dataclass(frozen=True)
class ReaderContext:
    """What a reader knows besides the raw bytes: whose record it is and when it was fetched."""

    source_id: str
    partner: str
    harvested_at: str  # ISO 8601 UTC


@dataclass
class Mapped:
    record: dict[str, Any]
    # Keys: scolomfr_levels, scolomfr_disciplines, dewey, gemet, inspire_themes, iso_topic,
    # canalu, tags, dcat_themes, labels (free subjects/keywords text).
    hints: dict[str, list[str]] = field(default_factory=dict)
    # Non-fatal remarks for the harvest report (e.g. "licence not recognised: …").
    warnings: list[str] = field(default_factory=list)


T = TypeVar("T")


def keep_first(items: list[T], limit: int, what: str, warnings: list[str]) -> list[T]:
    """At most ``limit`` items; the harvest report tells the partner how many were dropped."""
    if len(items) > limit:
        warnings.append(f"{len(items)} {what}: only the first {limit} kept")
        return items[:limit]
    return items


def note_clipped(texts: list[str], limit: int, what: str, warnings: list[str]) -> None:
    """Warn about texts longer than the record allows (the reader clips them with an ellipsis)."""
    longest = max((len(t) for t in texts), default=0)
    if longest > limit:
        warnings.append(f"{what} of {longest} characters clipped to {limit}")


Reader = Callable[[RawRecord, ReaderContext], Mapped]
_READERS: dict[str, Reader] = {}


def reader(*formats: str) -> Callable[[Reader], Reader]:
    """Decorator registering a reader function for one or more raw formats."""

    def wrap(fn: Reader) -> Reader:
        for name in formats:
            _READERS[name] = fn
        return fn

    return wrap


def reader_formats() -> list[str]:
    """The raw formats a reader is registered for (what a source's records may be in)."""
    import schemas.readers.formats  # noqa: F401

    return sorted(_READERS)


def read(raw: RawRecord, ctx: ReaderContext) -> Mapped:
    """Map ``raw`` with the reader registered for its format."""
    import schemas.readers.formats  # noqa: F401  (registers the built-in readers)

    try:
        fn = _READERS[raw.format]
    except KeyError:
        raise MappingError(f"no reader for format {raw.format!r}") from None
    return fn(raw, ctx)
