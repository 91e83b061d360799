"""Harvest pipeline: fetch → parse → map → align → validate → store, one page at a time.

Modelled on per-item processing: every record gets an outcome in the run's report, one bad record
never stops its page, one bad page never stops the run where the protocol can go on, and one
failing source never stops the others. Each page is written with the run's checkpoint in one
transaction, so a harvest killed at any moment resumes after the last stored page.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from catalogue.budget import Budget, Limits
from catalogue.config import Source
from catalogue.issues import IssueRows
from catalogue.store import RawEntry, RunItem, Store, Write, utcnow
from core.raw import RawRecord
from core.timestamps import utc_stamp
from harvesters.base import HarvestFailed, HarvestIssue, Page, harvester_for
from schemas.record import Record, RecordError, record_id, validate_record

log = logging.getLogger(__name__)

# Bump when readers or alignment change in a way that should re-map unchanged raw bytes.
# 2: content layer (inferred levels and disciplines); 3: witness hint (Jalons); 4: a rights IRI
# for every record
MAPPING_VERSION = "4"
# Incremental runs start this long before the last successful run, to survive clock skew and
# day-granularity servers.
INCREMENTAL_OVERLAP = timedelta(days=1)
OUTCOMES = ("added", "updated", "unchanged", "deleted", "failed")


@dataclass
class HarvestResult:
    source_id: str
    run_id: int | None
    status: str  # done, done-with-errors, failed (or "dry-run")
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    preview: list[Record] = field(default_factory=list)


@functools.cache
def _tables_digest(mappings_dir: str) -> str:
    """Hash of every mapping table (names and bytes); read once per process."""
    from pathlib import Path

    h = hashlib.sha256()
    for path in sorted(Path(mappings_dir).glob("*.tsv")):
        h.update(path.name.encode() + b"\x00" + path.read_bytes() + b"\x00")
    return h.hexdigest()


def mapping_fingerprint(source: Source, vocab_key: str) -> str:
    """What the mapping of a source's records depends on besides their raw bytes: the readers
    and alignment (``MAPPING_VERSION``), the mapping tables of ``schemas/mappings/``, the
    vocabulary (its compiled key) and the source's own settings (partner, options, defaults).
    When it changes, every stored record of the source is re-mapped (see ``Pipeline.harvest``)."""
    from schemas.vocabularies import MAPPINGS_DIR

    settings = json.dumps({"partner": source.partner, "protocol": source.protocol,
                           "options": source.options, "defaults": source.defaults},
                          sort_keys=True, ensure_ascii=False, default=str)
    h = hashlib.sha256()
    for part in (MAPPING_VERSION, _tables_digest(str(MAPPINGS_DIR)), vocab_key, settings):
        h.update(part.encode() + b"\x00")
    return h.hexdigest()


def raw_hash(raw: RawRecord) -> str:
    h = hashlib.sha256()
    h.update(f"{MAPPING_VERSION}\x00{raw.format}\x00".encode())
    h.update(raw.content)
    return h.hexdigest()


class StoreUnavailable(HarvestFailed):
    """The store refused a write (down, full, read-only): the run stops at the stage "store"."""

    def __init__(self, message: str, url: str | None = None) -> None:
        super().__init__(message, url=url, stage="store")


def _db_reason(exc: SQLAlchemyError) -> str:
    """The driver's own message, without SQLAlchemy's statement dump and parameters."""
    orig = getattr(exc, "orig", None)
    return f"{type(orig or exc).__name__}: {orig or exc}".splitlines()[0]


class Mapper:
    """Turns raw records into shared records: read, align, validate. No I/O but the vocabulary."""

    def __init__(self) -> None:
        from schemas.vocabularies import load_vocabulary

        self.vocab = load_vocabulary()

    def map(
        self, raw: RawRecord, source: Source, harvested_at: str, curations: list[dict[str, Any]]
    ) -> tuple[Record, dict[str, list[str]], dict[str, Any]]:
        """Return (record, facets, notes) or raise MappingError / RecordError."""
        from schemas.alignment import align
        from schemas.cleaning.vocab import rights_licence
        from schemas.readers import ReaderContext, read

        mapped = read(raw, ReaderContext(source.id, source.partner, harvested_at))
        record = mapped.record
        # Every record gets a rights IRI, saying where it came from (licences.tsv).
        record["licence"] = rights_licence(record.get("licence"), record.get("rights"))
        levels, disciplines, unmatched = align(
            record, mapped.hints, source.defaults, curations, self.vocab
        )
        record["levels"] = levels
        record["disciplines"] = disciplines
        record = validate_record(record)
        deprecated = [
            value
            for key in ("scolomfr_levels", "scolomfr_disciplines")
            for value in mapped.hints.get(key, [])
            if (c := self.vocab.concept(value)) is not None and not c.current
        ]
        notes: dict[str, Any] = {}
        if unmatched:
            notes["unmatched"] = unmatched[:50]
        if deprecated:
            notes["deprecated"] = deprecated
        if mapped.warnings:
            notes["warnings"] = mapped.warnings
        return record, self.facets(record), notes

    def facets(self, record: Record) -> dict[str, list[str]]:
        """Store-side facets: levels along the hierarchy, disciplines with their parent."""
        levels: list[str] = []
        for level in record.get("levels", []):
            levels.extend(self.vocab.level_expansion(level["id"]))
        disciplines: list[str] = []
        for discipline in record.get("disciplines", []):
            disciplines.append(discipline["id"])
            parent = self.vocab.discipline_of(discipline["id"])
            if parent is not None:
                disciplines.append(parent.id)
        return {"level": list(dict.fromkeys(levels)), "discipline": list(dict.fromkeys(disciplines))}


def map_one(mapper: Mapper, source: Source, raw: RawRecord, entry: RawEntry, harvested_at: str,
            curations: list[dict[str, Any]]) -> Write:
    """Map one raw record to its write; every failure becomes the record's report line."""
    from schemas.readers import MappingError

    rid = entry.record_id
    try:
        record, facets, notes = mapper.map(raw, source, harvested_at, curations)
    except MappingError as exc:
        return Write(rid, raw.identifier, raw=entry, failure=("map", str(exc)))
    except RecordError as exc:
        return Write(rid, raw.identifier, raw=entry, failure=("validate", str(exc)))
    except Exception as exc:  # a reader bug must not stop the page
        log.exception("mapping %s failed", raw.identifier)
        return Write(rid, raw.identifier, raw=entry,
                     failure=("map", f"unexpected error: {type(exc).__name__}: {exc}"))
    return Write(rid, raw.identifier, raw=entry, record=record, facets=facets, notes=notes)


