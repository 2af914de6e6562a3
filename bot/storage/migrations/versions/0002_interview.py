"""People, memberships, invites, conversation state, captured inputs and processed messages.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        _ts("created_at"),
        sa.UniqueConstraint("key", name="uq_people_key"),
    )
    op.create_table(
        "plan_settings",
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("actor_types", sa.JSON(), nullable=True),
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("actor_type", sa.String(40), nullable=True),
        sa.Column("size", sa.String(20), nullable=True),
        sa.Column("organisation", sa.String(200), nullable=True),
        _ts("consented_at", nullable=True),
        sa.Column("topic_index", sa.Integer(), nullable=False),
        sa.Column("followup_pending", sa.Boolean(), nullable=False),
        _ts("interview_done_at", nullable=True),
        _ts("joined_at"),
        sa.UniqueConstraint("person_id", "plan_id", name="uq_memberships_person_plan"),
    )
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        _ts("created_at"),
        _ts("expires_at", nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        _ts("revoked_at", nullable=True),
        sa.UniqueConstraint("code", name="uq_invites_code"),
    )
    op.create_table(
        "conversation_state",
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("active_plan_id", sa.Integer(), sa.ForeignKey("plans.id", ondelete="SET NULL"), nullable=True),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("pending", sa.JSON(), nullable=False),
        sa.Column("offered", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts("updated_at"),
    )
    op.create_table(
        "inputs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("question", sa.String(40), nullable=True),
        sa.Column("source_id", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.UniqueConstraint("person_id", "plan_id", "source_id", "position", name="uq_inputs_source"),
    )
    op.create_index("ix_inputs_plan", "inputs", ["plan_id"])
    op.create_table(
        "processed_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source_id", sa.String(100), nullable=False),
        _ts("processed_at"),
        sa.UniqueConstraint("person_id", "source_id", name="uq_processed_person_source"),
    )


def downgrade() -> None:
    op.drop_table("processed_messages")
    op.drop_index("ix_inputs_plan", table_name="inputs")
    op.drop_table("inputs")
    op.drop_table("conversation_state")
    op.drop_table("invites")
    op.drop_table("memberships")
    op.drop_table("plan_settings")
    op.drop_table("people")
