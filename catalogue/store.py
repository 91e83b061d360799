"""The store of record: SQLite by default, PostgreSQL when ``CATALOGUE_DATABASE_URL`` says so.

It keeps, per source, the raw bytes received for every record (so the catalogue can re-map
without the network), the normalised record with its content hash, a monotonic change sequence
(the search index and dumps follow the store by applying changes since a sequence number),
harvest runs with a per-record outcome, and curations.

Writes happen one page at a time in a single transaction that also saves the run's checkpoint, so
a harvest killed at any moment leaves either the whole page or none of it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.pool import NullPool, QueuePool

from catalogue import tables as t
from schemas.record import Record, content_hash
from schemas.serializers.oai_dc import oai_dc_xml

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def utcnow() -> datetime:
    """Naive UTC (the store keeps naive UTC datetimes on every engine)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class StoredRecord:
    id: str
    source_id: str
    partner: str
    identifier: str
    data: Record | None
    content_hash: str | None
    version: int
    datestamp: datetime
    deleted: bool
    seq: int


@dataclass(frozen=True)
class Change:
    seq: int
    record_id: str
    record: Record | None  # None: deleted (a tombstone)


@dataclass(frozen=True)
class RawEntry:
    record_id: str
    identifier: str
    format: str
    content: bytes
    raw_hash: str
    partner_datestamp: datetime | None
    extra: dict[str, Any] | None = None


@dataclass
class Write:
    """One record's outcome for a page write.

    ``record`` None with ``deleted`` True: the partner deleted it. ``record`` None and not
    deleted: only the raw bytes are stored (e.g. a record that failed validation keeps its
    bytes; its previous good version stays).
    """

    record_id: str
    identifier: str
    raw: RawEntry | None = None
    record: Record | None = None
    facets: dict[str, list[str]] = field(default_factory=dict)
    deleted: bool = False
    unchanged: bool = False  # raw bytes identical to the stored ones: only mark as seen
    failure: tuple[str, str] | None = None  # (stage, message)
    notes: dict[str, Any] | None = None


@dataclass(frozen=True)
class RunItem:
    identifier: str | None
    record_id: str | None
    outcome: str
    stage: str | None = None
    message: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class OpenProblem:
    """A record that failed (or was stored with a warning) and that no later run fixed.

    It closes when a later run stores the record cleanly (added or updated without a warning),
    deletes it, or — for a record never stored — completes a full listing without it.
    """

    record_id: str
    identifier: str
    kind: str  # failed, warning
    stage: str | None
    message: str | None
    url: str | None
    first_seen_run: int
    first_seen_at: datetime
    last_seen_run: int
    last_seen_at: datetime
    # Runs of the source since the problem was first seen, that run included.
    runs_since: int


@dataclass
class RunInfo:
    id: int
    source_id: str
    mode: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, int]
    checkpoint: dict[str, Any] | None
    error: str | None
    pid: int | None
    heartbeat_at: datetime | None
    resumed_from: int | None


def _run_info(row: Any) -> RunInfo:
    return RunInfo(
        id=row.id,
        source_id=row.source_id,
        mode=row.mode,
        status=row.status,
        started_at=row.started_at,
        finished_at=row.finished_at,
        counts=json.loads(row.counts or "{}"),
        checkpoint=json.loads(row.checkpoint) if row.checkpoint else None,
        error=row.error,
        pid=row.pid,
        heartbeat_at=row.heartbeat_at,
        resumed_from=row.resumed_from,
    )


def _stored(row: Any) -> StoredRecord:
    return StoredRecord(
        id=row.id,
        source_id=row.source_id,
        partner=row.partner,
        identifier=row.identifier,
        data=json.loads(row.data) if row.data else None,
        content_hash=row.content_hash,
        version=row.version,
        datestamp=row.datestamp,
        deleted=bool(row.deleted),
        seq=row.seq,
    )


