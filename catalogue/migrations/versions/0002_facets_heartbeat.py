"""Facet table for set/filter queries, run heartbeats and resume links, record quality notes.

Revision ID: 0002
Revises: 0001

Partner facets are back-filled from existing records; level and discipline facets are derived
from the vocabulary, so ``catalogue init`` re-derives them after upgrading (``Store.refresh_facets``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_facets",
        sa.Column("record_id", sa.String(200), sa.ForeignKey("records.id"), primary_key=True),
        sa.Column("facet", sa.String(20), primary_key=True),
        sa.Column("value", sa.String(200), primary_key=True),
    )
    op.create_index("ix_record_facets_value", "record_facets", ["facet", "value"])
    op.execute(
        "INSERT INTO record_facets (record_id, facet, value) "
        "SELECT id, 'partner', partner FROM records"
    )
    with op.batch_alter_table("harvest_runs") as batch:
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime))
        batch.add_column(sa.Column("resumed_from", sa.Integer))
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("notes", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_column("notes")
    with op.batch_alter_table("harvest_runs") as batch:
        batch.drop_column("resumed_from")
        batch.drop_column("heartbeat_at")
    op.drop_table("record_facets")
