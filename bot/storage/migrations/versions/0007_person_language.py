"""The language a person picked (English, Kiswahili, Français) and a plan's default language.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("chosen_language", sa.String(8), nullable=True))
    with op.batch_alter_table("plan_settings") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_settings") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("chosen_language")