def make_engine(url: str, read_only: bool = False) -> Engine:
    """An engine tuned for the store: WAL and a busy timeout on SQLite; read-only on request."""
    if read_only:
        return _read_only_engine(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return create_engine(url, pool_pre_ping=True)


def _ddl_engine(url: str) -> Engine:
    """A SQLite engine whose transactions include DDL: the driver's own transaction handling is
    off (``isolation_level=None``) and each transaction starts with ``BEGIN IMMEDIATE``."""
    engine = make_engine(url)
    ddl = create_engine(engine.url, poolclass=NullPool,
                        connect_args={"timeout": 30, "isolation_level": None})
    engine.dispose()
    event.listen(ddl, "connect", _sqlite_pragmas)

    @event.listens_for(ddl, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return ddl


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _read_only_engine(url: str) -> Engine:
    """An engine that never writes, for the web: a read-only site must still read when the
    data dir is full or mounted read-only.

    SQLite: ``mode=ro`` URI connections, pooled (kept open per worker, so the WAL index ``-shm``
    is not recreated on every request), with ``query_only``. When even that cannot open the
    database (a read-only directory whose ``-shm`` file is gone), it falls back to
    ``immutable=1``: no writer can change a database in a directory nobody can write.
    PostgreSQL: every transaction is ``READ ONLY``.
    """
    if not url.startswith("sqlite"):
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return create_engine(url, pool_pre_ping=True, pool_size=4,
                             execution_options={"postgresql_readonly": True})
    path = url.split("///", 1)[-1]
    modes: list[str] = []

    def connect() -> sqlite3.Connection:
        for mode in ("mode=ro", "mode=ro&immutable=1"):
            conn = sqlite3.connect(f"file:{quote(path)}?{mode}", uri=True, timeout=30,
                                   check_same_thread=False)
            try:
                conn.execute("PRAGMA query_only=ON")
                conn.execute("PRAGMA busy_timeout=30000")
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError:
                conn.close()
                continue
            modes.append(mode)
            return conn
        # The last attempt's error, raised where SQLAlchemy reports store failures.
        return sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True)

    engine = create_engine(f"sqlite:///{path}", creator=connect, poolclass=QueuePool,
                           pool_size=4, max_overflow=4, pool_pre_ping=True)
    engine.info = {"sqlite_modes": modes}  # type: ignore[attr-defined]
    return engine


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


class Store:
    """Access to the store of record. Cheap to create; one per process or request is fine."""

    def __init__(self, url: str, read_only: bool = False) -> None:
        self.url = url
        self.read_only = read_only
        self.engine = make_engine(url, read_only)

    def read_mode(self) -> str:
        """How this store reads: ``read-write``, ``read-only`` or ``read-only snapshot``
        (SQLite opened ``immutable`` because its directory cannot be written)."""
        if not self.read_only:
            return "read-write"
        modes: list[str] = getattr(self.engine, "info", {}).get("sqlite_modes", [])
        return "read-only snapshot" if modes and "immutable" in modes[-1] else "read-only"

    # -- schema -------------------------------------------------------------------------------

    def upgrade(self, revision: str = "head") -> None:
        """Create the store or bring it to ``revision`` (Alembic), keeping the data.

        All of it in one transaction, also on SQLite, whose Python driver would otherwise commit
        each CREATE TABLE on its own: a process killed during the very first ``init`` used to
        leave tables without a revision ("table sources already exists" ever after).
        """
        engine = _ddl_engine(self.url) if self.url.startswith("sqlite") else self.engine
        try:
            with engine.begin() as conn:
                command.upgrade(alembic_config(conn), revision)
        finally:
            if engine is not self.engine:
                engine.dispose()

    def revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str | None:
        return ScriptDirectory.from_config(alembic_config()).get_current_head()

    def close(self) -> None:
        self.engine.dispose()

    # -- sources ------------------------------------------------------------------------------

    def upsert_source(
        self, *, id: str, partner: str, partner_name: str, name: str, protocol: str, url: str,
        config: dict[str, Any],
    ) -> None:
        values = {
            "partner": partner, "partner_name": partner_name, "name": name, "protocol": protocol,
            "url": url, "config": _dumps(config), "updated_at": utcnow(),
        }
        with self.engine.begin() as conn:
            found = conn.execute(select(t.sources.c.id).where(t.sources.c.id == id)).first()
            if found:
                conn.execute(update(t.sources).where(t.sources.c.id == id).values(**values))
            else:
                conn.execute(insert(t.sources).values(id=id, **values))

    def mapping_fingerprint(self, source_id: str) -> str | None:
        """The fingerprint of the mapping that produced the source's stored records."""
        with self.engine.connect() as conn:
            value = conn.execute(select(t.sources.c.mapping_fingerprint)
                                 .where(t.sources.c.id == source_id)).scalar()
        return str(value) if value else None

    def set_mapping_fingerprint(self, source_id: str, fingerprint: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(t.sources).where(t.sources.c.id == source_id)
                         .values(mapping_fingerprint=fingerprint))

    def sources(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.sources).order_by(t.sources.c.id)).mappings().all()
        return [{**row, "config": json.loads(row["config"])} for row in rows]

    # -- runs ---------------------------------------------------------------------------------

    def start_run(self, source_id: str, mode: str, resumed_from: int | None = None) -> int:
        now = utcnow()
        with self.engine.begin() as conn:
            result = conn.execute(
                insert(t.harvest_runs).values(
                    source_id=source_id, mode=mode, status="running", started_at=now,
                    heartbeat_at=now, pid=os.getpid(), counts="{}", resumed_from=resumed_from,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def finish_run(
        self, run_id: int, status: str, counts: dict[str, int], error: str | None = None
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(t.harvest_runs)
                .where(t.harvest_runs.c.id == run_id)
                .values(status=status, counts=_dumps(counts), error=error, finished_at=utcnow())
            )

    def heartbeat(self, run_id: int) -> None:
        """Say the run is alive while a long page is being read."""
        with self.engine.begin() as conn:
            conn.execute(update(t.harvest_runs).where(t.harvest_runs.c.id == run_id)
                         .values(heartbeat_at=utcnow()))

    def run(self, run_id: int) -> RunInfo | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.harvest_runs).where(t.harvest_runs.c.id == run_id)).first()
        return _run_info(row) if row else None

    def runs(self, source_id: str | None = None, limit: int = 20) -> list[RunInfo]:
        query = select(t.harvest_runs).order_by(t.harvest_runs.c.id.desc()).limit(limit)
        if source_id:
            query = query.where(t.harvest_runs.c.source_id == source_id)
        with self.engine.connect() as conn:
            return [_run_info(row) for row in conn.execute(query)]

    def last_run(self, source_id: str, statuses: Sequence[str] | None = None) -> RunInfo | None:
        query = (
            select(t.harvest_runs)
            .where(t.harvest_runs.c.source_id == source_id)
            .order_by(t.harvest_runs.c.id.desc())
            .limit(1)
        )
        if statuses:
            query = query.where(t.harvest_runs.c.status.in_(list(statuses)))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return _run_info(row) if row else None

    def mark_interrupted(self, source_id: str) -> list[RunInfo]:
        """Runs left "running" by a process that died: mark them interrupted, return them.

        A run is only interrupted if its process is gone (same host) — never two live runs.
        """
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(t.harvest_runs).where(
                    and_(t.harvest_runs.c.source_id == source_id,
                         t.harvest_runs.c.status == "running")
                )
            ).all()
            stale = [row for row in rows if not _process_alive(row.pid)]
            for row in stale:
                conn.execute(
                    update(t.harvest_runs)
                    .where(t.harvest_runs.c.id == row.id)
                    .values(status="interrupted", finished_at=utcnow(),
                            error="the harvest process stopped before the end")
                )
        return [_run_info(row) for row in stale]

    def running_run(self, source_id: str) -> RunInfo | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.harvest_runs)
                .where(and_(t.harvest_runs.c.source_id == source_id,
                            t.harvest_runs.c.status == "running"))
                .order_by(t.harvest_runs.c.id.desc())
                .limit(1)
            ).first()
        if row and _process_alive(row.pid):
            return _run_info(row)
        return None

    def run_items(self, run_id: int, outcomes: Sequence[str] | None = None,
                  with_message: bool = False) -> list[RunItem]:
        query = select(t.run_items).where(t.run_items.c.run_id == run_id).order_by(t.run_items.c.id)
        if outcomes:
            query = query.where(t.run_items.c.outcome.in_(list(outcomes)))
        if with_message:
            query = query.where(t.run_items.c.message.is_not(None))
        with self.engine.connect() as conn:
            return [
                RunItem(row.identifier, row.record_id, row.outcome, row.stage, row.message, row.url)
                for row in conn.execute(query)
            ]

    def _items_query(self, select_what: Any, run_ids: Sequence[int], outcomes: Sequence[str],
                     with_message: bool) -> Any:
        query = select_what.where(t.run_items.c.run_id.in_(list(run_ids)),
                                  t.run_items.c.outcome.in_(list(outcomes)))
        if with_message:
            query = query.where(t.run_items.c.message.is_not(None))
        return query

    def first_run_items(self, run_ids: Sequence[int], outcomes: Sequence[str], limit: int,
                        with_message: bool = False) -> tuple[list[RunItem], int]:
        """The first ``limit`` items of these runs (oldest first) and how many there are: a
        report or a partner page reads N rows and a count, whatever the size of the run."""
        query = self._items_query(select(t.run_items), run_ids, outcomes, with_message)
        count = self._items_query(select(func.count()).select_from(t.run_items), run_ids,
                                  outcomes, with_message)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(t.run_items.c.id).limit(limit)).all()
            total = int(conn.execute(count).scalar_one())
        return [RunItem(row.identifier, row.record_id, row.outcome, row.stage, row.message, row.url)
                for row in rows], total

    def run_counts(self, run_ids: Sequence[int]) -> dict[str, int]:
        """Outcome counts over a run and the runs it resumed (a resumed harvest is one report)."""
        query = (
            select(t.run_items.c.outcome, func.count())
            .where(t.run_items.c.run_id.in_(list(run_ids)))
            .group_by(t.run_items.c.outcome)
        )
        with self.engine.connect() as conn:
            return {row[0]: int(row[1]) for row in conn.execute(query)}

    def open_problems(self, source_id: str, limit: int = 1000) -> tuple[list[OpenProblem], int]:
        """The source's open problems (longest unseen first, at most ``limit``) and their number.

        Per record, the latest failure or warning across runs, unless a later run stored the
        record cleanly or deleted it: a quiet incremental run that does not touch a failed record
        leaves it listed. ``unchanged`` closes nothing (the record was not stored again). A record
        never stored also closes when a complete full listing (no page error, not resumed from
        the run that saw it) no longer has it. Three bounded queries, whatever the runs' sizes.
        """

        def is_problem(items: Any) -> Any:  # a failure or a warning always has a message
            return and_(items.c.message.is_not(None),
                        items.c.outcome.in_(["failed", "warning", "added", "updated"]))

        def is_clean(items: Any) -> Any:
            return or_(items.c.outcome == "deleted",
                       and_(items.c.outcome.in_(["added", "updated"]), items.c.message.is_(None)))

        with self.engine.connect() as conn:
            runs = {row.id: row for row in conn.execute(
                select(t.harvest_runs.c.id, t.harvest_runs.c.started_at, t.harvest_runs.c.mode,
                       t.harvest_runs.c.status, t.harvest_runs.c.counts,
                       t.harvest_runs.c.resumed_from)
                .where(t.harvest_runs.c.source_id == source_id))}

            def chain_start(run_id: int) -> int:
                current = run_id
                while runs[current].resumed_from in runs:
                    current = runs[current].resumed_from
                return current

            # The latest full listing that ended cleanly, by the first run of its chain.
            complete_full = max((chain_start(r.id) for r in runs.values()
                                 if r.mode == "full" and r.status in ("done", "done-with-errors")
                                 and not json.loads(r.counts or "{}").get("page_errors")),
                                default=None)
            problems = t.run_items.alias("problems")
            latest = (
                select(problems.c.record_id, func.max(problems.c.id).label("last_id"))
                .join(t.harvest_runs, t.harvest_runs.c.id == problems.c.run_id)
                .where(t.harvest_runs.c.source_id == source_id,
                       problems.c.record_id.is_not(None), is_problem(problems))
                .group_by(problems.c.record_id)
                .subquery("latest")
            )
            later = t.run_items.alias("later")
            last = t.run_items.alias("last")
            still_open = [~select(later.c.id).where(
                later.c.record_id == latest.c.record_id, later.c.id > latest.c.last_id,
                is_clean(later)).exists()]
            if complete_full is not None:
                live = select(t.records.c.id).where(t.records.c.id == latest.c.record_id,
                                                    t.records.c.deleted.is_(False)).exists()
                still_open.append(or_(live, last.c.run_id >= complete_full))
            rows = conn.execute(
                select(last).join(latest, last.c.id == latest.c.last_id).where(*still_open)
                .order_by(last.c.id).limit(limit)
            ).all()
            total = int(conn.execute(
                select(func.count()).select_from(latest)
                .join(last, last.c.id == latest.c.last_id).where(*still_open)
            ).scalar_one())
            # When each listed problem was first seen: its first failure or warning after the
            # record's latest clean store (there is none after its latest problem: it is open).
            first_seen: dict[str, int] = {}
            if rows:
                first = t.run_items.alias("first")
                cleaned = t.run_items.alias("cleaned")
                last_clean = (select(func.coalesce(func.max(cleaned.c.id), 0))
                              .where(cleaned.c.record_id == first.c.record_id, is_clean(cleaned))
                              .scalar_subquery())
                firsts = (select(first.c.record_id, func.min(first.c.id).label("first_id"))
                          .where(first.c.record_id.in_([r.record_id for r in rows]),
                                 is_problem(first), first.c.id > last_clean)
                          .group_by(first.c.record_id).subquery("firsts"))
                first_seen = {row[0]: int(row[1]) for row in conn.execute(
                    select(firsts.c.record_id, t.run_items.c.run_id)
                    .join(t.run_items, t.run_items.c.id == firsts.c.first_id).limit(len(rows)))}
        run_ids = sorted(runs)
        out = []
        for row in rows:
            first_run = first_seen.get(row.record_id, row.run_id)
            out.append(OpenProblem(
                record_id=row.record_id, identifier=row.identifier or row.record_id,
                kind="failed" if row.outcome == "failed" else "warning",
                stage=row.stage, message=row.message, url=row.url,
                first_seen_run=first_run, first_seen_at=runs[first_run].started_at,
                last_seen_run=row.run_id, last_seen_at=runs[row.run_id].started_at,
                runs_since=len(run_ids) - bisect_left(run_ids, first_run),
            ))
        return out, total

    def add_run_items(self, run_id: int, items: Iterable[RunItem]) -> None:
        rows = [{"run_id": run_id, **item.__dict__} for item in items]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(insert(t.run_items), rows)

    # -- records ------------------------------------------------------------------------------

    def raw_hashes(self, record_ids: Sequence[str]) -> dict[str, str]:
        """Raw-bytes hashes of live records, to skip unchanged records before parsing them."""
        if not record_ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.raw_records.c.record_id, t.raw_records.c.raw_hash)
                .join(t.records, t.records.c.id == t.raw_records.c.record_id)
                .where(t.raw_records.c.record_id.in_(list(record_ids)),
                       t.records.c.deleted.is_(False))
            )
            return {row[0]: row[1] for row in rows}

    def write_page(
        self,
        *,
        source_id: str,
        partner: str,
        run_id: int,
        writes: Sequence[Write],
        issues: Sequence[RunItem] = (),
        checkpoint: dict[str, Any] | None = None,
        counts: Counter[str] | None = None,
    ) -> list[RunItem]:
        """Apply one page atomically: raw bytes, records, facets, run items and the checkpoint.

        ``counts`` (the run's running totals) is updated with this page's outcomes and saved
        with the checkpoint, so an interrupted run's report stays right.
        """
        now = utcnow()
        items: list[RunItem] = list(issues)
        # Decide every record's fate first, then write with one statement per kind of change
        # (executemany): a page costs a handful of round trips, not several per record.
        raw_new: list[dict[str, Any]] = []
        raw_changed: list[dict[str, Any]] = []
        seen: list[dict[str, Any]] = []
        tombstones: list[dict[str, Any]] = []
        added: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        facet_rows: list[dict[str, Any]] = []
        in_order: list[dict[str, Any]] = []  # every changed row, in page order (change numbers)
        with self.engine.begin() as conn:
            ids = [w.record_id for w in writes]
            existing = {
                row.id: row
                for row in conn.execute(
                    select(t.records.c.id, t.records.c.content_hash, t.records.c.deleted,
                           t.records.c.version)
                    .where(t.records.c.id.in_(ids))
                )
            } if ids else {}
            raw_existing = {
                row[0] for row in conn.execute(
                    select(t.raw_records.c.record_id).where(t.raw_records.c.record_id.in_(ids))
                )
            } if ids else set()
            for w in writes:
                prior = existing.get(w.record_id)
                if w.raw is not None:
                    row = self._raw_row(source_id, w.raw, now)
                    (raw_changed if w.record_id in raw_existing else raw_new).append(row)
                    raw_existing.add(w.record_id)
                if w.failure is not None:
                    stage, message = w.failure
                    items.append(RunItem(w.identifier, w.record_id, "failed", stage, message))
                    if prior is not None:
                        seen.append({"b_id": w.record_id})
                    continue
                if w.deleted:
                    if prior is not None and not prior.deleted:
                        tombstones.append({"b_id": w.record_id, "version": prior.version + 1})
                        in_order.append(tombstones[-1])
                        items.append(RunItem(w.identifier, w.record_id, "deleted"))
                    elif prior is not None:
                        items.append(RunItem(w.identifier, w.record_id, "unchanged"))
                    # A deletion of a record the catalogue never had changes nothing.
                    continue
                if w.unchanged or w.record is None:
                    if prior is not None:
                        seen.append({"b_id": w.record_id})
                        items.append(RunItem(w.identifier, w.record_id, "unchanged"))
                    continue
                digest = content_hash(w.record)
                if prior is not None and prior.content_hash == digest and not prior.deleted:
                    seen.append({"b_id": w.record_id})
                    items.append(RunItem(w.identifier, w.record_id, "unchanged"))
                    continue
                values = {
                    "source_id": source_id, "partner": partner, "identifier": w.identifier,
                    "data": _dumps(w.record), "content_hash": digest, "oai_dc": oai_dc_xml(w.record),
                    "deleted": False, "last_seen_run": run_id, "missed_full_runs": 0,
                    "notes": _dumps(w.notes) if w.notes else None,
                }
                # Mapping warnings (clipped title, dropped keywords…) go in the run's report.
                warned = "; ".join((w.notes or {}).get("warnings", [])) or None
                warned_at = "map" if warned else None
                if prior is None:
                    added.append({"id": w.record_id, "version": 1, **values})
                    in_order.append(added[-1])
                    items.append(RunItem(w.identifier, w.record_id, "added", warned_at, warned))
                else:
                    changed.append({"b_id": w.record_id, "version": prior.version + 1, **values})
                    in_order.append(changed[-1])
                    items.append(RunItem(w.identifier, w.record_id, "updated", warned_at, warned))
                facet_rows.extend(self._facet_rows(w.record_id, partner, w.facets))

            if raw_new:
                conn.execute(insert(t.raw_records), raw_new)
            if raw_changed:
                conn.execute(
                    update(t.raw_records).where(t.raw_records.c.record_id == bindparam("b_id")),
                    [{"b_id": r.pop("record_id"), **r} for r in raw_changed],
                )
            if seen:
                conn.execute(
                    update(t.records).where(t.records.c.id == bindparam("b_id"))
                    .values(last_seen_run=run_id, missed_full_runs=0),
                    seen,
                )
            if in_order:
                seq = self._reserve_seqs(conn, len(in_order))
                stamp = utcnow()  # taken after the counter lock: datestamps follow commit order
                for row in in_order:
                    row["seq"] = seq
                    row["datestamp"] = stamp
                    seq += 1
            if tombstones:
                conn.execute(
                    update(t.records).where(t.records.c.id == bindparam("b_id"))
                    .values(deleted=True, last_seen_run=run_id),
                    tombstones,
                )
            if changed:
                conn.execute(update(t.records).where(t.records.c.id == bindparam("b_id")), changed)
            if added:
                conn.execute(insert(t.records), added)
            refreshed = [r["b_id"] for r in tombstones] + [r["b_id"] for r in changed]
            if refreshed:
                conn.execute(delete(t.record_facets).where(t.record_facets.c.record_id.in_(refreshed)))
            if facet_rows:
                conn.execute(insert(t.record_facets), facet_rows)
            if items:
                conn.execute(insert(t.run_items), [{"run_id": run_id, **i.__dict__} for i in items])
            run_values: dict[str, Any] = {"heartbeat_at": now}
            if checkpoint is not None:
                run_values["checkpoint"] = _dumps(checkpoint)
            after = Counter(counts or {})
            after.update(item.outcome for item in items)
            if counts is not None:
                run_values["counts"] = _dumps(dict(after))
            conn.execute(update(t.harvest_runs).where(t.harvest_runs.c.id == run_id)
                         .values(**run_values))
        if counts is not None:  # only once the page is committed: a failed commit counts nothing
            counts.update(item.outcome for item in items)
        return items

    @staticmethod
    def _raw_row(source_id: str, raw: RawEntry, now: datetime) -> dict[str, Any]:
        return {
            "record_id": raw.record_id, "source_id": source_id, "identifier": raw.identifier,
            "format": raw.format, "content": zlib.compress(raw.content, 6),
            "raw_hash": raw.raw_hash, "partner_datestamp": raw.partner_datestamp,
            "fetched_at": now, "extra": _dumps(raw.extra) if raw.extra else None,
        }

    def _bump(self, conn: Connection, record_id: str, now: datetime, *, deleted: bool,
              run_id: int | None = None) -> None:
        seq = self._next_seq(conn)
        values: dict[str, Any] = {"deleted": deleted, "datestamp": utcnow(), "seq": seq,
                                  "version": t.records.c.version + 1}
        if run_id is not None:
            values["last_seen_run"] = run_id
        conn.execute(update(t.records).where(t.records.c.id == record_id).values(**values))

    def _reserve_seqs(self, conn: Connection, n: int) -> int:
        """Take ``n`` consecutive change numbers at once; returns the first."""
        conn.execute(update(t.counters).where(t.counters.c.name == "seq")
                     .values(value=t.counters.c.value + n))
        top = conn.execute(select(t.counters.c.value).where(t.counters.c.name == "seq")).scalar_one()
        return int(top) - n + 1

    def _next_seq(self, conn: Connection) -> int:
        """Take the next change number. The counter row stays locked until commit, so change
        numbers follow commit order; datestamps are taken after this call, so they follow too."""
        conn.execute(update(t.counters).where(t.counters.c.name == "seq")
                     .values(value=t.counters.c.value + 1))
        value = conn.execute(select(t.counters.c.value).where(t.counters.c.name == "seq")).scalar_one()
        return int(value)

    @staticmethod
    def _facet_rows(record_id: str, partner: str, facets: dict[str, list[str]]) -> list[dict[str, Any]]:
        rows = [{"record_id": record_id, "facet": "partner", "value": partner}]
        for facet, values in facets.items():
            if facet == "partner":
                continue
            rows.extend({"record_id": record_id, "facet": facet, "value": v}
                        for v in dict.fromkeys(values))
        return rows

    def _put_facets(self, conn: Connection, record_id: str, partner: str,
                    facets: dict[str, list[str]]) -> None:
        conn.execute(delete(t.record_facets).where(t.record_facets.c.record_id == record_id))
        conn.execute(insert(t.record_facets), self._facet_rows(record_id, partner, facets))

    def update_record(self, record_id: str, record: Record, facets: dict[str, list[str]],
                      notes: dict[str, Any] | None = None) -> bool:
        """Replace a live record's content (curation, renormalisation); False if unchanged."""
        digest = content_hash(record)
        with self.engine.begin() as conn:
            row = conn.execute(select(t.records).where(t.records.c.id == record_id)).first()
            if row is None:
                raise KeyError(record_id)
            fragment = oai_dc_xml(record)
            notes_text = _dumps(notes) if notes else None
            if row.content_hash == digest and row.oai_dc == fragment:
                # Same record: only the quality notes (unmatched terms…) may have moved on.
                if row.notes != notes_text:
                    conn.execute(update(t.records).where(t.records.c.id == record_id)
                                 .values(notes=notes_text))
                return False
            # The record, or how oai_dc renders it, changed: a new version for every reader.
            seq = self._next_seq(conn)
            conn.execute(update(t.records).where(t.records.c.id == record_id).values(
                data=_dumps(record), content_hash=digest, datestamp=utcnow(), seq=seq,
                oai_dc=fragment, version=row.version + 1, notes=notes_text,
            ))
            if not row.deleted:
                self._put_facets(conn, record_id, row.partner, facets)
        return True

    def mark_missing(self, source_id: str, run_id: int, grace: int) -> list[RunItem]:
        """After a complete full run: records not seen count one miss; at ``grace`` they go."""
        items: list[RunItem] = []
        now = utcnow()
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(t.records.c.id, t.records.c.identifier, t.records.c.missed_full_runs)
                .where(and_(t.records.c.source_id == source_id, t.records.c.deleted.is_(False),
                            (t.records.c.last_seen_run.is_(None))
                            | (t.records.c.last_seen_run < run_id)))
            ).all()
            for row in rows:
                missed = (row.missed_full_runs or 0) + 1
                if missed >= grace:
                    self._bump(conn, row.id, now, deleted=True)
                    conn.execute(update(t.records).where(t.records.c.id == row.id)
                                 .values(missed_full_runs=missed))
                    conn.execute(delete(t.record_facets).where(t.record_facets.c.record_id == row.id))
                    items.append(RunItem(row.identifier, row.id, "deleted", None,
                                         f"absent from {missed} consecutive full harvests"))
                else:
                    conn.execute(update(t.records).where(t.records.c.id == row.id)
                                 .values(missed_full_runs=missed))
            if items:
                conn.execute(insert(t.run_items), [{"run_id": run_id, **i.__dict__} for i in items])
        return items

    def refresh_facets(self, derive: Callable[[Record], dict[str, list[str]]]) -> int:
        """Rebuild every facet row from the records (after an upgrade or a crash); returns the
        number of live records refreshed. Deleted records lose their rows."""
        count = 0
        with self.engine.begin() as conn:
            conn.execute(delete(t.record_facets))
        batch: list[StoredRecord] = []

        def flush() -> None:
            with self.engine.begin() as conn:
                for stored in batch:
                    if stored.data is not None:
                        self._put_facets(conn, stored.id, stored.partner, derive(stored.data))
            batch.clear()

        for stored in self.iter_records():
            batch.append(stored)
            count += 1
            if len(batch) >= 500:
                flush()
        flush()
        return count

    def refresh_oai_dc(self) -> int:
        """Render every live record's oai_dc fragment again (after an upgrade, or when the
        serialiser changed); returns how many were written."""
        count = 0
        batch: list[dict[str, Any]] = []
        stmt = update(t.records).where(t.records.c.id == bindparam("b_id"))

        def flush() -> None:
            if batch:
                with self.engine.begin() as conn:
                    conn.execute(stmt, batch)
                batch.clear()

        for stored in self.iter_records():
            if stored.data is not None:
                batch.append({"b_id": stored.id, "oai_dc": oai_dc_xml(stored.data)})
                count += 1
            if len(batch) >= 500:
                flush()
        flush()
        return count

    def get(self, record_id: str) -> StoredRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.records).where(t.records.c.id == record_id)).first()
        return _stored(row) if row else None

    def latest(self, limit: int = 6) -> list[StoredRecord]:
        """The records last added or changed (highest change sequence), withdrawn ones left out:
        the home page's "Récemment ajoutées"."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.records).where(t.records.c.deleted.is_(False))
                                .order_by(t.records.c.seq.desc()).limit(limit))
            return [_stored(row) for row in rows]

    def get_many(self, record_ids: Sequence[str]) -> dict[str, StoredRecord]:
        if not record_ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.records).where(t.records.c.id.in_(list(record_ids))))
            return {row.id: _stored(row) for row in rows}

    def raw(self, record_id: str) -> tuple[RawEntry, datetime] | None:
        """The bytes last received for a record, decompressed, and when they were fetched."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.raw_records).where(t.raw_records.c.record_id == record_id)
            ).first()
        if row is None:
            return None
        return _raw_entry(row), row.fetched_at

    def iter_raw(self, source_id: str, batch: int = 500) -> Iterator[tuple[RawEntry, datetime]]:
        """Every raw record of a source, in id order (for ``catalogue renormalize``)."""
        last = ""
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(t.raw_records)
                    .where(and_(t.raw_records.c.source_id == source_id,
                                t.raw_records.c.record_id > last))
                    .order_by(t.raw_records.c.record_id).limit(batch)
                ).all()
            if not rows:
                return
            for row in rows:
                yield _raw_entry(row), row.fetched_at
            last = rows[-1].record_id

    def iter_records(
        self,
        *,
        source_id: str | None = None,
        include_deleted: bool = False,
        after_seq: int = 0,
        batch: int = 1000,
    ) -> Iterator[StoredRecord]:
        """Records in change order (seq), streamed in batches with a keyset."""
        last = after_seq
        while True:
            query = (select(t.records).where(t.records.c.seq > last)
                     .order_by(t.records.c.seq).limit(batch))
            if source_id:
                query = query.where(t.records.c.source_id == source_id)
            if not include_deleted:
                query = query.where(t.records.c.deleted.is_(False))
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
            if not rows:
                return
            for row in rows:
                yield _stored(row)
            last = rows[-1].seq

    def iter_live_records(self, batch: int = 1000) -> Iterator[Record]:
        """Live records in change order, each with its ``catalogue`` block (see
        :func:`with_catalogue`): what the search index is rebuilt from."""
        for stored in self.iter_records(batch=batch):
            if stored.data is not None:
                yield with_catalogue(stored.data, stored.datestamp, stored.seq)

    def changes_since(self, seq: int, limit: int = 1000) -> list[Change]:
        """The changes after ``seq``; live records carry their ``catalogue`` block."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.records.c.seq, t.records.c.id, t.records.c.data, t.records.c.deleted,
                       t.records.c.datestamp)
                .where(t.records.c.seq > seq).order_by(t.records.c.seq).limit(limit)
            ).all()
        return [
            Change(row.seq, row.id, None if row.deleted or not row.data
                   else with_catalogue(json.loads(row.data), row.datestamp, row.seq))
            for row in rows
        ]

    def max_seq(self) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(select(func.max(t.records.c.seq))).scalar()
        return int(value or 0)

    def count_records(self, source_id: str | None = None, include_deleted: bool = False) -> int:
        query = select(func.count()).select_from(t.records)
        if source_id:
            query = query.where(t.records.c.source_id == source_id)
        if not include_deleted:
            query = query.where(t.records.c.deleted.is_(False))
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def counts_by_source(self) -> dict[str, int]:
        query = (select(t.records.c.source_id, func.count())
                 .where(t.records.c.deleted.is_(False)).group_by(t.records.c.source_id))
        with self.engine.connect() as conn:
            return {row[0]: int(row[1]) for row in conn.execute(query)}

    # -- curations ----------------------------------------------------------------------------

    def add_curation(self, record_id: str, field_name: str, action: str, concept_id: str,
                     author: str | None = None, note: str | None = None) -> None:
        """Record an editor's decision; a later one on the same concept replaces it."""
        with self.engine.begin() as conn:
            conn.execute(delete(t.curations).where(and_(
                t.curations.c.record_id == record_id, t.curations.c.field == field_name,
                t.curations.c.concept_id == concept_id)))
            conn.execute(insert(t.curations).values(
                record_id=record_id, field=field_name, action=action, concept_id=concept_id,
                author=author, note=note, created_at=utcnow()))

    def curations(self, record_ids: Sequence[str] | None = None) -> dict[str, list[dict[str, Any]]]:
        query = select(t.curations).order_by(t.curations.c.id)
        if record_ids is not None:
            if not record_ids:
                return {}
            query = query.where(t.curations.c.record_id.in_(list(record_ids)))
        result: dict[str, list[dict[str, Any]]] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query).mappings():
                result.setdefault(row["record_id"], []).append({
                    "field": row["field"], "action": row["action"], "concept": row["concept_id"],
                    "author": row["author"], "note": row["note"],
                    "created_at": row["created_at"].isoformat(timespec="seconds") + "Z",
                })
        return result


