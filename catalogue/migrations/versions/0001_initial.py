"""Initial store: sources, harvest runs and their items, raw records, records, curations.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("partner", sa.String(100), nullable=False),
        sa.Column("partner_name", sa.String(200), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("protocol", sa.String(20), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("config", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "harvest_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.String(100), sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("pid", sa.Integer),
        sa.Column("counts", sa.Text, nullable=False),
        sa.Column("checkpoint", sa.Text),
        sa.Column("error", sa.Text),
    )
    op.create_index("ix_harvest_runs_source_id", "harvest_runs", ["source_id"])
    op.create_table(
        "run_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("harvest_runs.id"), nullable=False),
        sa.Column("identifier", sa.Text),
        sa.Column("record_id", sa.String(200)),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("stage", sa.String(20)),
        sa.Column("message", sa.Text),
        sa.Column("url", sa.Text),
    )
    op.create_index("ix_run_items_run_id", "run_items", ["run_id"])
    op.create_table(
        "raw_records",
        sa.Column("record_id", sa.String(200), primary_key=True),
        sa.Column("source_id", sa.String(100), sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("identifier", sa.Text, nullable=False),
        sa.Column("format", sa.String(30), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("raw_hash", sa.String(64), nullable=False),
        sa.Column("partner_datestamp", sa.DateTime),
        sa.Column("fetched_at", sa.DateTime, nullable=False),
        sa.Column("extra", sa.Text),
    )
    op.create_index("ix_raw_records_source_id", "raw_records", ["source_id"])
    op.create_table(
        "records",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("source_id", sa.String(100), sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("partner", sa.String(100), nullable=False),
        sa.Column("identifier", sa.Text, nullable=False),
        sa.Column("data", sa.Text),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("datestamp", sa.DateTime, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False, unique=True),
        sa.Column("last_seen_run", sa.Integer),
        sa.Column("missed_full_runs", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_records_source_id", "records", ["source_id"])
    op.create_index("ix_records_datestamp_id", "records", ["datestamp", "id"])
    op.create_table(
        "curations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("record_id", sa.String(200), nullable=False),
        sa.Column("field", sa.String(20), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("concept_id", sa.String(100), nullable=False),
        sa.Column("author", sa.String(200)),
        sa.Column("note", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("record_id", "field", "concept_id", name="uq_curation"),
    )
    op.create_index("ix_curations_record_id", "curations", ["record_id"])
    op.create_table(
        "counters",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )
    op.bulk_insert(
        sa.table("counters", sa.column("name", sa.String), sa.column("value", sa.Integer)),
        [{"name": "seq", "value": 0}],
    )


def downgrade() -> None:
    for name in ("counters", "curations", "records", "raw_records", "run_items", "harvest_runs",
                 "sources"):
        op.drop_table(name)
