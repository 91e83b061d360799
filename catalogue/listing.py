"""Keyset listings of the store for bulk readers (OAI-PMH, dumps, feeds).

Records are listed in change order: ``seq`` is assigned inside the writing transaction and, on
SQLite (one writer) as on PostgreSQL (the counter row is locked until commit), grows in commit
order. A reader that resumes "after seq k" therefore sees every change committed after it
read ``k``: a record changed during a long harvest is never lost, it comes again later with its
new datestamp. No server-side state is kept between pages, so a reader may pause for a week.

Selections filter on the partner (``records.partner``: known for tombstones too) and on one
facet row of ``record_facets`` (levels already expanded along the hierarchy, disciplines with
their parent). The store deletes the facet rows of deleted records, so tombstones only match
selections without a facet.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, exists, func, select

from catalogue import tables as t
from catalogue.store import Store, with_catalogue

r = t.records
f = t.record_facets


@dataclass(frozen=True)
class Selection:
    """Which records a listing covers.

    ``facet`` with ``value`` None selects records having any value of that facet. ``since`` is
    inclusive and ``before`` exclusive, both on the store datestamp (naive UTC).
    """

    partner: str | None = None
    facet: str | None = None
    value: str | None = None
    since: datetime | None = None
    before: datetime | None = None
    include_deleted: bool = True


@dataclass(frozen=True)
class ListedRecord:
    id: str
    partner: str
    datestamp: datetime
    deleted: bool
    seq: int
    # The shared record as stored (JSON text, parsed only by readers that need it); None when
    # the listing was asked for headers only.
    data: str | None
    # The oai_dc fragment rendered when the record last changed, if the store has it.
    oai_dc: str | None = None
    # How many times the record changed in the store (1: as first stored).
    version: int = 0

    def record(self) -> dict[str, Any] | None:
        """The parsed record, or None without data."""
        if not self.data:
            return None
        loaded: dict[str, Any] = json.loads(self.data)
        return loaded


CHANGE_TOKEN_PREFIX = "c"  # noqa: S105 - a position, not a secret


def change_token(seq: int) -> str:
    """The public name of a position in the change sequence (``c`` + seq): what a re-user
    passes back as ``since`` to get the changes after it."""
    return f"{CHANGE_TOKEN_PREFIX}{seq}"


def parse_change_token(text: str) -> int | None:
    """The seq of a token from :func:`change_token`, or None if ``text`` is not one."""
    digits = text[len(CHANGE_TOKEN_PREFIX):] if text.startswith(CHANGE_TOKEN_PREFIX) else ""
    if not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        return None
    return int(digits)


def catalogue_block(moment: datetime, seq: int) -> dict[str, str]:
    """What the catalogue says about its own copy of a record, in JSON and JSON Lines: when
    it last changed in the catalogue (the OAI-PMH datestamp, not the partner's
    ``source.datestamp``) and its position in the change feed (as ``store.with_catalogue``)."""
    block: dict[str, str] = with_catalogue({}, moment, seq)["catalogue"]
    return block


def _conditions(selection: Selection, *, paging: bool) -> list[ColumnElement[bool]]:
    """WHERE conditions of ``selection``.

    Pages (``paging``) walk the seq index: the facet test is a correlated EXISTS on the facet
    primary key, and the datestamp is wrapped in COALESCE so that no planner prefers the
    datestamp index and then sorts the whole window on every page. Aggregates (count, first
    seq) let the planner drive from the facet-value or datestamp index instead.
    """
    conds: list[ColumnElement[bool]] = []
    if selection.partner is not None:
        conds.append(r.c.partner == selection.partner)
    if selection.facet is not None:
        if paging:
            facet_match = and_(f.c.record_id == r.c.id, f.c.facet == selection.facet)
            if selection.value is not None:
                facet_match = and_(facet_match, f.c.value == selection.value)
            conds.append(exists().where(facet_match))
        else:
            members = select(f.c.record_id).where(f.c.facet == selection.facet)
            if selection.value is not None:
                members = members.where(f.c.value == selection.value)
            conds.append(r.c.id.in_(members))
    stamp: ColumnElement[datetime] = func.coalesce(r.c.datestamp, r.c.datestamp) if paging else r.c.datestamp
    if selection.since is not None:
        conds.append(stamp >= selection.since)
    if selection.before is not None:
        conds.append(stamp < selection.before)
    if not selection.include_deleted:
        conds.append(r.c.deleted.is_(False))
    return conds


def _columns(with_data: bool) -> list[Any]:
    cols: list[Any] = [r.c.id, r.c.partner, r.c.datestamp, r.c.deleted, r.c.seq, r.c.version]
    if with_data:
        cols.extend((r.c.data, r.c.oai_dc))
    return cols


def _listed(row: Any, with_data: bool) -> ListedRecord:
    return ListedRecord(
        id=row.id, partner=row.partner, datestamp=row.datestamp, deleted=bool(row.deleted),
        seq=int(row.seq), data=row.data if with_data else None,
        oai_dc=row.oai_dc if with_data else None, version=int(row.version),
    )


def page_query(selection: Selection, after_seq: int, limit: int, with_data: bool = True) -> Select[Any]:
    """The SQL of one page (exposed so tests and benchmarks can look at its plan)."""
    return (select(*_columns(with_data))
            .where(r.c.seq > after_seq, *_conditions(selection, paging=True))
            .order_by(r.c.seq).limit(limit))


class Reader:
    """Listing queries on one connection (a request opens one, not one per query)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def page(self, selection: Selection, *, after_seq: int = 0, limit: int = 100,
             with_data: bool = True) -> list[ListedRecord]:
        """Up to ``limit`` records of ``selection`` with ``seq > after_seq``, in change order."""
        rows = self.conn.execute(page_query(selection, after_seq, limit, with_data)).all()
        return [_listed(row, with_data) for row in rows]

    def summary(self, selection: Selection) -> tuple[int, int]:
        """(how many records ``selection`` holds, the seq just before its first one).

        A listing that starts after that seq skips the part of the table the selection does
        not touch, e.g. all records older than ``since`` in an incremental harvest.
        """
        query = select(func.count(), func.min(r.c.seq)).select_from(r).where(
            *_conditions(selection, paging=False))
        total, first = self.conn.execute(query).one()
        return int(total), int(first) - 1 if first is not None else 0

    def get(self, record_id: str, with_data: bool = True) -> ListedRecord | None:
        """One record (live or tombstone) by id."""
        row = self.conn.execute(select(*_columns(with_data)).where(r.c.id == record_id)).first()
        return _listed(row, with_data) if row is not None else None

    def exists(self, record_id: str) -> bool:
        return self.conn.execute(select(r.c.id).where(r.c.id == record_id)).first() is not None

    def facets_of(self, record_ids: Sequence[str],
                  facets: Sequence[str] = ("level", "discipline")) -> dict[str, dict[str, list[str]]]:
        """``{record id: {facet: [values]}}`` for the given records, in one query."""
        out: dict[str, dict[str, list[str]]] = {}
        if not record_ids:
            return out
        rows = self.conn.execute(
            select(f.c.record_id, f.c.facet, f.c.value)
            .where(f.c.record_id.in_(list(record_ids)), f.c.facet.in_(list(facets)))
        )
        for record_id, facet, value in rows:
            out.setdefault(record_id, {}).setdefault(facet, []).append(value)
        return out

    def earliest_datestamp(self) -> datetime | None:
        """The oldest datestamp of any record (tombstones included), via the datestamp index."""
        value = self.conn.execute(select(func.min(r.c.datestamp))).scalar()
        return value if isinstance(value, datetime) else None

    def partners(self) -> list[tuple[str, str]]:
        """(partner id, display name) of every partner with a configured source, by id."""
        rows = self.conn.execute(
            select(t.sources.c.partner, func.min(t.sources.c.partner_name))
            .group_by(t.sources.c.partner).order_by(t.sources.c.partner)
        ).all()
        return [(row[0], row[1]) for row in rows]


