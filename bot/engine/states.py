"""Where a person stands: the stage their membership derives, and the mode a command put them in.

Both are str enums whose values are the strings stored in `conversation_state.state` (modes) or returned by
`plans.stage` (stages) before they were enums, so stored rows read the same without a migration.
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """Derived from the membership row every time (bot.engine.plans.stage), never stored."""

    NO_PLAN = "no_plan"
    CONSENT = "consent"
    FACILITATOR = "facilitator"
    PROFILE_ROLE = "profile_role"
    PROFILE_SIZE = "profile_size"
    PROFILE_ORG = "profile_org"
    INTERVIEW = "interview"
    DONE = "done"


class Mode(StrEnum):
    """A transient mode on top of the stage, stored in `conversation_state.state` (with `pending`)."""

    BASE = "base"
    NEWPLAN_NAME = "newplan_name"
    NEWPLAN_CHAIN = "newplan_chain"
    NEWPLAN_REGION = "newplan_region"
    NOTES = "notes"
    MINE_EDIT = "mine_edit"
    CHECK_FOLLOWUP = "ck_followup"
    CHECK_DONE = "ck_done"  # the check's answers are in; Save or Discard (typed text is read afresh)
    INITIATIVE_EDIT = "in_edit"
