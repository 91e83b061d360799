"""Each source's mapping fingerprint, so that a change of mapping reaches unchanged records.

Revision ID: 0005
Revises: 0004

A harvest skips records whose raw bytes did not change. When the mapping tables, the vocabulary,
the readers (``MAPPING_VERSION``) or the source's own options and defaults change, those records
must be re-mapped all the same: the pipeline compares the source's fingerprint of all of these
with the one stored here and re-maps every stored raw record of the source when they differ.
Sources migrated from an older store have none, so their first harvest re-maps everything once.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("mapping_fingerprint", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("mapping_fingerprint")
