"""Bulk dumps of the live records for re-users: JSON Lines and CSV, gzip-compressed.

Both files come from one pass over one SELECT (a consistent snapshot on SQLite WAL and
PostgreSQL alike), so they hold the same records, each once, in id order. Each file is written
beside its final name, fsynced, then renamed over it: a reader (or the API serving it) sees the
old file or the new one, never half of one. ``dumps.json`` describes them (with a SHA-256 per
file and the change token they were taken at); it is replaced last. Each generation is also kept
under a dated name in ``archive/`` (the ``KEEP_DUMPS`` newest), so a re-user can fetch the dump a
checksum was published for, or compare two days.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select

from catalogue import tables as t
from catalogue.listing import catalogue_block, change_token
from catalogue.store import Store
from core.timestamps import utc_stamp
from schemas.record import Record, text_of

JSONL_NAME = "resources.jsonl.gz"
CSV_NAME = "resources.csv.gz"
MANIFEST_NAME = "dumps.json"
# Dated copies of earlier dumps (hard links: no extra space while a file is also the current
# one), named ``resources-<YYYYMMDDThhmmssZ>.<ext>``; the manifest's ``archive`` lists them.
ARCHIVE_DIR = "archive"
KEEP_DUMPS = 7  # dated dumps kept, the current one included
DUMP_NAMES = (JSONL_NAME, CSV_NAME)
MEDIA_TYPES = {JSONL_NAME: "application/gzip", CSV_NAME: "application/gzip"}
# What each file holds once decompressed.
CONTENT_TYPES = {JSONL_NAME: "application/jsonl", CSV_NAME: "text/csv"}
LIST_SEP = " | "
_ARCHIVED = re.compile(r"^(resources-\d{8}T\d{6}Z\.(jsonl|csv)|changes-\d{8}T\d{6}Z\.jsonl)\.gz$")
CHANGES_STEM = "changes"  # the incremental dump of a generation: what changed since the previous

CSV_COLUMNS = (
    "id", "title", "description", "partner", "source_id", "identifier", "url", "landing_url",
    "thumbnail", "level_ids", "levels", "level_origins", "discipline_ids", "disciplines",
    "discipline_origins", "type_ids", "types",
    "keywords", "licence", "licence_label", "licence_uri", "licence_origin", "access", "languages",
    "contributors",
    "created", "issued", "modified", "places", "partner_datestamp", "catalogue_modified",
    "catalogue_change", "harvested_at",
)
# Cells a spreadsheet would run as a formula. Partner text is untrusted, so such text cells get
# a leading apostrophe (the OWASP advice); ids, URLs and dates are never touched.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TEXT_COLUMNS = {"title", "description", "levels", "disciplines", "types", "keywords",
                 "licence_label", "contributors", "places"}


@dataclass(frozen=True)
class DumpInfo:
    name: str
    size: int
    records: int
    generated_at: str
    media_type: str
    content_type: str
    sha256: str = ""


def sha256_of(path: Path) -> str:
    """The file's SHA-256 (hex), read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def dated_name(name: str, generated_at: str) -> str:
    """``resources.jsonl.gz`` generated at 2026-12-03T08:25:00Z → ``resources-20261203T082500Z.jsonl.gz``."""
    stem, ext = name.split(".", 1)
    stamp = generated_at.replace("-", "").replace(":", "")
    return f"{stem}-{stamp}.{ext}"


def _archive(dumps_dir: Path, name: str, dated: str) -> None:
    """A dated copy of the current file ``name`` in the archive, replaced atomically."""
    folder = dumps_dir / ARCHIVE_DIR
    folder.mkdir(exist_ok=True)
    tmp = folder / f".{dated}.tmp"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    try:
        os.link(dumps_dir / name, tmp)
    except OSError:  # a file system without hard links: a copy
        shutil.copyfile(dumps_dir / name, tmp)
    os.replace(tmp, folder / dated)


def _archive_entries(previous: dict[str, Any] | None, dumps_dir: Path) -> list[dict[str, Any]]:
    """Earlier archive entries whose files are all still there."""
    out = []
    for entry in (previous or {}).get("archive") or []:
        files = entry.get("files") if isinstance(entry, dict) else None
        if isinstance(files, list) and files and all(
                isinstance(f, dict) and (dumps_dir / ARCHIVE_DIR / str(f.get("name", ""))).is_file()
                and _ARCHIVED.match(str(f.get("name", ""))) for f in files):
            out.append(entry)
    return out


def _interval_text(value: dict[str, Any] | None) -> str:
    if not value:
        return ""
    start, end = value.get("start"), value.get("end")
    if start and end and start != end:
        return f"{start}/{end}"
    return str(start or end or value.get("text") or "")


def _joined(items: list[dict[str, Any]] | None, key: str) -> str:
    return LIST_SEP.join(str(item[key]) for item in items or [] if item.get(key))