@contextmanager
def reader(store: Store) -> Iterator[Reader]:
    """A :class:`Reader` on a fresh connection, closed on exit."""
    with store.engine.connect() as conn:
        yield Reader(conn)


def list_page(store: Store, selection: Selection, *, after_seq: int = 0, limit: int = 100,
              with_data: bool = True) -> list[ListedRecord]:
    """Up to ``limit`` records of ``selection`` with ``seq > after_seq``, in change order."""
    with reader(store) as rd:
        return rd.page(selection, after_seq=after_seq, limit=limit, with_data=with_data)


def iter_selection(store: Store, selection: Selection, *, after_seq: int = 0, batch: int = 1000,
                   with_data: bool = True) -> Iterator[ListedRecord]:
    """Every record of ``selection`` in change order, one short query per batch."""
    last = after_seq
    while True:
        page = list_page(store, selection, after_seq=last, limit=batch, with_data=with_data)
        yield from page
        if len(page) < batch:
            return
        last = page[-1].seq


def summary(store: Store, selection: Selection) -> tuple[int, int]:
    with reader(store) as rd:
        return rd.summary(selection)


def count(store: Store, selection: Selection) -> int:
    """How many records ``selection`` holds."""
    return summary(store, selection)[0]


__all__ = [
    "CHANGE_TOKEN_PREFIX",
    "ListedRecord",
    "Reader",
    "Selection",
    "catalogue_block",
    "change_token",
    "count",
    "iter_selection",
    "list_page",
    "page_query",
    "parse_change_token",
    "reader",
    "summary",
]