def with_catalogue(record: Record, datestamp: datetime, seq: int) -> Record:
    """``record`` plus what the catalogue says about its copy: ``catalogue.modified`` (when it
    last changed in the store, the OAI-PMH datestamp) and ``catalogue.change`` (its change
    token). Never stored in ``data``: it is the row's datestamp and seq, shown beside it."""
    return {**record, "catalogue": {"modified": datestamp.replace(microsecond=0).isoformat() + "Z",
                                    "change": f"c{seq}"}}


def _raw_entry(row: Any) -> RawEntry:
    return RawEntry(
        record_id=row.record_id, identifier=row.identifier, format=row.format,
        content=zlib.decompress(row.content), raw_hash=row.raw_hash,
        partner_datestamp=row.partner_datestamp,
        extra=json.loads(row.extra) if row.extra else None,
    )


def _process_alive(pid: int | None) -> bool:
    if not pid:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (killed child not yet reaped) is dead for our purposes.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return True


def record_notes(store: Store, source_id: str | None = None) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(record id, source id, notes) of live records, for the quality report."""
    query = select(t.records.c.id, t.records.c.source_id, t.records.c.notes).where(
        t.records.c.deleted.is_(False))
    if source_id:
        query = query.where(t.records.c.source_id == source_id)
    with store.engine.connect() as conn:
        for row in conn.execute(query):
            yield row.id, row.source_id, json.loads(row.notes) if row.notes else {}