def _safe(column: str, value: str) -> str:
    if column in _TEXT_COLUMNS and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_row(record: Record, datestamp: str, change: str = "") -> list[str]:
    """The flat CSV columns of a record (lists joined with " | ").

    ``datestamp`` is the catalogue's (when the record last changed in the store) and ``change``
    its change token; the partner's datestamp has its own column, so the two never share a name.
    """
    source = record.get("source") or {}
    licence = record.get("licence") or {}
    dates = record.get("dates") or {}
    coverage = record.get("coverage") or {}
    values = {
        "id": record["id"],
        "title": text_of(record.get("title")),
        "description": text_of(record.get("description")),
        "partner": source.get("partner") or "",
        "source_id": source.get("source_id") or "",
        "identifier": source.get("identifier") or "",
        "url": record.get("url") or "",
        "landing_url": source.get("landing_url") or "",
        "thumbnail": record.get("thumbnail") or "",
        "level_ids": _joined(record.get("levels"), "id"),
        "levels": _joined(record.get("levels"), "label"),
        # One origin per value, in the same order: source, rule, inferred, default, curation.
        "level_origins": _joined(record.get("levels"), "provenance"),
        "discipline_ids": _joined(record.get("disciplines"), "id"),
        "disciplines": _joined(record.get("disciplines"), "label"),
        "discipline_origins": _joined(record.get("disciplines"), "provenance"),
        "type_ids": _joined(record.get("resource_types"), "id"),
        "types": _joined(record.get("resource_types"), "label"),
        "keywords": _joined(record.get("keywords"), "value"),
        "licence": licence.get("code") or "",
        "licence_label": licence.get("label") or "",
        "licence_uri": licence.get("uri") or "",
        # source (the partner's), rule (its words, as a rights IRI), default (the catalogue's CNE)
        "licence_origin": licence.get("provenance") or "",
        "access": record.get("access") or "",
        "languages": LIST_SEP.join(record.get("languages") or []),
        "contributors": _joined(record.get("contributors"), "name"),
        "created": _interval_text(dates.get("created")),
        "issued": _interval_text(dates.get("issued")),
        "modified": _interval_text(dates.get("modified")),
        "places": LIST_SEP.join(coverage.get("places") or []),
        "partner_datestamp": source.get("datestamp") or "",
        "catalogue_modified": datestamp,
        "catalogue_change": change,
        "harvested_at": source.get("harvested_at") or "",
    }
    return [_safe(column, values[column]) for column in CSV_COLUMNS]


@dataclass(frozen=True)
class _Row:
    id: str
    seq: int
    deleted: bool
    record: Record | None
    datestamp: datetime
    version: int


def _snapshot(store: Store) -> Iterator[_Row]:
    """Every record, from one streamed SELECT in id order.

    Deleted rows come too (without their data): the highest seq of the snapshot is known, and
    the incremental dump lists the deletions.
    """
    query = select(t.records.c.id, t.records.c.seq, t.records.c.deleted, t.records.c.data,
                   t.records.c.datestamp, t.records.c.version).order_by(t.records.c.id)
    with store.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=500).execute(query)
        for row in result:
            data = json.loads(row.data) if row.data and not row.deleted else None
            yield _Row(row.id, int(row.seq), bool(row.deleted), data, row.datestamp,
                       int(row.version))


