"""Run items by record, so that a source's open problems are found without scanning every run.

Revision ID: 0006
Revises: 0005

``Store.open_problems`` asks, for each record with a failure or a warning in some run, whether a
later run stored it cleanly or deleted it: one lookup per record over all of its run items. The
items worth looking at are the few with a message (failures, warnings): a partial index finds them
among a full run's millions of clean items.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_run_items_record", "run_items", ["record_id", "id"])
    op.create_index("ix_run_items_problems", "run_items", ["run_id", "outcome", "id"],
                    sqlite_where=sa.text("message IS NOT NULL"),
                    postgresql_where=sa.text("message IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_run_items_problems", table_name="run_items")
    op.drop_index("ix_run_items_record", table_name="run_items")
