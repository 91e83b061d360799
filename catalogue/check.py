"""Consistency checks of the store (``catalogue check``): what a crash could have left behind.

The store is the truth; everything derivable from it (search index, dumps, facet rows) can be
rebuilt by ``catalogue check --repair``. These checks find what needs rebuilding.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Select, and_, func, select

from catalogue import tables as t
from catalogue.store import Store
from schemas.record import RecordError, validate_record


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _count_checks() -> list[tuple[Select[Any], str]]:
    """Rows a sound store never holds: (query counting them, the problem for ``{n}`` of them)."""
    records, facets = t.records, t.record_facets
    return [
        (select(func.count()).select_from(records)
         .outerjoin(t.sources, t.sources.c.id == records.c.source_id)
         .where(t.sources.c.id.is_(None)),
         "{n} record(s) belong to no known source"),
        (select(func.count()).select_from(records)
         .outerjoin(t.raw_records, t.raw_records.c.record_id == records.c.id)
         .where(and_(t.raw_records.c.record_id.is_(None), records.c.deleted.is_(False))),
         "{n} live record(s) have no raw bytes"),
        (select(func.count()).select_from(facets)
         .join(records, records.c.id == facets.c.record_id)
         .where(records.c.deleted.is_(True)),
         "{n} facet row(s) belong to deleted records"),
        (select(func.count()).select_from(records)
         .outerjoin(facets, and_(facets.c.record_id == records.c.id, facets.c.facet == "partner"))
         .where(and_(facets.c.record_id.is_(None), records.c.deleted.is_(False))),
         "{n} live record(s) have no facet rows"),
    ]  # fmt: skip


def check_store(store: Store, report: CheckReport) -> None:
    """Referential integrity and record validity."""
    with store.engine.connect() as conn:
        for query, problem in _count_checks():
            found = conn.execute(query).scalar_one()
            if found:
                report.problems.append(problem.format(n=found))
        counter = conn.execute(select(t.counters.c.value).where(t.counters.c.name == "seq")).scalar()
        top = conn.execute(select(func.max(t.records.c.seq))).scalar() or 0
        if counter is None or counter < top:
            report.problems.append(f"change counter {counter} is behind the newest change {top}")
        dup = conn.execute(
            select(t.records.c.source_id, t.records.c.identifier, func.count())
            .group_by(t.records.c.source_id, t.records.c.identifier)
            .having(func.count() > 1).limit(5)
        ).all()
        for source_id, identifier, n in dup:
            report.problems.append(f"{source_id}: identifier {identifier!r} stored {n} times")
    invalid = 0
    for stored in store.iter_records():
        try:
            if stored.data is None:
                raise RecordError("no data")
            validate_record(stored.data)
        except RecordError as exc:
            invalid += 1
            if invalid <= 5:
                report.problems.append(f"record {stored.id} is invalid: {exc}")
    if invalid > 5:
        report.problems.append(f"… {invalid} invalid record(s) in all")
    for source in store.sources():
        running = store.running_run(source["id"])
        with store.engine.connect() as conn:
            stuck = conn.execute(
                select(func.count()).select_from(t.harvest_runs).where(and_(
                    t.harvest_runs.c.source_id == source["id"], t.harvest_runs.c.status == "running"))
            ).scalar_one()
        if stuck and running is None:
            report.problems.append(
                f"{source['id']}: {stuck} run(s) marked running whose process is gone"
            )


def check_dumps(dumps_dir: Path, live: int, report: CheckReport) -> None:
    """The dumps exist, hold the store's live records, and are whole (a crash or a full disk
    must not leave re-users a truncated file that the manifest still vouches for)."""
    from catalogue.dumps import JSONL_NAME, read_manifest, sha256_of

    manifest = read_manifest(dumps_dir)
    if manifest is None:
        report.problems.append("no dumps generated yet (or their manifest is unreadable)")
        return
    if manifest.get("records") != live:
        report.problems.append(f"dumps hold {manifest.get('records')} records, the store {live}")
    for info in manifest["files"]:
        name = str(info.get("name", "")) if isinstance(info, dict) else ""
        path = dumps_dir / name
        if not name or not path.is_file():
            report.problems.append(f"dump {name or '?'} is missing")
            continue
        if path.stat().st_size != info.get("size"):
            report.problems.append(f"dump {name} is {path.stat().st_size} bytes, its manifest says "
                                   f"{info.get('size')}")
            continue
        if info.get("sha256") and sha256_of(path) != info["sha256"]:
            report.problems.append(f"dump {name} does not match its manifest's SHA-256")
            continue
        lines = 0
        try:  # streamed: memory stays flat whatever the size of the dump
            with gzip.open(path, "rb") as fh:
                for _ in fh:
                    lines += 1
        except (OSError, EOFError, zlib.error) as exc:
            report.problems.append(f"dump {name} is damaged: {exc}")
            continue
        if name == JSONL_NAME and lines != manifest.get("records"):
            report.problems.append(f"dump {name} has {lines} lines for {manifest.get('records')} records")


def repair_store(store: Store, report: CheckReport) -> None:
    """Repair what the store can derive from itself: stale runs, facet rows."""
    for source in store.sources():
        for run in store.mark_interrupted(source["id"]):
            report.repairs.append(f"run #{run.id} of {source['id']} marked interrupted")
    from catalogue.pipeline import Mapper

    mapper = Mapper()
    refreshed = store.refresh_facets(mapper.facets)
    if refreshed:
        report.repairs.append(f"facet rows rebuilt for {refreshed} record(s)")
    rendered = store.refresh_oai_dc()
    if rendered:
        report.repairs.append(f"oai_dc fragments rendered for {rendered} record(s)")
