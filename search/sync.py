"""Keeping the index in step with the store of record.

The store numbers every change (``seq``); the index remembers the last one it applied
(``last_seq``, saved with the index). Applying a change twice is harmless (upsert by id,
delete of a missing id), so a crash between a commit and saving ``last_seq`` only means a few
changes are applied again next time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, Protocol

from search.base import SearchIndex

log = logging.getLogger(__name__)

BATCH = 1_000


class ChangeLike(Protocol):
    seq: int
    record_id: str
    record: dict[str, Any] | None  # None: the record was deleted


class StoreLike(Protocol):
    """What sync needs from ``catalogue.store.Store``."""

    def changes_since(self, seq: int, limit: int = 1000) -> list[Any]: ...

    def max_seq(self) -> int: ...

    def iter_live_records(self, batch: int = 1000) -> Iterator[dict[str, Any]]: ...


def sync(index: SearchIndex, store: StoreLike, batch: int = BATCH) -> int:
    """Apply the store's changes since ``index.last_seq``; returns how many were applied.

    An index built by an older analyser or layout is rebuilt instead.
    """
    if index.needs_rebuild:
        log.info("search: index format changed, rebuilding")
        return rebuild(index, store)
    applied = 0
    while True:
        # Read each round: a rebuild may have switched to a new index meanwhile, whose
        # position is its own (the index then refuses to advance from the old one).
        seq = index.last_seq
        changes = store.changes_since(seq, limit=batch)
        if not changes:
            break
        latest: dict[str, dict[str, Any] | None] = {}
        for change in changes:  # a record changed twice in one batch: its last state wins
            latest.pop(change.record_id, None)
            latest[change.record_id] = change.record
        deleted = [rid for rid, record in latest.items() if record is None]
        upserts = [record for record in latest.values() if record is not None]
        if deleted:
            index.delete(deleted)
        if upserts:
            index.index(upserts)
        top = max(c.seq for c in changes)
        index.set_last_seq(top)
        applied += len(changes)
        if len(changes) < batch and index.last_seq == top:
            break
    if applied:
        log.info("search: %d change(s) applied, index at seq %d", applied, index.last_seq)
    return applied


def _once(records: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Each record id once. The store is read in change order while harvests go on: a record
    changed meanwhile comes again at its new position (the new index would hold it twice). Its
    first version is kept; the closing sync applies the change, which is newer than ``seq``."""
    seen: set[str] = set()
    for record in records:
        rid = str(record.get("id"))
        if rid not in seen:
            seen.add(rid)
            yield record


def rebuild(index: SearchIndex, store: StoreLike) -> int:
    """Reindex every live record into a fresh index, switch to it, then catch up.

    Searches are answered from the old index until the switch. Changes written while the
    rebuild ran are applied by the closing sync. Returns the number of records indexed.
    """
    seq = store.max_seq()  # read first: anything later is caught up by the final sync
    count = index.rebuild(_once(store.iter_live_records()), last_seq=seq)
    sync(index, store)
    log.info("search: index rebuilt with %d records", count)
    return count
