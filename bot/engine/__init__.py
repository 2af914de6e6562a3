"""The core of planbot, independent of any transport: plans, invites, consent, profile, interview, capture."""

from bot.engine.engine import MAX_MESSAGE_CHARS, Engine
from bot.engine.models import Choice, Incoming, Person, Reply, ReplyFile

__all__ = ["MAX_MESSAGE_CHARS", "Choice", "Engine", "Incoming", "Person", "Reply", "ReplyFile"]
