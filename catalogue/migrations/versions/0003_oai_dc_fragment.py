"""Each record's oai_dc fragment, rendered once when the record changes.

Revision ID: 0003
Revises: 0002

OAI-PMH harvesters read records far more often than partners change them: serving the stored
fragment spares a JSON parse and a serialisation per record and per harvest. Rows written before
this revision have none and are serialised on the fly until they next change.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("oai_dc", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_column("oai_dc")
