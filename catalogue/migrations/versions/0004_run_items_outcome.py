"""An index on run items by run and outcome.

Revision ID: 0004
Revises: 0003

A report (and the public partner page) reads the first failures of a run and their count. With
only ``run_id`` indexed, both visit every item of the run: seconds after a run of millions of
items. With ``(run_id, outcome, id)`` they read the failures only, in order.
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_run_items_run_outcome", "run_items", ["run_id", "outcome", "id"])


def downgrade() -> None:
    op.drop_index("ix_run_items_run_outcome", table_name="run_items")
