"""Each input's embedding, kept with it, so /summary does not re-embed the whole plan every time.

Revision ID: 0005
Revises: 0004 when that revision exists, else 0003
Create Date: 2026-12-01
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0005"
# 0004 is being written in parallel; chain after it when it is there so there is only ever one head.
down_revision = "0004" if any(Path(__file__).parent.glob("0004_*.py")) else "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inputs") as batch:
        batch.add_column(sa.Column("vector", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inputs") as batch:
        batch.drop_column("vector")