# A mapping worker process inherits the parent's mapper when forked (vocabulary already loaded).
_WORKER_MAPPER: Mapper | None = None


def _die_with_parent() -> None:
    """Pool initializer: a worker must not outlive a harvest killed with SIGKILL (Linux
    PR_SET_PDEATHSIG; elsewhere the worker ends when its queue closes)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the parent died before the call above took effect
        os._exit(1)


def _map_batch(source: Source, jobs: list[tuple[RawRecord, RawEntry, list[dict[str, Any]]]],
               harvested_at: str) -> list[Write]:
    global _WORKER_MAPPER
    if _WORKER_MAPPER is None:
        _WORKER_MAPPER = Mapper()
    mapper = _WORKER_MAPPER
    return [map_one(mapper, source, raw, entry, harvested_at, cur) for raw, entry, cur in jobs]


@dataclass
class _PendingPage:
    """A fetched page whose records are being mapped (in this process or a worker)."""

    page: Page
    writes: list[Write | None]  # None: slot filled when the mapping comes back
    slots: list[int]
    mapped: Future[list[Write]] | list[Write]


class Pipeline:
    def __init__(
        self,
        store: Store,
        http_factory: Callable[[list[Source]], Any],
        mapper: Mapper | None = None,
        progress: Callable[[str, int, int | None], None] | None = None,
        workers: int = 0,
        limits: Limits | None = None,
    ) -> None:
        """``workers``: processes that map records while this one fetches and stores (0: map
        here). Pages are still stored one at a time and in order, with their checkpoints."""
        self.store = store
        self.http_factory = http_factory
        self.mapper = mapper or Mapper()
        self.progress = progress
        self.workers = workers
        self.limits = limits or Limits()

    def register(self, sources: Iterable[Source]) -> None:
        for s in sources:
            self.store.upsert_source(
                id=s.id, partner=s.partner, partner_name=s.partner_name, name=s.name,
                protocol=s.protocol, url=s.url,
                config={"options": s.options, "defaults": s.defaults,
                        "deletion_grace": s.deletion_grace,
                        "media_hosts": list(s.media_hosts)},
            )

    # -- harvest ------------------------------------------------------------------------------

    def harvest(self, source: Source, *, full: bool = False, dry_run: int | None = None) -> HarvestResult:
        """Harvest one source; never raises for partner-side problems (they go in the report)."""
        http = self.http_factory([source])
        harvester = harvester_for(source.spec(), http)
        if dry_run is not None:
            return self._dry_run(source, harvester, dry_run)

        if self.store.running_run(source.id) is not None:
            return HarvestResult(source.id, None, "failed",
                                 error="another harvest of this source is running")
        interrupted = self.store.mark_interrupted(source.id)
        resume = next((r for r in interrupted if r.checkpoint), None)
        mode = "full" if full else "incremental"
        since: datetime | None = None
        checkpoint: dict[str, Any] | None = None
        chain_start: int | None = None
        if resume is not None and resume.checkpoint is not None:
            mode = resume.mode
            checkpoint = resume.checkpoint.get("page")
            since_text = resume.checkpoint.get("since")
            since = datetime.fromisoformat(since_text) if since_text else None
            chain_start = resume.checkpoint.get("chain_start", resume.id)
        elif not full:
            last = self.store.last_run(source.id, statuses=("done", "done-with-errors"))
            if last is not None:
                since = last.started_at - INCREMENTAL_OVERLAP
            else:  # nothing harvested yet: the first run reads everything, and says so
                mode = "full"
        run_id = self.store.start_run(source.id, mode, resumed_from=resume.id if resume else None)
        chain_start = chain_start or run_id
        counts: Counter[str] = Counter({k: 0 for k in OUTCOMES})
        if resume is not None:
            counts.update({k: v for k, v in resume.counts.items() if k in OUTCOMES})
        # Mapping tables, vocabulary or the source's defaults changed since its records were
        # mapped: re-map every stored record from its raw bytes first, so that records the partner
        # did not change (skipped below, or not even served by an incremental run) follow too.
        try:
            remapped = self.remap_if_changed(source)
        except Exception:  # the harvest still runs; the fingerprint is kept for the next one
            log.exception("re-mapping the stored records of %s failed", source.id)
            remapped = None
        if remapped:  # stored records were re-mapped (none on a source's first harvest)
            counts["remapped"] = remapped.get("updated", 0)
        page_errors = 0
        fatal: str | None = None
        closing: RunItem | None = None
        pending: deque[_PendingPage] = deque()
        pool: ProcessPoolExecutor | None = None
        report_rows = IssueRows(lambda issue: self._issue_item(source, issue))

        def store_pages(keep: int) -> None:
            nonlocal page_errors
            while len(pending) > keep:
                item = pending.popleft()
                mapped = item.mapped.result() if isinstance(item.mapped, Future) else item.mapped
                for slot, write in zip(item.slots, mapped, strict=True):
                    item.writes[slot] = write
                page = item.page
                page_errors += sum(1 for i in page.issues if i.identifier is None and not i.warning)
                counts["page_errors"] = page_errors
                state = {"page": page.checkpoint, "since": since.isoformat() if since else None,
                         "chain_start": chain_start}
                try:
                    self.store.write_page(
                        source_id=source.id, partner=source.partner, run_id=run_id,
                        writes=[w for w in item.writes if w is not None],
                        issues=report_rows.rows(page.issues), checkpoint=state, counts=counts,
                    )
                except SQLAlchemyError as exc:
                    raise StoreUnavailable(f"the page {page.url or ''} could not be stored: "
                                           f"{_db_reason(exc)}", url=page.url) from exc
                if self.progress:
                    self.progress(source.id, sum(counts[k] for k in OUTCOMES), page.total)

        try:
            try:
                budget = Budget(self.limits.for_source(source.options))
                if hasattr(http, "deadline"):
                    http.deadline = budget.deadline
                if hasattr(http, "on_progress"):
                    http.on_progress = lambda: self.store.heartbeat(run_id)
                for number, page in enumerate(harvester.pages(since=since, checkpoint=checkpoint)):
                    budget.spend(len(page.records), page.url)
                    if pool is None and self.workers > 0 and number == 1:
                        # From the second page on: a one-page source never pays for the pool.
                        pool = ProcessPoolExecutor(self.workers,
                                                   mp_context=multiprocessing.get_context("fork"),
                                                   initializer=_die_with_parent)
                    pending.append(self._prepare(source, page, pool))
                    store_pages(keep=self.workers)
            finally:
                # Pages fetched before a failure are still stored, in order.
                store_pages(keep=0)
        except HarvestFailed as exc:  # also StoreUnavailable and BudgetReached
            fatal = str(exc)
            closing = RunItem(None, None, "failed", exc.stage, fatal, exc.url)
        except SQLAlchemyError as exc:  # the store failed outside a page write
            fatal = f"the store is unavailable: {_db_reason(exc)}"
            closing = RunItem(None, None, "failed", "store", fatal)
        except RecursionError as exc:
            fatal = f"document nested too deeply (recursion limit reached): {exc}"
            closing = RunItem(None, None, "failed", "parse", fatal)
        except Exception as exc:  # a bug or an unexpected answer: report it, keep the others going
            log.exception("harvest of %s crashed", source.id)
            fatal = f"unexpected error: {type(exc).__name__}: {exc}"
            closing = RunItem(None, None, "failed", "fetch", fatal)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        if report_rows.dropped:
            counts["unlisted_problems"] = report_rows.dropped
        try:
            return self._close_run(source, run_id, chain_start, mode, harvester, counts,
                                   page_errors, fatal, closing)
        except SQLAlchemyError as exc:
            raise StoreUnavailable(f"{fatal or 'the harvest'}; and the run could not be closed: "
                                   f"{_db_reason(exc)}") from exc

    def _close_run(self, source: Source, run_id: int, chain_start: int, mode: str, harvester: Any,
                   counts: Counter[str], page_errors: int, fatal: str | None,
                   closing: RunItem | None) -> HarvestResult:
        """The run's last line (if it failed), deletions by absence, and its status."""
        from catalogue.run_verdict import judge_run

        first = self.store.last_run(source.id, statuses=("done", "done-with-errors")) is None
        verdict = judge_run(source, counts, page_errors, fatal, first_run=first)
        if verdict is not None:  # nothing could be stored: failed, though nothing raised
            self.store.add_run_items(run_id, [verdict.item])
            fatal = verdict.message
        if closing is not None:
            self.store.add_run_items(run_id, [closing])
            counts["failed"] += 1
        if fatal is None and mode == "full" and not harvester.signals_deletions and page_errors == 0:
            deleted = self.store.mark_missing(source.id, chain_start, source.deletion_grace)
            counts["deleted"] += len(deleted)
        if fatal is not None:
            status = "failed"
        elif counts["failed"] or page_errors:
            status = "done-with-errors"
        else:
            status = "done"
        self.store.finish_run(run_id, status, dict(counts), fatal)
        return HarvestResult(source.id, run_id, status, dict(counts), fatal)

    def _issue_item(self, source: Source, issue: HarvestIssue) -> RunItem:
        rid = record_id(source.id, issue.identifier) if issue.identifier else None
        outcome = "warning" if issue.warning else "failed"
        return RunItem(issue.identifier, rid, outcome, issue.stage, issue.message, issue.url)

    def _prepare(self, source: Source, page: Page, pool: ProcessPoolExecutor | None) -> _PendingPage:
        """Sort a page's records into deletions, unchanged bytes and records to map, and start
        mapping those (in ``pool`` if given)."""
        raws = page.records
        ids = [record_id(source.id, r.identifier) for r in raws]
        known = self.store.raw_hashes(ids)
        curations = self.store.curations(ids)
        harvested_at = utc_stamp(utcnow())
        writes: list[Write | None] = []
        slots: list[int] = []
        jobs: list[tuple[RawRecord, RawEntry, list[dict[str, Any]]]] = []
        seen: set[str] = set()
        for rid, raw in zip(ids, raws, strict=True):
            if rid in seen:  # the same record twice in one page: keep the first
                continue
            seen.add(rid)
            if raw.deleted:
                writes.append(Write(rid, raw.identifier, deleted=True))
                continue
            digest = raw_hash(raw)
            entry = RawEntry(rid, raw.identifier, raw.format, raw.content, digest,
                             raw.datestamp.replace(tzinfo=None) if raw.datestamp else None,
                             raw.extra or None)
            if known.get(rid) == digest:
                writes.append(Write(rid, raw.identifier, unchanged=True))
                continue
            slots.append(len(writes))
            writes.append(None)
            jobs.append((raw, entry, curations.get(rid, [])))
        mapped: Future[list[Write]] | list[Write]
        if pool is not None and jobs:
            mapped = pool.submit(_map_batch, source, jobs, harvested_at)
        else:
            mapped = [self._map_one(source, raw, entry, harvested_at, cur) for raw, entry, cur in jobs]
        return _PendingPage(page, writes, slots, mapped)

    def _map_one(self, source: Source, raw: RawRecord, entry: RawEntry, harvested_at: str,
                 curations: list[dict[str, Any]]) -> Write:
        return map_one(self.mapper, source, raw, entry, harvested_at, curations)

    def _dry_run(self, source: Source, harvester: Any, limit: int) -> HarvestResult:
        from catalogue.preview import preview  # the preview maps with this module's mapper

        found = preview(source, harvester.http, limit, self.mapper)
        return HarvestResult(source.id, None, "failed" if found.error else "dry-run",
                             {"mapped": found.mapped, "failed": found.failed}, found.error,
                             found.records)

    # -- re-mapping ---------------------------------------------------------------------------

    def fingerprint(self, source: Source) -> str:
        return mapping_fingerprint(source, self.mapper.vocab.key)

    def remap_if_changed(self, source: Source) -> dict[str, int] | None:
        """Re-map the source's stored records when its mapping fingerprint changed (None when
        it did not). The new fingerprint is kept only once every record is re-mapped."""
        current = self.fingerprint(source)
        if self.store.mapping_fingerprint(source.id) == current:
            return None
        return self.renormalize(source)

    def renormalize(self, source: Source) -> dict[str, int]:
        """Re-map every stored raw record of a source without the network, then record the
        mapping fingerprint they were mapped with."""
        fingerprint = self.fingerprint(source)
        counts: Counter[str] = Counter()
        batch: list[tuple[RawEntry, datetime]] = []

        def flush() -> None:
            ids = [entry.record_id for entry, _ in batch]
            curations = self.store.curations(ids)
            stored = self.store.get_many(ids)
            for entry, fetched_at in batch:
                prior = stored.get(entry.record_id)
                if prior is None or prior.deleted:
                    continue
                raw = RawRecord(entry.identifier, entry.format, entry.content,
                                entry.partner_datestamp, False, None, entry.extra or {})
                write = self._map_one(source, raw, entry, utc_stamp(fetched_at),
                                      curations.get(entry.record_id, []))
                if write.record is None:
                    counts["failed"] += 1
                    continue
                changed = self.store.update_record(entry.record_id, write.record, write.facets,
                                                   write.notes)
                counts["updated" if changed else "unchanged"] += 1
            batch.clear()

        for item in self.store.iter_raw(source.id):
            batch.append(item)
            if len(batch) >= 200:
                flush()
        flush()
        self.store.set_mapping_fingerprint(source.id, fingerprint)
        return dict(counts)

    def recurate(self, record_id_: str, sources: dict[str, Source]) -> bool:
        """Re-map one record from its raw bytes so a new curation takes effect now."""
        stored = self.store.get(record_id_)
        found = self.store.raw(record_id_)
        if stored is None or found is None:
            raise KeyError(record_id_)
        entry, fetched_at = found
        source = sources.get(stored.source_id)
        if source is None:
            raise KeyError(f"source {stored.source_id} is not configured")
        raw = RawRecord(entry.identifier, entry.format, entry.content, entry.partner_datestamp,
                        False, None, entry.extra or {})
        write = self._map_one(source, raw, entry, utc_stamp(fetched_at),
                              self.store.curations([record_id_]).get(record_id_, []))
        if write.record is None:
            raise RecordError(write.failure[1] if write.failure else "mapping failed")
        return self.store.update_record(record_id_, write.record, write.facets, write.notes)
