"""Initiatives, stakeholders' views, linked groups, polls, votes and sent reminders.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _ts(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _fk(name: str, target: str, ondelete: str = "CASCADE", nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target, ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "initiatives",
        _id(),
        _fk("plan_id", "plans.id"),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("pattern", sa.String(80), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=True),
        sa.Column("scorecard", sa.JSON(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        _fk("source_input_id", "inputs.id", "SET NULL", nullable=True),
        _fk("created_by", "people.id", "SET NULL", nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
    )
    op.create_index("ix_initiatives_plan", "initiatives", ["plan_id"])
    op.create_table(
        "initiative_views",
        _id(),
        _fk("initiative_id", "initiatives.id"),
        _fk("person_id", "people.id"),
        sa.Column("stance", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        _ts("created_at"),
        sa.UniqueConstraint("initiative_id", "person_id", name="uq_views_initiative_person"),
    )
    op.create_table(
        "group_links",
        _id(),
        _fk("plan_id", "plans.id"),
        sa.Column("chat_key", sa.String(100), nullable=False),
        _fk("linked_by", "people.id", "SET NULL", nullable=True),
        _ts("created_at"),
        sa.UniqueConstraint("chat_key", name="uq_group_links_chat"),
    )
    op.create_table(
        "polls",
        _id(),
        _fk("plan_id", "plans.id"),
        sa.Column("transport_poll_id", sa.String(100), nullable=True),
        sa.Column("subject", sa.String(20), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        _ts("created_at"),
        sa.UniqueConstraint("transport_poll_id", name="uq_polls_transport_id"),
    )
    op.create_table(
        "votes",
        _id(),
        _fk("poll_id", "polls.id"),
        sa.Column("voter_key", sa.String(200), nullable=False),
        sa.Column("option_index", sa.Integer(), nullable=False),
        _ts("created_at"),
        sa.UniqueConstraint("poll_id", "voter_key", "option_index", name="uq_votes_poll_voter_option"),
    )
    op.create_table(
        "reminders_sent",
        _id(),
        _fk("plan_id", "plans.id"),
        sa.Column("reminder_key", sa.String(100), nullable=False),
        _fk("person_id", "people.id"),
        _ts("sent_at"),
        sa.UniqueConstraint("reminder_key", "person_id", name="uq_reminders_key_person"),
    )


def downgrade() -> None:
    for table in ("reminders_sent", "votes", "polls", "group_links", "initiative_views"):
        op.drop_table(table)
    op.drop_index("ix_initiatives_plan", table_name="initiatives")
    op.drop_table("initiatives")
