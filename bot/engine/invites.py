"""Invite codes: opaque random tokens, revocable, with optional expiry and use limit.

An unusable code (unknown, expired, revoked, used up) is reported with one reply that says nothing
about any plan, so codes cannot be probed.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.plan_models import Invite

ROLES = ("stakeholder", "facilitator")
MAX_CODE_CHARS = 64


def new_code() -> str:
    """192 random bits, URL-safe (A-Za-z0-9_-), 32 characters."""
    return secrets.token_urlsafe(24)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def usable(invite: Invite, now: datetime) -> bool:
    if invite.revoked_at is not None:
        return False
    expires = _aware(invite.expires_at)
    if expires is not None and expires <= now:
        return False
    return invite.max_uses is None or invite.uses < invite.max_uses


def create_invite(
    session: Session,
    plan_id: int,
    role: str,
    now: datetime,
    expires_at: datetime | None = None,
    max_uses: int | None = None,
) -> Invite:
    if role not in ROLES:
        raise ValueError(f"invite role must be one of {ROLES}")
    invite = Invite(
        plan_id=plan_id, code=new_code(), role=role, created_at=now, expires_at=expires_at, max_uses=max_uses
    )
    session.add(invite)
    session.flush()
    return invite


def resolve(session: Session, code: str, now: datetime) -> Invite | None:
    """The invite a code opens, or None for any unusable code (same answer for every reason)."""
    code = code.strip()
    if not code or len(code) > MAX_CODE_CHARS:
        return None
    invite = session.scalar(select(Invite).where(Invite.code == code))
    if invite is None or not usable(invite, now):
        return None
    return invite


def active_invites(session: Session, plan_id: int, now: datetime) -> dict[str, Invite]:
    """One usable invite per role, creating any that is missing."""
    found: dict[str, Invite] = {}
    rows = session.scalars(select(Invite).where(Invite.plan_id == plan_id).order_by(Invite.id.desc()))
    for invite in rows:
        if invite.role not in found and usable(invite, now):
            found[invite.role] = invite
    for role in ROLES:
        if role not in found:
            found[role] = create_invite(session, plan_id, role, now)
    return found


def revoke_all(session: Session, plan_id: int, now: datetime) -> int:
    count = 0
    for invite in session.scalars(select(Invite).where(Invite.plan_id == plan_id, Invite.revoked_at.is_(None))):
        invite.revoked_at = now
        count += 1
    session.flush()
    return count
