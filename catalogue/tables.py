"""The store's tables (SQLAlchemy Core), as of the newest migration.

Migrations in ``catalogue/migrations`` create them; this module describes the head revision so
that queries can be written against it. Keep both in step.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

sources = Table(
    "sources",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("partner", String(100), nullable=False),
    Column("partner_name", String(200), nullable=False),
    Column("name", String(300), nullable=False),
    Column("protocol", String(20), nullable=False),
    Column("url", Text, nullable=False),
    Column("config", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    # Hash of what mapping depends on (see catalogue.pipeline.mapping_fingerprint) when every
    # stored record of the source was last mapped; null before the first harvest.
    Column("mapping_fingerprint", String(64)),
)

harvest_runs = Table(
    "harvest_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(100), ForeignKey("sources.id"), nullable=False, index=True),
    Column("mode", String(20), nullable=False),
    # running, done, done-with-errors, failed, interrupted
    Column("status", String(30), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("heartbeat_at", DateTime),
    Column("pid", Integer),
    Column("counts", Text, nullable=False),
    Column("checkpoint", Text),
    Column("error", Text),
    # The run this one resumed (a run killed mid-way is continued by the next one).
    Column("resumed_from", Integer),
)

run_items = Table(
    "run_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("harvest_runs.id"), nullable=False, index=True),
    Column("identifier", Text),
    Column("record_id", String(200)),
    # added, updated, unchanged, deleted, failed, warning (a problem that lost nothing)
    Column("outcome", String(20), nullable=False),
    # fetch, parse, map, validate, store (failures); null otherwise
    Column("stage", String(20)),
    Column("message", Text),
    Column("url", Text),
    Index("ix_run_items_run_outcome", "run_id", "outcome", "id"),
    # A record's outcomes across runs, and the items that carry a message (failures, warnings):
    # a source's open problems without reading its millions of clean items (Store.open_problems).
    Index("ix_run_items_record", "record_id", "id"),
    Index("ix_run_items_problems", "run_id", "outcome", "id", sqlite_where=text("message IS NOT NULL"),
          postgresql_where=text("message IS NOT NULL")),
)

raw_records = Table(
    "raw_records",
    metadata,
    Column("record_id", String(200), primary_key=True),
    Column("source_id", String(100), ForeignKey("sources.id"), nullable=False, index=True),
    Column("identifier", Text, nullable=False),
    Column("format", String(30), nullable=False),
    Column("content", LargeBinary, nullable=False),  # zlib-compressed bytes as received
    Column("raw_hash", String(64), nullable=False),
    Column("partner_datestamp", DateTime),
    Column("fetched_at", DateTime, nullable=False),
    Column("extra", Text),
)

records = Table(
    "records",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("source_id", String(100), ForeignKey("sources.id"), nullable=False, index=True),
    Column("partner", String(100), nullable=False),
    Column("identifier", Text, nullable=False),
    Column("data", Text),  # the shared record as JSON; kept for tombstones (last good version)
    Column("content_hash", String(64)),
    Column("version", Integer, nullable=False),
    # The moment the record last changed in the store (UTC, microseconds; OAI shows seconds).
    Column("datestamp", DateTime, nullable=False),
    Column("deleted", Boolean, nullable=False),
    # Monotonic change sequence: the index follows the store by applying changes since a seq.
    Column("seq", Integer, nullable=False, unique=True),
    Column("last_seen_run", Integer),
    Column("missed_full_runs", Integer, nullable=False, default=0),
    # Curator-facing notes from mapping (JSON): unmatched terms, deprecated ids met, warnings.
    Column("notes", Text),
    # The oai_dc fragment, rendered when the record changes (null for tombstones and rows from
    # before revision 0003): OAI-PMH serves it without parsing the JSON.
    Column("oai_dc", Text),
    Index("ix_records_datestamp_id", "datestamp", "id"),
)

record_facets = Table(
    "record_facets",
    metadata,
    Column("record_id", String(200), ForeignKey("records.id"), primary_key=True),
    # partner, level (expanded along the hierarchy), discipline (with its "(discipline)" parent)
    Column("facet", String(20), primary_key=True),
    Column("value", String(200), primary_key=True),
    Index("ix_record_facets_value", "facet", "value"),
)

curations = Table(
    "curations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", String(200), nullable=False, index=True),
    Column("field", String(20), nullable=False),  # level | discipline
    Column("action", String(10), nullable=False),  # add | remove
    Column("concept_id", String(100), nullable=False),
    Column("author", String(200)),
    Column("note", Text),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("record_id", "field", "concept_id", name="uq_curation"),
)

counters = Table(
    "counters",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("value", Integer, nullable=False),
)