def change_line(row: _Row) -> dict[str, Any]:
    """One line of the incremental dump: the change as ``/api/v1/changes`` gives it, with the
    record (null once deleted)."""
    action = "deleted" if row.deleted or row.record is None else (
        "created" if row.version <= 1 else "updated")
    block = catalogue_block(row.datestamp, row.seq)
    record = None if action == "deleted" else {**(row.record or {}), "catalogue": block}
    return {"id": row.id, "action": action, **block, "record": record}


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[IO[bytes]]:
    """A binary file that replaces ``path`` in one rename once the block ends without error."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _gzip_text(raw: IO[bytes], newline: str) -> Iterator[io.TextIOWrapper]:
    """UTF-8 text into a gzip stream over ``raw`` (mtime 0: same records, same bytes)."""
    with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as compressed:
        text = io.TextIOWrapper(compressed, encoding="utf-8", newline=newline)
        try:
            yield text
        finally:
            # Leave closing the gzip stream (and its trailer) to the ``with``.
            with contextlib.suppress(ValueError, OSError):
                text.detach()


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def archived_file(manifest: dict[str, Any] | None, name: str) -> dict[str, Any] | None:
    """The manifest entry of a dated dump ``name`` (with its generation's date and records),
    or None when the manifest does not list it."""
    if not _ARCHIVED.match(name):
        return None
    for entry in (manifest or {}).get("archive") or []:
        for info in entry.get("files") or []:
            if isinstance(info, dict) and info.get("name") == name:
                return dict(info)
    return None


def read_manifest(dumps_dir: Path) -> dict[str, Any] | None:
    """The manifest of the last dumps, or None if they were never written (or it is unreadable)."""
    try:
        data = json.loads((Path(dumps_dir) / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("files"), list) else None


def write_dumps(store: Store, dumps_dir: Path, *, force: bool = False,
                keep: int = KEEP_DUMPS) -> dict[str, Any]:
    """Write both dumps and the manifest into ``dumps_dir``; returns the manifest.

    Skipped (the current manifest is returned) when the store has not changed since the last
    dumps and their files are still there, unless ``force``. Each generation is also kept as
    dated files in ``archive/``, the ``keep`` newest ones (the manifest's ``archive``, newest
    first, each file with its SHA-256); older dated files are deleted once the new manifest is
    in place, so the manifest never names a missing file.
    """
    dumps_dir = Path(dumps_dir)
    dumps_dir.mkdir(parents=True, exist_ok=True)
    previous = read_manifest(dumps_dir)
    if (not force and previous is not None and previous.get("seq") == store.max_seq()
            and all((dumps_dir / name).is_file() for name in DUMP_NAMES)):
        return previous
    generated_at = utc_stamp(datetime.now(UTC).replace(tzinfo=None))
    count = 0
    seq = 0
    # The incremental dump: every record changed since the previous generation, from the same
    # snapshot (so previous full dump + increment = this full dump, exactly).
    since = previous.get("seq") if previous is not None else None
    increment_name = dated_name(f"{CHANGES_STEM}.jsonl.gz", generated_at)
    changed = 0
    (dumps_dir / ARCHIVE_DIR).mkdir(exist_ok=True)
    with contextlib.ExitStack() as stack:
        jsonl = stack.enter_context(_gzip_text(stack.enter_context(_atomic(dumps_dir / JSONL_NAME)), "\n"))
        table = stack.enter_context(_gzip_text(stack.enter_context(_atomic(dumps_dir / CSV_NAME)), ""))
        changes = (stack.enter_context(_gzip_text(stack.enter_context(
            _atomic(dumps_dir / ARCHIVE_DIR / increment_name)), "\n"))
            if isinstance(since, int) else None)
        writer = csv.writer(table, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for row in _snapshot(store):
            seq = max(seq, row.seq)
            if changes is not None and isinstance(since, int) and row.seq > since:
                changes.write(json.dumps(change_line(row), ensure_ascii=False, separators=(",", ":")))
                changes.write("\n")
                changed += 1
            if row.deleted or row.record is None:
                continue
            line = {**row.record, "catalogue": catalogue_block(row.datestamp, row.seq)}
            jsonl.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
            jsonl.write("\n")
            writer.writerow(csv_row(row.record, utc_stamp(row.datestamp), change_token(row.seq)))
            count += 1
    files = [
        DumpInfo(name, (dumps_dir / name).stat().st_size, count, generated_at, MEDIA_TYPES[name],
                 CONTENT_TYPES[name], sha256_of(dumps_dir / name)).__dict__
        for name in DUMP_NAMES
    ]
    archived = []
    for info in files:
        dated = dated_name(info["name"], generated_at)
        _archive(dumps_dir, info["name"], dated)
        archived.append({**info, "name": dated})
    if isinstance(since, int):
        path = dumps_dir / ARCHIVE_DIR / increment_name
        archived.append({**DumpInfo(increment_name, path.stat().st_size, changed, generated_at,
                                    MEDIA_TYPES[JSONL_NAME], CONTENT_TYPES[JSONL_NAME],
                                    sha256_of(path)).__dict__,
                         "since": change_token(since)})
    entry = {"generated_at": generated_at, "seq": seq, "change": change_token(seq),
             "records": count, "files": archived}
    earlier = [e for e in _archive_entries(previous, dumps_dir)
               if e.get("generated_at") != generated_at]
    archive = [entry, *earlier][:max(1, keep)]
    # ``change``: where a re-user who loaded these files follows /api/v1/changes from.
    manifest = {"generated_at": generated_at, "seq": seq, "change": change_token(seq),
                "records": count, "files": files, "archive": archive}
    with _atomic(dumps_dir / MANIFEST_NAME) as fh:
        fh.write(json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    _fsync_dir(dumps_dir)
    kept = {str(f["name"]) for e in archive for f in e["files"]}
    for path in (dumps_dir / ARCHIVE_DIR).iterdir():
        if _ARCHIVED.match(path.name) and path.name not in kept:
            with contextlib.suppress(OSError):
                path.unlink()
    return manifest


__all__ = ["ARCHIVE_DIR", "CSV_COLUMNS", "CSV_NAME", "DUMP_NAMES", "JSONL_NAME", "KEEP_DUMPS",
           "MANIFEST_NAME", "archived_file", "csv_row", "dated_name", "read_manifest",
           "sha256_of", "write_dumps"]
